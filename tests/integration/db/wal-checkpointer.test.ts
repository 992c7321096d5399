// The checkpoint thread: what the app commits reaches the database file itself (not only the write-ahead log) without
// the app's connection checkpointing. Runs the compiled module, as the app does: a worker thread cannot load TypeScript.
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type * as DatabaseModule from '../../../src/db/database';
import type * as CheckpointerModule from '../../../src/db/wal-checkpointer';

const distDb = path.resolve(__dirname, '../../../dist/src/db');
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(distDb, file)).href)) as T;

/** The page count written in the database file's own header (bytes 28–31): it changes only when pages are copied in. */
function pagesInFile(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(100);
    return readSync(fd, header, 0, 100, 0) < 100 ? 0 : header.readUInt32BE(28);
  } finally {
    closeSync(fd);
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wal-checkpointer-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('WAL checkpoint thread', () => {
  it('copies committed pages into the database file while the writer never checkpoints, and stops when told', async () => {
    const { startWalCheckpointer } = await load<typeof CheckpointerModule>('wal-checkpointer.js');
    const file = path.join(dir, 'app.db');
    const writer = new BetterSqlite3(file);
    try {
      writer.pragma('journal_mode = WAL');
      writer.pragma('wal_autocheckpoint = 0');
      writer.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
      const insert = writer.prepare('INSERT INTO notes (body) VALUES (?)');
      const writeSome = writer.transaction((count: number) => {
        for (let i = 0; i < count; i++) insert.run('x'.repeat(500));
      });
      writeSome(400);
      const pages = () => Number(writer.pragma('page_count', { simple: true }));
      // Without a checkpoint everything is still in the log.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(pagesInFile(file)).toBeLessThan(pages());

      const checkpointer = startWalCheckpointer(file, 20);
      expect(checkpointer).toBeDefined();
      expect(await until(() => pagesInFile(file) === pages(), 3_000)).toBe(true);
      writeSome(400);
      expect(await until(() => pagesInFile(file) === pages(), 3_000)).toBe(true);

      await checkpointer?.stop();
      writeSome(400);
      const copiedBefore = pagesInFile(file);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(pagesInFile(file)).toBe(copiedBefore);
      expect(copiedBefore).toBeLessThan(pages());
    } finally {
      writer.close();
    }
  });

  it('is how the app opens SQLite: its own connection checkpoints only as a backstop, and close stops the thread', async () => {
    const { createDatabase } = await load<typeof DatabaseModule>('database.js');
    const file = path.join(dir, 'inbox.db');
    const handle = createDatabase({ kind: 'sqlite', path: file }, { checkpointOnThread: true });
    await sql`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`.execute(handle.db);
    const threshold = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(handle.db);
    expect(threshold.rows[0]?.wal_autocheckpoint).toBe(4_000);
    for (let i = 0; i < 50; i++) await sql`INSERT INTO notes (body) VALUES (${'y'.repeat(2_000)})`.execute(handle.db);
    const pageCount = await sql<{ page_count: number }>`PRAGMA page_count`.execute(handle.db);
    // 50 commits are far below the backstop: only the thread can have put these pages into the file.
    expect(await until(() => pagesInFile(file) === pageCount.rows[0]?.page_count, 3_000)).toBe(true);
    await handle.close();
    // The app's connection closed last, so SQLite removed the log; every row is in the file.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reader = new BetterSqlite3(file, { readonly: true });
    try {
      expect(reader.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 50 });
    } finally {
      reader.close();
    }
  });

  it('defaults elsewhere: scripts and tests keep SQLite’s own threshold', async () => {
    const { createDatabase } = await load<typeof DatabaseModule>('database.js');
    const handle = createDatabase({ kind: 'sqlite', path: path.join(dir, 'script.db') });
    try {
      const threshold = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(handle.db);
      expect(threshold.rows[0]?.wal_autocheckpoint).toBe(1_000);
    } finally {
      await handle.close();
    }
  });
});
