// Who can take conversations: the firm's active agents with their presence (online now, or offline since when).
import type { Services } from '../services';
import { listOnlineOperators } from '../presence/list-online-operators';
import { operatorIdOfStateRow, partitionOf, prefixFilter, type OperatorStateEntity } from '../presence/presence-table';
import { presenceTable } from '../presence/record-connection';

/** Active agents of the firm who are online now, sorted by id (the order round-robin walks). */
export async function onlineAgents(services: Pick<Services, 'storage' | 'db'>, firmId: number): Promise<string[]> {
  const { operators } = await listOnlineOperators(services, firmId);
  return operators
    .filter((operator) => operator.role === 'Agent')
    .map((operator) => operator.id)
    .sort();
}

/** Presence as the state rows record it: online or not, and since when. Operators never seen connected are absent. */
export async function presenceStates(services: Pick<Services, 'storage'>, firmId: number): Promise<Map<string, { online: boolean; since: Date }>> {
  const table = await presenceTable(services);
  const states = new Map<string, { online: boolean; since: Date }>();
  const rows = table.listEntities<OperatorStateEntity>({ queryOptions: { filter: prefixFilter(partitionOf(firmId), 'o_') } });
  for await (const row of rows) states.set(operatorIdOfStateRow(row.rowKey), { online: row.Online, since: row.ChangedAt });
  return states;
}

/**
 * Whether an assignee still holds their conversations: active, and online or offline for at most the grace period.
 * Someone never seen connected has been offline for longer than any grace.
 */
export function keepsConversations(state: { online: boolean; since: Date } | undefined, isActive: boolean, graceSeconds: number, now: Date): boolean {
  if (!isActive) return false;
  if (!state) return false;
  return state.online || now.getTime() - state.since.getTime() <= graceSeconds * 1000;
}
