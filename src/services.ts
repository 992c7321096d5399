// createServices(config): the one place where settings become live adapters (database, storage, clock, …).
import type { Kysely } from 'kysely';
import { loadConfig, type Config } from './config';
import { createDatabase, type DatabaseHandle, type DatabaseOptions } from './db/database';
import type { Database } from './db/tables';
import { migrateToLatest } from './db/migrate';
import { systemClock, type Clock } from './shared/clock';
import { createStorageClients, type StorageClients } from './storage/storage-clients';
import { ensureQueues } from './storage/queue-catalogue';
import { bootstrapFirstRun } from './bootstrap';
import { noopRealtimePublisher, type RealtimePublisher } from './realtime/realtime-publisher';
import { createRealtimePublisher } from './realtime/create-realtime-publisher';

export interface Services {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'mssql';
  readonly storage: StorageClients;
  readonly clock: Clock;
  /** Real-time events to operators; a no-op until the Web PubSub publisher exists. */
  readonly realtime: RealtimePublisher;
  close(): Promise<void>;
}

/** The database, migrated to the latest schema, with the first-run bootstrap applied. */
export async function openDatabase(config: Config, clock: Clock, options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  const database = createDatabase(config.database, options);
  try {
    await migrateToLatest(database.db);
    await bootstrapFirstRun({ db: database.db, clock, config });
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Builds every adapter from the settings, after the database is ready. */
export async function createServices(config: Config, overrides: Partial<Pick<Services, 'clock' | 'realtime'>> = {}): Promise<Services> {
  const clock = overrides.clock ?? systemClock;
  // The app runs for hours and commits all the time: its SQLite log is copied into the database off its thread.
  const database = await openDatabase(config, clock, { checkpointOnThread: true });
  try {
    const storage = createStorageClients(config.storage);
    await ensureQueues(storage.queues);
    return { config, db: database.db, dialect: database.dialect, storage, clock, realtime: overrides.realtime ?? createRealtimePublisher(config, database.db, clock) ?? noopRealtimePublisher, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

let current: Promise<Services> | undefined;

/** The process-wide services, created on first use from `process.env` (a Functions worker serves one app). */
export function getServices(): Promise<Services> {
  current ??= createServices(loadConfig(process.env)).catch((error: unknown) => {
    current = undefined; // a failed start (database down) is retried on the next call
    throw error;
  });
  return current;
}

/** Closes the process-wide services (app termination, tests). */
export async function closeServices(): Promise<void> {
  const pending = current;
  current = undefined;
  if (pending) await (await pending).close();
}
