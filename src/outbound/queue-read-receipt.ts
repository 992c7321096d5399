// Read receipts: when an operator reads a conversation, its last customer message is marked read at Meta (via the queue).
import type { Services } from '../services';
import { enqueue } from '../storage/queue-catalogue';

/**
 * Queues a read receipt for the newest inbound message of the conversation (Meta marks every earlier one read too).
 * The `outbound-messages` worker sends it; it is idempotent at Meta, so a repeat does no harm. Meta accepts receipts
 * for 30 days. Call after the inbox has checked the caller may see the conversation. Answers the message marked.
 */
export async function queueReadReceipt(services: Pick<Services, 'db' | 'storage' | 'clock'>, input: { firmId: number; conversationId: string }): Promise<string | undefined> {
  const since = new Date(services.clock.now().getTime() - 30 * 24 * 60 * 60 * 1000);
  const last = await services.db
    .selectFrom('WhatsApp_Messages')
    .select('Id')
    .where('FirmId', '=', input.firmId)
    .where('ConversationId', '=', input.conversationId)
    .where('Direction', '=', 'inbound')
    .where('WhatsAppMessageId', 'is not', null)
    .where('MessageAt', '>', since)
    .orderBy('MessageAt', 'desc')
    .orderBy('Id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return undefined;
  await enqueue(services.storage.queues, 'outboundMessages', { firmId: input.firmId, messageId: last.Id });
  return last.Id;
}
