// Who may receive an event about a conversation: the inbox visibility rule (issue 6) as Web PubSub OData filters.
import { odata } from '@azure/web-pubsub';
import { firmGroup, roleGroup, realtimeUserId } from './realtime-identity';

/** A firm's `InboxVisibility`: agents see unassigned conversations and their own, or all of the firm's. */
export type InboxVisibility = 'own-and-unassigned' | 'all';

/** Reads the stored setting; anything unknown falls back to the narrower rule. */
export function inboxVisibilityOf(stored: string | null | undefined): InboxVisibility {
  return stored === 'all' ? 'all' : 'own-and-unassigned';
}

/**
 * Whether an operator sees a conversation (the inbox rule): admins see all of their firm; agents see all when the
 * firm allows it, else unassigned conversations and their own. Callers have already matched the firm.
 */
export function canSeeConversation(visibility: InboxVisibility, viewer: { role: 'Admin' | 'Agent'; operatorId: string }, assigneeId: string | null): boolean {
  return viewer.role === 'Admin' || visibility === 'all' || assigneeId === null || assigneeId === viewer.operatorId;
}

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
