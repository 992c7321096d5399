// POST /api/conversations/{conversationId}/read as a use case: the unread count back to 0, published; Meta's read receipt is a hook.
import type { Actor } from '../auth/actor';
import type { ConversationView } from '../realtime/realtime-events.schemas';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { requireConversation } from './conversation-access';
import { clearUnread } from './conversation.queries';
import { loadConversationViews } from './conversation-view';
import { publishConversationUpdate } from './publish-conversation-update';

/** A conversation an operator has just read: what a read receipt to Meta needs. */
export interface ConversationRead {
  readonly firmId: number;
  readonly conversationId: string;
  readonly operatorId: string;
}

/**
 * Runs after the unread count went to 0 (not when it already was): the sending side marks the customer's last
 * message read at Meta (`queueReadReceipt` in src/outbound). A failure is logged; the count stays cleared.
 */
export type AfterConversationRead = (read: ConversationRead) => Promise<unknown>;

/**
 * Clears the unread count of a conversation the caller may act on (admins: any of their firm; agents: unassigned or
 * their own; Forbidden otherwise). Publishes `conversation.updated` (`unread`) when it changed.
 */
export async function markConversationRead(
  services: Pick<Services, 'db' | 'clock' | 'realtime'>,
  actor: Actor,
  conversationId: string,
  hooks: { afterRead?: AfterConversationRead } = {},
): Promise<ConversationView> {
  const { db } = services;
  const { conversation } = await requireConversation(db, actor, conversationId, 'act');
  const now = services.clock.now();
  const cleared =
    conversation.unreadCount > 0 &&
    (await clearUnread(db, { firmId: actor.firmId, conversationId, expectedAssignee: actor.role === 'Admin' ? 'any' : conversation.assigneeId, now }));
  if (cleared) {
    await publishConversationUpdate(services.realtime, actor.firmId, conversationId, { change: 'unread' });
    if (hooks.afterRead) {
      await hooks.afterRead({ firmId: actor.firmId, conversationId, operatorId: actor.operatorId }).catch((error: unknown) => {
        console.warn(`inbox: the read hook failed for conversation ${conversationId}`, error);
      });
    }
  } else if (conversation.unreadCount > 0) {
    await requireConversation(db, actor, conversationId, 'act');
  }
  const view = (await loadConversationViews(db, actor.firmId, [conversationId], now)).get(conversationId);
  if (!view) throw new AppError('NotFound');
  return view;
}
