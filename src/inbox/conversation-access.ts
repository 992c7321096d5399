// Finds the conversation a request names and checks the caller's right to see it or to act on it.
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor';
import type { Database } from '../db/tables';
import { AppError } from '../shared/app-error';
import type { ConversationState } from './conversation.queries';
import { canActOnConversation, canSeeConversation, inboxVisibilityOf, type InboxVisibility } from './visibility';

/**
 * The conversation with the firm's visibility rule, read in one query. NotFound for an unknown id or another firm's
 * (the same answer, so nothing leaks across firms); Forbidden when it is the caller's firm's but the inbox rule hides
 * it from them (`see`) or it is another agent's (`act`).
 */
export async function requireConversation(
  db: Kysely<Database>,
  actor: Pick<Actor, 'firmId' | 'operatorId' | 'role'>,
  conversationId: string,
  need: 'see' | 'act',
): Promise<{ conversation: ConversationState; visibility: InboxVisibility }> {
  const row = await db
    .selectFrom('WhatsApp_Conversations as c')
    .leftJoin('WhatsApp_FirmSettings as f', 'f.FirmId', 'c.FirmId')
    .select(['c.Id', 'c.Status', 'c.AssignedOperatorId', 'c.UnreadCount', 'f.InboxVisibility'])
    .where('c.FirmId', '=', actor.firmId)
    .where('c.Id', '=', conversationId)
    .executeTakeFirst();
  if (!row) throw new AppError('NotFound');
  const conversation: ConversationState = { id: row.Id, status: row.Status, assigneeId: row.AssignedOperatorId, unreadCount: row.UnreadCount };
  const visibility = inboxVisibilityOf(row.InboxVisibility);
  if (!canSeeConversation(visibility, actor, conversation.assigneeId)) throw new AppError('Forbidden');
  if (need === 'act' && !canActOnConversation(actor, conversation.assigneeId)) throw new AppError('Forbidden');
  return { conversation, visibility };
}
