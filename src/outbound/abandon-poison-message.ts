// Settles a message that reached `outbound-messages-poison`: it never ends silently, and the reason shows live.
import type { Services } from '../services';
import { publishInBackground } from '../realtime/background-publish';
import { explainSendFailure } from './classify-send-error';
import { firmDefaultLanguage } from './firm-language';
import { markFailed, markUnknown } from './outbound.queries';

interface Logger {
  warn(...args: unknown[]): void;
}

/**
 * A message whose handler failed on every try: `queued` → `failed` (it was never sent), `sending` → `unknown` (the
 * last try may have reached Meta). Anything already settled is left alone. Answers the status it ended in.
 */
export async function abandonPoisonMessage(services: Pick<Services, 'db' | 'clock' | 'realtime'>, job: { firmId: number; messageId: string }, log: Logger): Promise<string | undefined> {
  const message = await services.db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'ConversationId', 'Status', 'Direction'])
    .where('Id', '=', job.messageId)
    .where('FirmId', '=', job.firmId)
    .executeTakeFirst();
  if (!message || message.Direction !== 'outbound') return undefined;
  const now = services.clock.now();
  const language = await firmDefaultLanguage(services.db, job.firmId);
  let changed = false;
  if (message.Status === 'queued') {
    changed = await markFailed(services.db, message.Id, { code: null, title: 'poison', details: explainSendFailure('poison', language) }, now, ['queued']);
  } else if (message.Status === 'sending') {
    changed = await markUnknown(services.db, message.Id, { code: null, title: 'poison', details: explainSendFailure('worker-lost', language) }, now);
  }
  if (changed) {
    publishInBackground(services.realtime, [{ type: 'message.updated', firmId: job.firmId, conversationId: message.ConversationId, messageId: message.Id, change: 'status' }], log);
  }
  const after = await services.db.selectFrom('WhatsApp_Messages').select('Status').where('Id', '=', message.Id).executeTakeFirst();
  return after?.Status;
}
