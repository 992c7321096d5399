// Migrated throw-away databases for tests: a SQLite file always, a fresh SQL Server database when MSSQL_TEST_CONNECTION is set.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDatabase, type DatabaseHandle } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { newId } from '../../src/shared/ids';

export interface TestDatabase extends DatabaseHandle {
  /** The SQLite file, or the SQL Server database name. */
  readonly location: string;
  /** Closes the database and deletes it (file and folder, or the SQL Server database). */
  cleanup(): Promise<void>;
}

let migratedTemplate: string | undefined;

// Migrating takes tens of milliseconds; copying a migrated file made once per test process is near free.
async function templateFile(): Promise<string> {
  if (migratedTemplate) return migratedTemplate;
  const dir = mkdtempSync(path.join(tmpdir(), 'ustad-db-template-'));
  const file = path.join(dir, 'template.db');
  const handle = createDatabase({ kind: 'sqlite', path: file });
  try {
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  migratedTemplate = file;
  return file;
}

/**
 * A migrated SQLite database in a new temporary file, as the app would open it. Call `cleanup()` when done
 * (`afterAll`/`afterEach`). `{ empty: true }` gives an empty file instead, for tests of migrating itself.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ustad-db-'));
  const file = path.join(dir, 'inbox.db');
  if (!options.empty) copyFileSync(await templateFile(), file);
  const handle = createDatabase({ kind: 'sqlite', path: file });
  return {
    ...handle,
    location: file,
    async cleanup() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An empty SQL Server database made for one test run on the server `connectionString` points at (the
 * login needs CREATE DATABASE), not yet migrated; `cleanup()` drops it.
 */
export async function createEmptyMssqlDatabase(connectionString: string): Promise<TestDatabase> {
  const name = `ustad_test_${newId().replaceAll('-', '').slice(0, 20)}`;
  const admin = createDatabase({ kind: 'mssql', connectionString });
  try {
    await sql.raw(`CREATE DATABASE [${name}]`).execute(admin.db);
  } finally {
    await admin.close();
  }
  const handle = createDatabase({ kind: 'mssql', connectionString, database: name });
  return {
    ...handle,
    location: name,
    async cleanup() {
      await handle.close();
      const dropper = createDatabase({ kind: 'mssql', connectionString });
      try {
        await sql.raw(`ALTER DATABASE [${name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [${name}]`).execute(dropper.db);
      } finally {
        await dropper.close();
      }
    },
  };
}

/** A migrated SQL Server test database (see {@link createEmptyMssqlDatabase}), for suites looped over dialects. */
export async function createMigratedMssqlDatabase(connectionString: string): Promise<TestDatabase> {
  const database = await createEmptyMssqlDatabase(connectionString);
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.cleanup();
    throw error;
  }
  return database;
}
