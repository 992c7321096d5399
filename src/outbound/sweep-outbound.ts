// The outbound sweep (timer): queues messages committed but never (or no longer) on the queue, and settles dead sends.
import type { Services } from '../services';
import { publishInBackground } from '../realtime/background-publish';
import { explainSendFailure } from './classify-send-error';
import { firmDefaultLanguage } from './firm-language';
import { enqueueOutbound, markUnknown } from './outbound.queries';

/** A queued message with no queue message this long after it was committed lost its enqueue. */
export const NEVER_QUEUED_AFTER_MS = 30_000;
/** A queued message whose queue message should have shown up this long ago lost it (expired, or held by a dead worker). */
export const OVERDUE_AFTER_MS = 2 * 60_000;
const BATCH = 500;

export interface SweepResult {
  readonly requeued: number;
  readonly settledUnknown: number;
}

interface Logger {
  warn(...args: unknown[]): void;
}

/**
 * One sweep: `queued` messages never enqueued (the commit succeeded, the enqueue did not) or overdue are put on the
 * queue again — duplicates are harmless, a send is claimed once; `sending` messages past their lease had their
 * worker die mid-send and become `unknown` (Meta may have them; the status webhook or an operator settles them).
 */
export async function sweepOutbound(
  services: Pick<Services, 'db' | 'clock' | 'storage' | 'realtime'>,
  log: Logger,
  thresholds: { neverQueuedAfterMs?: number; overdueAfterMs?: number } = {},
): Promise<SweepResult> {
  const now = services.clock.now();
  const neverQueuedBefore = new Date(now.getTime() - (thresholds.neverQueuedAfterMs ?? NEVER_QUEUED_AFTER_MS));
  const overdueBefore = new Date(now.getTime() - (thresholds.overdueAfterMs ?? OVERDUE_AFTER_MS));
  const stranded = await services.db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'FirmId'])
    .where('Status', '=', 'queued')
    .where('Direction', '=', 'outbound')
    .where((eb) => eb.or([eb.and([eb('EnqueuedAt', 'is', null), eb('CreatedAt', '<', neverQueuedBefore)]), eb('EnqueuedAt', '<', overdueBefore)]))
    .orderBy('CreatedAt')
    .limit(BATCH)
    .execute();
  let requeued = 0;
  for (const message of stranded) {
    try {
      await enqueueOutbound(services, message.FirmId, message.Id, now);
      requeued++;
    } catch (error) {
      log.warn(`outbound sweep: could not queue message ${message.Id}`, error);
    }
  }

  const lost = await services.db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'FirmId', 'ConversationId'])
    .where('Status', '=', 'sending')
    .where('LeaseUntil', '<', now)
    .limit(BATCH)
    .execute();
  let settledUnknown = 0;
  for (const message of lost) {
    const language = await firmDefaultLanguage(services.db, message.FirmId);
    if (await markUnknown(services.db, message.Id, { code: null, title: 'worker-lost', details: explainSendFailure('worker-lost', language) }, now, now)) {
      settledUnknown++;
      publishInBackground(services.realtime, [{ type: 'message.updated', firmId: message.FirmId, conversationId: message.ConversationId, messageId: message.Id, change: 'status' }], log);
    }
  }
  return { requeued, settledUnknown };
}
