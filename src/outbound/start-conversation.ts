// POST /api/conversations as a use case: reach a customer by phone with an approved template (outreach, or after 24 hours).
import type { Actor } from '../auth/actor';
import { requireConversation } from '../inbox/conversation-access';
import type { RealtimeEvent } from '../realtime/realtime-publisher';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { findOrCreateConversation } from '../inbox/conversation-activity';
import { resolveCustomer } from '../webhook/customer-identity';
import { queuedMessageRow } from './outbound.queries';
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
  // A resumed conversation may be another agent's: the inbox rule answers as it does for a reply into it.
  await requireConversation(services.db, actor, conversation.id, 'act');
  const events: RealtimeEvent[] = conversation.created ? [{ type: 'conversation.updated', firmId: actor.firmId, conversationId: conversation.id, change: 'created' }] : [];
  const row = { ...queuedMessageRow(actor, { conversationId: conversation.id, type: template.Type, clientMessageId: body.clientMessageId }, now), ...template };
  const queued = await commitAndQueue(services, actor, row, now, log, events);
  return { ...queued, conversationId: conversation.id, conversationCreated: conversation.created };
}
