// Brings a database to the latest schema with Kysely's Migrator: run at start-up and by `npm run db:migrate`.
import { MIGRATION_LOCK_ID, Migrator, sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from './database';
import { schemaMigrations } from './migrations/all-migrations';
import { migrationLockTableName, migrationTableName } from './schema';
import type { Database } from './tables';

/** Thrown when a migration fails; names it. The run was rolled back (both dialects run DDL in transactions). */
export class MigrationError extends Error {
  constructor(
    readonly migrationName: string | undefined,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(migrationName ? `Database migration ${migrationName} failed: ${reason}` : `Database migrations could not run: ${reason}`, { cause });
    this.name = 'MigrationError';
  }
}

function toKyselyMigrations(): Record<string, Migration> {
  return Object.fromEntries(
    schemaMigrations.map((migration) => [
      migration.name,
      {
        async up(db: Kysely<unknown>) {
          for (const statement of migration.statements(dialectOf(db))) await sql.raw(statement.sql).execute(db);
        },
      },
    ]),
  );
}

/** The names Kysely records for the migrations (the bookkeeping sql/ scripts also write). */
export const migrationNames: readonly string[] = schemaMigrations.map((m) => m.name);

export const migrationBookkeeping = { migrationTable: migrationTableName, lockTable: migrationLockTableName, lockRowId: MIGRATION_LOCK_ID } as const;

// Kysely's Migrator takes its lock even when nothing is pending, and on SQL Server that lock
// (sp_getapplock for principal dbo) needs db_owner. Reading the record first lets an app identity with
// only read/write rights start against a database a DBA created from sql/.
async function isCurrent(db: Kysely<Database>): Promise<boolean> {
  try {
    const done = await sql<{ name: string }>`select name from ${sql.table(migrationTableName)}`.execute(db);
    const applied = new Set(done.rows.map((row) => row.name));
    return migrationNames.every((name) => applied.has(name));
  } catch {
    return false; // no record yet (empty database): the Migrator creates it
  }
}

/**
 * Applies every migration not yet recorded in `WhatsApp_SchemaMigrations`, together in one transaction,
 * holding the migrator's lock (SQL Server: sp_getapplock) so several instances starting at once do not race;
 * on SQL Server that needs an identity in db_owner. When nothing is pending it only reads the record.
 * Returns the names applied (empty when the database was already current). Throws {@link MigrationError}.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  if (await isCurrent(db)) return [];
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => toKyselyMigrations() },
    migrationTableName,
    migrationLockTableName,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw new MigrationError(results?.find((r) => r.status === 'Error')?.migrationName, error);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
