// POST /api/messages/{messageId}/retry as a use case: an operator's explicit decision to send a failed or unknown message again.
import type { Actor } from '../auth/actor';
import { recordAudit } from '../audit/record-audit';
import { requireConversation } from '../inbox/conversation-access';
import { requireOpenWindow } from '../inbox/reply-window';
import { loadMessages } from '../realtime/realtime-views.queries';
import type { MessageView } from '../realtime/realtime-events.schemas';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { publishInBackground } from '../realtime/background-publish';
import { enqueueOutbound, outboundRank } from './outbound.queries';

interface Logger {
  warn(...args: unknown[]): void;
}

/**
 * Re-queues an outbound message that ended `failed` or `unknown` and that Meta never acknowledged (no WhatsApp id).
 * For `unknown` this is the only way it is sent again: the operator accepts that the customer might get it twice.
 * Free-form messages need the reply window open, as a new one would. Audited (`message.retried`).
 */
export async function retryMessage(services: Pick<Services, 'db' | 'clock' | 'storage' | 'realtime'>, actor: Actor, messageId: string, log: Logger): Promise<MessageView> {
  const message = await services.db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'ConversationId', 'Direction', 'Type', 'Status', 'WhatsAppMessageId'])
    .where('Id', '=', messageId)
    .where('FirmId', '=', actor.firmId)
    .executeTakeFirst();
  if (!message || message.Direction !== 'outbound') throw new AppError('NotFound');
  const { conversation } = await requireConversation(services.db, actor, message.ConversationId, 'act');
  if (!['failed', 'unknown'].includes(message.Status) || message.WhatsAppMessageId !== null) {
    throw new AppError('MessageNotRetryable', {
      tr: `Mesaj "${message.Status}" durumunda; yalnızca başarısız veya sonucu bilinmeyen mesajlar yeniden gönderilebilir.`,
      en: `The message is ${message.Status}; only failed messages and messages with an unknown outcome can be sent again.`,
    }, { status: message.Status });
  }
  const now = services.clock.now();
  if (message.Type !== 'template') requireOpenWindow(conversation, now);
  const moved = await services.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('WhatsApp_Messages')
      .set({
        Status: 'queued',
        StatusRank: outboundRank.queued,
        SendAttempts: 0,
        PairLimitHits: 0,
        NextAttemptAt: null,
        LeaseUntil: null,
        EnqueuedAt: null,
        FailedAt: null,
        ErrorCode: null,
        ErrorTitle: null,
        ErrorDetails: null,
        UpdatedAt: now,
      })
      .where('Id', '=', message.Id)
      .where('Status', '=', message.Status)
      .where('WhatsAppMessageId', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await recordAudit(trx, { firmId: actor.firmId, action: 'message.retried', actor, entityType: 'message', entityId: message.Id, details: { previousStatus: message.Status } }, now);
    return true;
  });
  if (!moved) throw new AppError('MessageNotRetryable');
  publishInBackground(services.realtime, [{ type: 'message.updated', firmId: actor.firmId, conversationId: message.ConversationId, messageId: message.Id, change: 'status' }], log);
  try {
    await enqueueOutbound(services, actor.firmId, message.Id, now);
  } catch (error) {
    log.warn(`outbound: retried message ${message.Id} could not be queued now; the sweep will queue it`, error);
  }
  const view = (await loadMessages(services.db, actor.firmId, [message.Id])).get(message.Id);
  if (!view) throw new AppError('NotFound');
  return view.view;
}
