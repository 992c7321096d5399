// sql/ (the T-SQL DBAs run) must create exactly what the migrations create: checked structurally, and on a real SQL Server when MSSQL_TEST_CONNECTION is set.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../../src/db/migrate';
import { migrationSqlFiles } from '../../../src/db/migration-sql-files';
import { schemaMigrations } from '../../../src/db/migrations/all-migrations';
import { migrationLockTableName, migrationTableName, schema } from '../../../src/db/schema';
import { createEmptyMssqlDatabase, createTestDatabase, type TestDatabase } from '../../support/test-database';
import { mssqlCatalog, parseTsql, sqliteSchemaModel, tsqlBatches, type SchemaModel } from './support/schema-models';

const sqlDirectory = path.resolve(__dirname, '../../../sql');
const committed = new Map(readdirSync(sqlDirectory).filter((f) => f.endsWith('.sql')).map((f) => [f, readFileSync(path.join(sqlDirectory, f), 'utf8')]));
const allCommittedSql = [...committed.keys()].sort().map((f) => committed.get(f) ?? '').join('\n');
const appTables = new Set(Object.keys(schema));
const onlyAppTables = (model: SchemaModel): SchemaModel => ({
  tables: model.tables.filter((t) => appTables.has(t.name)),
  indexes: model.indexes.filter((i) => appTables.has(i.table)),
});
const byName = <T extends { name: string }>(items: readonly T[]): T[] => [...items].sort((a, b) => a.name.localeCompare(b.name));
const comparable = (model: SchemaModel) => ({ tables: byName(model.tables), indexes: byName(model.indexes) });

describe('sql/ matches the migrations', () => {
  let migrated: TestDatabase;

  beforeAll(async () => {
    migrated = await createTestDatabase({ empty: true });
    await migrateToLatest(migrated.db);
  });
  afterAll(async () => {
    await migrated?.cleanup();
  });

  it('holds one script per migration, exactly as `npm run db:sql` writes it', () => {
    const expected = migrationSqlFiles();
    expect([...committed.keys()].sort()).toEqual(expected.map((f) => f.fileName).sort());
    for (const file of expected) {
      expect(committed.get(file.fileName), `sql/${file.fileName} differs from the migrations: run npm run db:sql`).toBe(file.text);
    }
  });

  it('creates the same tables, columns, keys and indexes as the migrations run on SQL Server', () => {
    const fromFiles = parseTsql(allCommittedSql);
    const fromMigrations = parseTsql(schemaMigrations.flatMap((m) => m.statements('mssql').map((s) => s.sql)).join('\n'));
    expect(fromMigrations.tables.length).toBe(appTables.size);
    expect(comparable(onlyAppTables(fromFiles))).toEqual(comparable(fromMigrations));
  });

  it('creates the same tables, columns, types, keys and indexes as the migrations build on SQLite', async () => {
    const fromFiles = parseTsql(allCommittedSql);
    const fromSqlite = await sqliteSchemaModel(migrated.db);
    expect(fromSqlite.tables.map((t) => t.name).sort()).toEqual([...appTables, migrationTableName, migrationLockTableName].sort());
    expect(comparable(fromFiles)).toEqual(comparable(fromSqlite));
  });

  it('guards every statement so a DBA can run it again, and records the migration for the app', () => {
    const parsed = parseTsql(allCommittedSql);
    expect(parsed.unguarded).toEqual([]);
    for (const migration of schemaMigrations) {
      const text = committed.get(`${migration.name}.sql`) ?? '';
      expect(parseTsql(text).inserts).toContain(`${migrationTableName}:${migration.name}`);
      expect(text).toMatch(/^SET QUOTED_IDENTIFIER ON;$/m);
    }
  });
});

const mssqlConnection = process.env.MSSQL_TEST_CONNECTION;

describe.skipIf(!mssqlConnection)('sql/ on a real SQL Server (MSSQL_TEST_CONNECTION)', () => {
  let fromScript: TestDatabase;
  let fromMigrations: TestDatabase;

  beforeAll(async () => {
    fromScript = await createEmptyMssqlDatabase(mssqlConnection ?? '');
    fromMigrations = await createEmptyMssqlDatabase(mssqlConnection ?? '');
  });
  afterAll(async () => {
    await fromScript?.cleanup();
    await fromMigrations?.cleanup();
  });

  const runScripts = (database: TestDatabase) =>
    database.db.connection().execute(async (connection) => {
      for (const name of [...committed.keys()].sort()) {
        for (const batch of tsqlBatches(committed.get(name) ?? '')) await sql.raw(batch).execute(connection);
      }
    });

  it('builds the same catalog from sql/ as from the migrations, runs twice, and leaves the migrator nothing to do', async () => {
    await runScripts(fromScript);
    await migrateToLatest(fromMigrations.db);
    expect(await mssqlCatalog(fromScript.db)).toEqual(await mssqlCatalog(fromMigrations.db));
    await runScripts(fromScript);
    expect(await migrateToLatest(fromScript.db)).toEqual([]);
    expect(await mssqlCatalog(fromScript.db)).toEqual(await mssqlCatalog(fromMigrations.db));
  });
});

if (!mssqlConnection) console.warn('sql/ was NOT run on SQL Server (set MSSQL_TEST_CONNECTION); it was compared structurally only.');
