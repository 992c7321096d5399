// Repairs presence when a `disconnected` event never arrived (the service gave up its retries, or the app was down):
// asks Web PubSub which recorded connections still exist and closes the others, so nobody stays "online" for ever.
import type { Services } from '../services';
import { webPubSubConnection } from '../realtime/web-pubsub-service';
import { type ConnectionEntity } from './presence-table';
import { presenceTable, recordConnection } from './record-connection';

type SweepServices = Pick<Services, 'storage' | 'clock' | 'realtime' | 'config'>;

/** A connection younger than this is left alone: its `connected` event and the service's registry may still be settling. */
export const PRESENCE_SWEEP_MIN_AGE_MS = 2 * 60 * 1000;

/** `c_<operatorId>_<base64url(connectionId)>`; operator ids are UUIDs, so the first `_` after the prefix ends them. */
function parseConnectionRowKey(rowKey: string): { operatorId: string; connectionId: string } | undefined {
  if (!rowKey.startsWith('c_')) return undefined;
  const rest = rowKey.slice(2);
  const cut = rest.indexOf('_');
  if (cut <= 0) return undefined;
  return { operatorId: rest.slice(0, cut), connectionId: Buffer.from(rest.slice(cut + 1), 'base64url').toString('utf8') };
}

/**
 * Checks every open connection row older than `minAgeMs` against the service (`HEAD connections/{id}`) and records
 * `disconnected` for those the service no longer has (which publishes `operator.presence` when that takes the
 * operator offline). Does nothing without a Web PubSub; a failed check leaves the row for the next sweep.
 */
export async function sweepPresence(
  services: SweepServices,
  log: { warn(...args: unknown[]): void },
  minAgeMs = PRESENCE_SWEEP_MIN_AGE_MS,
): Promise<{ checked: number; closed: number }> {
  const connection = webPubSubConnection(services.config.webPubSub);
  if (!connection) return { checked: 0, closed: 0 };
  const table = await presenceTable(services);
  const cutoff = services.clock.now().getTime() - minAgeMs;
  let checked = 0;
  let closed = 0;
  for await (const row of table.listEntities<ConnectionEntity>({ queryOptions: { filter: 'Closed eq false' } })) {
    const key = parseConnectionRowKey(row.rowKey);
    const firmId = Number(row.partitionKey);
    if (!key || !Number.isInteger(firmId) || (row.ConnectedAt?.getTime() ?? 0) > cutoff) continue;
    checked++;
    try {
      if (await connection.client.connectionExists(key.connectionId, { abortSignal: AbortSignal.timeout(5000) })) continue;
      await recordConnection(services, { firmId, operatorId: key.operatorId }, key.connectionId, 'disconnected');
      closed++;
    } catch (error) {
      log.warn(`presence: could not check connection ${key.connectionId} of operator ${key.operatorId}; the next sweep tries again`, error);
    }
  }
  return { checked, closed };
}
