// The Data Tables layout of presence: one row per Web PubSub connection and one state row per operator, per firm.
import { odata, RestError, type TableClient } from '@azure/data-tables';

export const PRESENCE_TABLE = 'OperatorPresence';

/** One connection; `Closed` rows are tombstones, so a late `connected` retry cannot revive a closed connection. */
export interface ConnectionEntity {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly ConnectedAt?: Date;
  readonly Closed: boolean;
  readonly ClosedAt?: Date;
}

/** Whether the operator counts as online (any open connection), since when; changed only with the row's ETag. */
export interface OperatorStateEntity {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly Online: boolean;
  readonly ChangedAt: Date;
}

export const partitionOf = (firmId: number): string => String(firmId);
/** Connection ids are the service's; base64url keeps characters Tables forbid in keys (`/`, `#`, `?`, `\`) out. */
export const connectionRowKey = (operatorId: string, connectionId: string): string => `c_${operatorId}_${Buffer.from(connectionId, 'utf8').toString('base64url')}`;
export const stateRowKey = (operatorId: string): string => `o_${operatorId}`;
export const operatorIdOfStateRow = (rowKey: string): string => rowKey.slice(2);

/** `_` + 1 is '`': the exclusive upper bound of a key prefix ending in `_`. */
export function prefixFilter(partitionKey: string, prefix: string): string {
  return odata`PartitionKey eq ${partitionKey} and RowKey ge ${prefix} and RowKey lt ${`${prefix.slice(0, -1)}\``}`;
}

export function isStatus(error: unknown, ...codes: number[]): boolean {
  return error instanceof RestError && codes.includes(error.statusCode ?? 0);
}

const ensured = new WeakMap<TableClient, Promise<void>>();

/** Creates the table once per client (409 when it exists is fine). */
export function ensurePresenceTable(table: TableClient): Promise<void> {
  let pending = ensured.get(table);
  if (!pending) {
    pending = table.createTable().catch((error: unknown) => {
      ensured.delete(table);
      if (!isStatus(error, 409)) throw error;
    });
    ensured.set(table, pending);
  }
  return pending;
}
