// Health: each dependency's state, checked independently with a time limit, so one outage names itself.
import { sql } from 'kysely';
import type { Services } from '../services';
import type { StorageClients } from '../storage/storage-clients';
import { allQueueNames } from '../storage/queue-catalogue';

export type DependencyState = { status: 'up'; ms: number; detail?: Record<string, unknown> } | { status: 'down'; ms: number; error: string };

export interface HealthReport {
  status: 'healthy' | 'unhealthy';
  version: string;
  dependencies: Record<string, DependencyState>;
}

const PROBE_TIMEOUT_MS = 3_000;

/** Probes the database (when services started), queues, tables and blobs. */
export async function checkHealth(input: {
  version: string;
  services: Services | undefined;
  startupError: string | undefined;
  storage: StorageClients;
}): Promise<HealthReport> {
  const { services, storage } = input;
  const probes: Record<string, () => Promise<Record<string, unknown> | undefined>> = {
    database: async () => {
      if (!services) throw new Error(input.startupError ?? 'not started');
      await sql`select 1 as one`.execute(services.db);
      return { dialect: services.dialect };
    },
    queues: async () => ({ poisoned: await countPoisoned(storage) }),
    tables: async () => {
      await storage.tables.listTables().byPage({ maxPageSize: 1 }).next();
      return undefined;
    },
    blobs: async () => {
      await storage.blobs.listContainers().byPage({ maxPageSize: 1 }).next();
      return undefined;
    },
  };
  const entries = await Promise.all(Object.entries(probes).map(async ([name, probe]) => [name, await runProbe(probe)] as const));
  const dependencies = Object.fromEntries(entries);
  const healthy = entries.every(([, state]) => state.status === 'up');
  return { status: healthy ? 'healthy' : 'unhealthy', version: input.version, dependencies };
}

/** Messages parked in poison queues are data waiting for a person: health reports them per queue. */
async function countPoisoned(storage: StorageClients): Promise<Record<string, number>> {
  const counts = await Promise.all(
    allQueueNames.map(async (name) => {
      // getProperties on a queue that does not exist yet is a 404: no queue, nothing parked.
      const properties = await storage.queues.getQueueClient(`${name}-poison`).getProperties().catch((error: { statusCode?: number }) => {
        if (error.statusCode === 404) return undefined;
        throw error;
      });
      return [name, properties?.approximateMessagesCount ?? 0] as const;
    }),
  );
  return Object.fromEntries(counts.filter(([, count]) => count > 0));
}

async function runProbe(probe: () => Promise<Record<string, unknown> | undefined>): Promise<DependencyState> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    });
    const detail = await Promise.race([probe(), timeout]);
    return { status: 'up', ms: Math.round(performance.now() - started), ...(detail ? { detail } : {}) };
  } catch (error) {
    return { status: 'down', ms: Math.round(performance.now() - started), error: describe(error) };
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Connection errors can echo connection strings; keep only the first line and drop key-like values.
  return (text.split('\n')[0] ?? '').replace(/(AccountKey|Password|AccessKey|pwd)=[^;]*/gi, '$1=***').slice(0, 300);
}
