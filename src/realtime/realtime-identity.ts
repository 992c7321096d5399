// How operators appear to Web PubSub: the user id carries firm and operator, groups are per firm and per role.
import type { Role } from '../auth/actor';

/** `<firmId>:<operatorId>`: the Web PubSub user id of an operator (firm first, so it never collides across firms). */
export function realtimeUserId(firmId: number, operatorId: string): string {
  return `${firmId}:${operatorId}`;
}

/** The firm and operator a Web PubSub user id names, or undefined for anything this app did not issue. */
export function parseRealtimeUserId(userId: string | null | undefined): { firmId: number; operatorId: string } | undefined {
  const match = /^([1-9]\d{0,9}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(userId ?? '');
  if (!match?.[1] || !match[2]) return undefined;
  const firmId = Number(match[1]);
  return Number.isSafeInteger(firmId) && firmId <= 2_147_483_647 ? { firmId, operatorId: match[2] } : undefined;
}

/** Everyone of a firm who is connected. */
export function firmGroup(firmId: number): string {
  return `firm.${firmId}`;
}

/** A firm's connected admins (`firm.<id>.admins`) or agents (`firm.<id>.agents`). */
export function roleGroup(firmId: number, role: Role): string {
  return `firm.${firmId}.${role === 'Admin' ? 'admins' : 'agents'}`;
}

/** The groups the server puts an operator's connection in at connect (token claims); clients cannot change them. */
export function groupsFor(operator: { firmId: number; role: Role }): string[] {
  return [firmGroup(operator.firmId), roleGroup(operator.firmId, operator.role)];
}
