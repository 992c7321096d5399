// GET /api/operators/online as a use case: the caller's firm's active operators with at least one live connection.
import type { Services } from '../services';
import { operatorIdOfStateRow, partitionOf, prefixFilter, type OperatorStateEntity } from './presence-table';
import { presenceTable } from './record-connection';

/** An operator who is online now. */
export interface OnlineOperator {
  readonly id: string;
  readonly fullName: string;
  readonly role: 'Admin' | 'Agent';
  /** When their first current connection opened. */
  readonly onlineSince: string;
}

/** Who of the firm is online, by full name; deactivated operators are left out even while a connection lingers. */
export async function listOnlineOperators(services: Pick<Services, 'storage' | 'db'>, firmId: number): Promise<{ operators: OnlineOperator[] }> {
  const table = await presenceTable(services);
  const since = new Map<string, Date>();
  const rows = table.listEntities<OperatorStateEntity>({ queryOptions: { filter: `${prefixFilter(partitionOf(firmId), 'o_')} and Online eq true` } });
  for await (const row of rows) since.set(operatorIdOfStateRow(row.rowKey), row.ChangedAt);
  if (since.size === 0) return { operators: [] };
  const ids = [...since.keys()];
  const found: OnlineOperator[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const operators = await services.db
      .selectFrom('WhatsApp_Operators')
      .select(['Id', 'FullName', 'Role'])
      .where('FirmId', '=', firmId)
      .where('IsActive', '=', true)
      .where('Id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const operator of operators) {
      found.push({ id: operator.Id, fullName: operator.FullName, role: operator.Role === 'Admin' ? 'Admin' : 'Agent', onlineSince: (since.get(operator.Id) ?? new Date(0)).toISOString() });
    }
  }
  found.sort((a, b) => a.fullName.localeCompare(b.fullName, 'tr') || a.id.localeCompare(b.id));
  return { operators: found };
}
