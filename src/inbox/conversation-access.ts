// Finds the conversation a request names and checks the caller's right to see it or to act on it.
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor';
import type { Database } from '../db/tables';
import { AppError } from '../shared/app-error';
import { findConversationState, type ConversationState } from './conversation.queries';
import { loadInboxSettings, type InboxSettings } from './inbox-settings.queries';
import { canActOnConversation, canSeeConversation } from './visibility';

/**
 * The conversation with the firm's settings. NotFound for an unknown id or another firm's (the same answer, so
 * nothing leaks across firms); Forbidden when it is the caller's firm's but the inbox rule hides it from them
 * (`see`) or it is another agent's (`act`).
 */
export async function requireConversation(
  db: Kysely<Database>,
  actor: Pick<Actor, 'firmId' | 'operatorId' | 'role'>,
  conversationId: string,
  need: 'see' | 'act',
): Promise<{ conversation: ConversationState; settings: InboxSettings }> {
  const [conversation, settings] = await Promise.all([findConversationState(db, actor.firmId, conversationId), loadInboxSettings(db, actor.firmId)]);
  if (!conversation) throw new AppError('NotFound');
  if (!canSeeConversation(settings.visibility, actor, conversation.assigneeId)) throw new AppError('Forbidden');
  if (need === 'act' && !canActOnConversation(actor, conversation.assigneeId)) throw new AppError('Forbidden');
  return { conversation, settings };
}
