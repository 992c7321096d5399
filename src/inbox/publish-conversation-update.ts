// Announces a committed conversation change to the firm's operators (the real-time publisher scopes it by the inbox rule).
import type { RealtimePublisher } from '../realtime/realtime-publisher';

/** What moved: `assignment` (with who had it before), `status`, `unread`. */
export type ConversationChange = { readonly change: 'assignment'; readonly previousAssigneeId: string | null } | { readonly change: 'status' | 'unread' };

/**
 * Publishes `conversation.updated` after commit. The publisher never throws for a delivery problem (clients catch up
 * through REST); anything else it throws is logged, not returned: the change is already committed.
 */
export async function publishConversationUpdate(realtime: RealtimePublisher, firmId: number, conversationId: string, change: ConversationChange): Promise<void> {
  try {
    await realtime.publish([{ type: 'conversation.updated', firmId, conversationId, ...change }]);
  } catch (error) {
    console.warn(`inbox: could not publish ${change.change} of conversation ${conversationId}`, error);
  }
}
