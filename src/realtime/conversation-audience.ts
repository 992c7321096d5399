// Who may receive an event about a conversation: the inbox visibility rule (src/inbox/visibility.ts) as Web PubSub OData filters.
import { odata } from '@azure/web-pubsub';
import type { InboxVisibility } from '../inbox/visibility';
import { firmGroup, roleGroup, realtimeUserId } from './realtime-identity';

// The rule itself lives with the inbox (issue 6), so REST and real-time cannot drift apart; re-exported for callers here.
export { canSeeConversation, inboxVisibilityOf, type InboxVisibility } from '../inbox/visibility';

/** Every connected operator of the firm. */
export function firmAudienceFilter(firmId: number): string {
  return odata`${firmGroup(firmId)} in groups`;
}

/**
 * An OData filter for a send to the hub that selects exactly the connections whose operator sees the conversation
 * now. Every filter starts with the firm's group, so nothing reaches another firm whatever the rest says.
 */
export function conversationAudienceFilter(firmId: number, visibility: InboxVisibility, assigneeId: string | null): string {
  if (visibility === 'all' || assigneeId === null) return firmAudienceFilter(firmId);
  return odata`${firmGroup(firmId)} in groups and (${roleGroup(firmId, 'Admin')} in groups or userId eq ${realtimeUserId(firmId, assigneeId)})`;
}

/**
 * The connections that saw the conversation before an assignment change and do not see it now (agents only: admins
 * see everything); undefined when nobody lost it.
 */
export function lostAudienceFilter(firmId: number, visibility: InboxVisibility, previousAssigneeId: string | null, assigneeId: string | null): string | undefined {
  if (visibility === 'all' || assigneeId === null || previousAssigneeId === assigneeId) return undefined;
  const agents = roleGroup(firmId, 'Agent');
  if (previousAssigneeId === null) return odata`${firmGroup(firmId)} in groups and ${agents} in groups and userId ne ${realtimeUserId(firmId, assigneeId)}`;
  return odata`${firmGroup(firmId)} in groups and ${agents} in groups and userId eq ${realtimeUserId(firmId, previousAssigneeId)}`;
}
