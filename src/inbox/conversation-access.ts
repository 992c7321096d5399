// Finds the conversation a request names and checks the caller's right to see it or to act on it.
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor';
import type { Database } from '../db/tables';
import { AppError } from '../shared/app-error';
import type { ConversationState } from './conversation.queries';
import { canActOnConversation, canSeeConversation, inboxVisibilityOf, type InboxVisibility } from './visibility';

/** A conversation the caller passed the check for, with what sending into it needs (number, customer, reply window). */
export interface AccessibleConversation extends ConversationState {
  readonly phoneNumberId: string;
  readonly customerId: string;
  /** The customer's newest message: the 24-hour reply window runs from here. */
  readonly lastInboundAt: Date | null;
}

/**
 * The conversation with the firm's visibility rule, read in one query. NotFound for an unknown id or another firm's
 * (the same answer, so nothing leaks across firms); Forbidden when it is the caller's firm's but the inbox rule hides
 * it from them (`see`) or it is another agent's (`act`). The inbox, media and sending endpoints all ask this, so they
 * answer alike.
 */
export async function requireConversation(
  db: Kysely<Database>,
  actor: Pick<Actor, 'firmId' | 'operatorId' | 'role'>,
  conversationId: string,
  need: 'see' | 'act',
): Promise<{ conversation: AccessibleConversation; visibility: InboxVisibility }> {
  const row = await db
    .selectFrom('WhatsApp_Conversations as c')
    .leftJoin('WhatsApp_FirmSettings as f', 'f.FirmId', 'c.FirmId')
    .select(['c.Id', 'c.Status', 'c.AssignedOperatorId', 'c.UnreadCount', 'c.PhoneNumberId', 'c.CustomerId', 'c.LastInboundAt', 'f.InboxVisibility'])
    .where('c.FirmId', '=', actor.firmId)
    .where('c.Id', '=', conversationId)
    .executeTakeFirst();
  if (!row) throw new AppError('NotFound');
  const conversation: AccessibleConversation = {
    id: row.Id,
    status: row.Status,
    assigneeId: row.AssignedOperatorId,
    unreadCount: row.UnreadCount,
    phoneNumberId: row.PhoneNumberId,
    customerId: row.CustomerId,
    lastInboundAt: row.LastInboundAt,
  };
  const visibility = inboxVisibilityOf(row.InboxVisibility);
  if (!canSeeConversation(visibility, actor, conversation.assigneeId)) throw new AppError('Forbidden');
  if (need === 'act' && !canActOnConversation(actor, conversation.assigneeId)) throw new AppError('Forbidden');
  return { conversation, visibility };
}
