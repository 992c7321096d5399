// The embedded SQLite database: how values are stored and converted, its settings, and waiting for another process's write lock.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirm } from '../../../src/db/firms.queries';
import { MigrationError, migrateToLatest } from '../../../src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

const now = new Date('2026-02-03T04:05:06.007Z');

describe('SQLite database', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await ensureFirm(database.db, { firmId: 1, displayName: 'Bir', phoneNumberId: 'pn-1', now });
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it('runs with WAL, full sync, foreign keys, temporary files in memory and a busy timeout', async () => {
    const pragma = async (name: string) => (await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(database.db)).rows[0];
    expect(await pragma('journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await pragma('synchronous')).toEqual({ synchronous: 2 });
    expect(await pragma('foreign_keys')).toEqual({ foreign_keys: 1 });
    expect(await pragma('temp_store')).toEqual({ temp_store: 2 });
    expect(await pragma('busy_timeout')).toEqual({ timeout: 5000 });
    expect(existsSync(database.location)).toBe(true);
  });

  it('stores times as fixed-width ISO-8601 UTC text and booleans as 0/1, and refuses anything else', async () => {
    const raw = await sql<{ at: string; active: number }>`select typeof(CreatedAt) || ':' || CreatedAt as at, IsActive + 0 as active from WhatsApp_PhoneNumbers`.execute(database.db);
    expect(raw.rows).toEqual([{ at: 'text:2026-02-03T04:05:06.007Z', active: 1 }]);
    await expect(sql`insert into WhatsApp_FirmSettings (FirmId, DisplayName, CreatedAt, UpdatedAt) values (2, 'x', datetime('now'), datetime('now'))`.execute(database.db)).rejects.toThrow(/CHECK constraint/);
    await expect(sql`update WhatsApp_PhoneNumbers set IsActive = 2`.execute(database.db)).rejects.toThrow(/CHECK constraint/);
  });

  it('converts by source column, through aliases and joins, and computed columns named like a time column', async () => {
    const joined = await database.db
      .selectFrom('WhatsApp_PhoneNumbers as p')
      .innerJoin('WhatsApp_FirmSettings as f', 'f.FirmId', 'p.FirmId')
      .select(['p.CreatedAt as numberSince', 'f.UpdatedAt as firmChanged', 'p.IsActive as live'])
      .executeTakeFirstOrThrow();
    expect(joined).toEqual({ numberSince: now, firmChanged: now, live: true });
    const computed = await sql<{ UpdatedAt: unknown; other: unknown }>`select max(UpdatedAt) as UpdatedAt, max(UpdatedAt) as other from WhatsApp_PhoneNumbers`.execute(database.db);
    expect(computed.rows).toEqual([{ UpdatedAt: now, other: '2026-02-03T04:05:06.007Z' }]);
  });

  it('waits for another process that holds the write lock instead of failing', async () => {
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.pragma('busy_timeout = 5000');
         db.exec('begin immediate'); db.prepare("update WhatsApp_FirmSettings set DisplayName = 'held' where FirmId = 1").run();
         process.stdout.write('locked\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600);
         process.stdout.write('committing ' + Date.now() + '\\n'); db.exec('commit'); db.close();`,
        database.location,
      ],
      { cwd: path.resolve(__dirname, '../../..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    holder.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => holder.once('exit', resolve));
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    await database.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('WhatsApp_FirmSettings').select('DisplayName').where('FirmId', '=', 1).executeTakeFirstOrThrow();
      await trx.updateTable('WhatsApp_FirmSettings').set({ DisplayName: `${before.DisplayName} then mine` }).where('FirmId', '=', 1).execute();
    });
    const finished = Date.now();
    expect(await exited).toBe(0);
    // Ours ended after the holder let go (not a time measured from when we heard "locked", which a busy machine delays).
    const committing = Number(/committing (\d+)/.exec(output)?.[1]);
    expect(finished).toBeGreaterThanOrEqual(committing);
    const after = await database.db.selectFrom('WhatsApp_FirmSettings').select('DisplayName').where('FirmId', '=', 1).executeTakeFirstOrThrow();
    expect(after.DisplayName).toBe('held then mine');
  });

  it('names a failing migration and leaves nothing of it behind', async () => {
    const empty = await createTestDatabase({ empty: true });
    try {
      await sql`create table WhatsApp_Templates (Id text)`.execute(empty.db);
      const error = await migrateToLatest(empty.db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migrationName).toBe('001-initial-schema');
      expect((error as Error).message).toMatch(/^Database migration 001-initial-schema failed: .*WhatsApp_Templates.* already exists/);
      const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name like 'WhatsApp_%' order by name`.execute(empty.db);
      expect(tables.rows.map((r) => r.name)).toEqual(['WhatsApp_SchemaMigrationLock', 'WhatsApp_SchemaMigrations', 'WhatsApp_Templates']);
    } finally {
      await empty.cleanup();
    }
  });
});
