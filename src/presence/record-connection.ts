// Presence from Web PubSub's connected/disconnected events: several connections of one operator count once.
import type { TableClient } from '@azure/data-tables';
import type { Services } from '../services';
import {
  connectionRowKey,
  ensurePresenceTable,
  isStatus,
  partitionOf,
  prefixFilter,
  PRESENCE_TABLE,
  stateRowKey,
  type ConnectionEntity,
  type OperatorStateEntity,
} from './presence-table';

type PresenceServices = Pick<Services, 'storage' | 'clock' | 'realtime'>;

/** Closed connections are kept this long as tombstones against late, retried `connected` events, then removed. */
const TOMBSTONE_MS = 60 * 60 * 1000;
const MAX_STATE_WRITES = 8;

/** A table client per storage client, so the table is created once per process. */
const tables = new WeakMap<object, TableClient>();

export async function presenceTable(services: Pick<Services, 'storage'>): Promise<TableClient> {
  let table = tables.get(services.storage);
  if (!table) {
    table = services.storage.table(PRESENCE_TABLE);
    tables.set(services.storage, table);
  }
  await ensurePresenceTable(table);
  return table;
}

/**
 * Records that a connection opened or closed and, if that flipped the operator between offline and online,
 * publishes `operator.presence`. Idempotent and safe against events delivered twice, late or concurrently: the
 * operator's state row is rewritten only with the ETag read before the connections were counted, so of two
 * concurrent writers the one that counted stale rows retries.
 * @returns the operator's presence after the change, and whether it changed
 */
export async function recordConnection(
  services: PresenceServices,
  who: { firmId: number; operatorId: string },
  connectionId: string,
  event: 'connected' | 'disconnected',
): Promise<{ online: boolean; changed: boolean }> {
  const table = await presenceTable(services);
  const partitionKey = partitionOf(who.firmId);
  const rowKey = connectionRowKey(who.operatorId, connectionId);
  const now = services.clock.now();
  if (event === 'connected') {
    try {
      await table.createEntity<ConnectionEntity>({ partitionKey, rowKey, ConnectedAt: now, Closed: false });
    } catch (error) {
      // Already recorded (a repeated delivery) or already closed (the connected retry came after disconnected).
      if (!isStatus(error, 409)) throw error;
    }
  } else {
    await table.upsertEntity<ConnectionEntity>({ partitionKey, rowKey, Closed: true, ClosedAt: now }, 'Merge');
  }
  const result = await settleOperatorState(table, who, now);
  if (result.changed) await services.realtime.publish([{ type: 'operator.presence', firmId: who.firmId, operatorId: who.operatorId, online: result.online }]);
  return result;
}

async function settleOperatorState(table: TableClient, who: { firmId: number; operatorId: string }, now: Date): Promise<{ online: boolean; changed: boolean }> {
  const partitionKey = partitionOf(who.firmId);
  const rowKey = stateRowKey(who.operatorId);
  for (let attempt = 0; attempt < MAX_STATE_WRITES; attempt += 1) {
    const state = await readState(table, partitionKey, rowKey);
    const online = await hasOpenConnection(table, partitionKey, who.operatorId, now);
    if ((state?.Online ?? false) === online) return { online, changed: false };
    try {
      const entity: OperatorStateEntity = { partitionKey, rowKey, Online: online, ChangedAt: now };
      if (state) await table.updateEntity(entity, 'Replace', { etag: state.etag });
      else await table.createEntity(entity);
      return { online, changed: true };
    } catch (error) {
      if (!isStatus(error, 409, 412)) throw error;
    }
  }
  throw new Error(`presence: operator ${who.operatorId} kept changing; gave up after ${MAX_STATE_WRITES} attempts`);
}

async function readState(table: TableClient, partitionKey: string, rowKey: string): Promise<(OperatorStateEntity & { etag: string }) | undefined> {
  try {
    return await table.getEntity<OperatorStateEntity>(partitionKey, rowKey);
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

async function hasOpenConnection(table: TableClient, partitionKey: string, operatorId: string, now: Date): Promise<boolean> {
  let open = false;
  const expired: string[] = [];
  const rows = table.listEntities<ConnectionEntity>({ queryOptions: { filter: prefixFilter(partitionKey, `c_${operatorId}_`) } });
  for await (const row of rows) {
    if (!row.Closed) open = true;
    else if (row.ClosedAt && now.getTime() - row.ClosedAt.getTime() > TOMBSTONE_MS) expired.push(row.rowKey);
  }
  for (const key of expired) await table.deleteEntity(partitionKey, key).catch(() => undefined);
  return open;
}
