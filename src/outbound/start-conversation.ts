// POST /api/conversations as a use case: reach a customer by phone with an approved template (outreach, or after 24 hours).
import type { Actor } from '../auth/actor';
import type { RealtimeEvent } from '../realtime/realtime-publisher';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { newId } from '../shared/ids';
import { findOrCreateConversation } from '../webhook/conversation-activity';
import { resolveCustomer } from '../webhook/customer-identity';
import { loadReplyTarget } from './conversation-access';
import { outboundRank } from './outbound.queries';
import type { StartConversationBody } from './outbound.schemas';
import { checkedTemplate, commitAndQueue, queueReplyRepeat, type QueuedReply } from './queue-reply';

interface Logger {
  warn(...args: unknown[]): void;
}

export interface StartedConversation extends QueuedReply {
  readonly conversationId: string;
  /** False when the customer already had a conversation on that number (it is resumed). */
  readonly conversationCreated: boolean;
}

/**
 * Finds or opens the conversation with the customer on one of the firm's numbers and queues the template there.
 * The template is checked before anything is created; the same client message id twice returns the first message.
 */
export async function startConversation(services: Pick<Services, 'db' | 'clock' | 'storage' | 'realtime'>, actor: Actor, body: StartConversationBody, log: Logger): Promise<StartedConversation> {
  const repeat = await queueReplyRepeat(services, actor, body.clientMessageId);
  if (repeat) return { ...repeat, conversationId: repeat.message.conversationId, conversationCreated: false };
  const now = services.clock.now();
  const number = await services.db
    .selectFrom('WhatsApp_PhoneNumbers')
    .select('PhoneNumberId')
    .where('FirmId', '=', actor.firmId)
    .where('IsActive', '=', true)
    .$if(body.phoneNumberId !== undefined, (q) => q.where('PhoneNumberId', '=', body.phoneNumberId ?? ''))
    .orderBy('CreatedAt')
    .executeTakeFirst();
  if (!number) {
    throw new AppError('InvalidRequest', { tr: 'Firmanın bu işletme numarası yok.', en: 'The firm has no such business number.' }, { fields: { phoneNumberId: body.phoneNumberId ? 'not a number of this firm' : 'the firm has no active number' } });
  }
  const template = await checkedTemplate(services.db, actor.firmId, body.template, now);
  const customerId = await resolveCustomer(services.db, actor.firmId, { waId: body.phone, userId: undefined }, now);
  const conversation = await findOrCreateConversation(services.db, { firmId: actor.firmId, phoneNumberId: number.PhoneNumberId, customerId }, now, now);
  const target = await loadReplyTarget(services.db, actor, conversation.id);
  const id = newId(now.getTime());
  const events: RealtimeEvent[] = conversation.created ? [{ type: 'conversation.updated', firmId: actor.firmId, conversationId: conversation.id, change: 'created' }] : [];
  const queued = await commitAndQueue(
    services,
    actor,
    target,
    {
      Id: id,
      FirmId: actor.firmId,
      ConversationId: conversation.id,
      Direction: 'outbound',
      Status: 'queued',
      StatusRank: outboundRank.queued,
      MessageAt: now,
      SenderOperatorId: actor.operatorId,
      ClientMessageId: body.clientMessageId,
      BizOpaqueCallbackData: id,
      CreatedAt: now,
      UpdatedAt: now,
      ...template,
    },
    now,
    log,
    events,
  );
  return { ...queued, conversationId: conversation.id, conversationCreated: conversation.created };
}
