// The inbox visibility rule, in one place: which conversations an operator sees, and which ones they may act on.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Role } from '../auth/actor';

/** A firm's `InboxVisibility`: agents see unassigned conversations and their own, or all of the firm's. */
export type InboxVisibility = 'own-and-unassigned' | 'all';

/** Reads the stored setting; anything unknown falls back to the narrower rule. */
export function inboxVisibilityOf(stored: string | null | undefined): InboxVisibility {
  return stored === 'all' ? 'all' : 'own-and-unassigned';
}

/** Who is looking: the signed-in operator (the firm is matched before this rule is asked). */
export interface Viewer {
  readonly role: Role;
  readonly operatorId: string;
}

/**
 * Whether an operator sees a conversation of their own firm: admins see all of it; agents see all when the firm
 * allows it, else unassigned conversations and their own. The REST API, search and the real-time publisher all ask
 * this (the publisher through the OData filter in `realtime/conversation-audience.ts`, which states the same rule).
 */
export function canSeeConversation(visibility: InboxVisibility, viewer: Viewer, assigneeId: string | null): boolean {
  return viewer.role === 'Admin' || visibility === 'all' || assigneeId === null || assigneeId === viewer.operatorId;
}

/**
 * Whether an operator may change a conversation (status, read, release): admins any of their firm's; agents only
 * unassigned ones and their own, whatever the firm lets them see.
 */
export function canActOnConversation(viewer: Viewer, assigneeId: string | null): boolean {
  return viewer.role === 'Admin' || assigneeId === null || assigneeId === viewer.operatorId;
}

/**
 * The assignees whose conversations the viewer sees: `'any'`, or a list where `null` stands for unassigned. Queries
 * use it to read one index range per assignee instead of filtering a whole firm.
 */
export function visibleAssignees(visibility: InboxVisibility, viewer: Viewer): 'any' | readonly (string | null)[] {
  return viewer.role === 'Admin' || visibility === 'all' ? 'any' : [null, viewer.operatorId];
}

/**
 * The rule as a SQL condition on the column holding a conversation's assignee (default `c.AssignedOperatorId`), for
 * queries that join conversations (message search); undefined when the viewer sees everything of the firm. The firm
 * condition stays the caller's.
 */
export function visibleConversationCondition(visibility: InboxVisibility, viewer: Viewer, assigneeColumn = 'c.AssignedOperatorId'): RawBuilder<SqlBool> | undefined {
  if (visibleAssignees(visibility, viewer) === 'any') return undefined;
  const column = sql.ref(assigneeColumn);
  return sql<SqlBool>`(${column} is null or ${column} = ${viewer.operatorId})`;
}
