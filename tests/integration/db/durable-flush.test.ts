// The WAL flush that replaces synchronous=FULL: resolves with or without a WAL, shares flushes between concurrent
// callers, and a flushed commit is in the WAL file on disk (another connection reads it back).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../src/db/database';
import { flushCommits, walFlusher } from '../../../src/db/durable-flush';
import { ensureFirm } from '../../../src/db/firms.queries';
import { migrateToLatest } from '../../../src/db/migrate';

const dir = mkdtempSync(path.join(tmpdir(), 'ustad-flush-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('durable flush', () => {
  it('resolves when there is no WAL yet (nothing to flush)', async () => {
    const flusher = walFlusher(path.join(dir, 'never-written.db'));
    await expect(flusher.flush()).resolves.toBeUndefined();
    await flusher.close();
  });

  it('flushes committed transactions; concurrent callers all resolve; the rows are readable by another connection', async () => {
    const file = path.join(dir, 'inbox.db');
    const handle = createDatabase({ kind: 'sqlite', path: file });
    try {
      await migrateToLatest(handle.db);
      const now = new Date();
      await ensureFirm(handle.db, { firmId: 7, displayName: 'Flush', phoneNumberId: 'pn-flush', now });
      await Promise.all(Array.from({ length: 50 }, () => flushCommits(handle.db)));
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
      const other = new BetterSqlite3(file, { readonly: true });
      try {
        expect(other.prepare('select DisplayName from WhatsApp_FirmSettings where FirmId = 7').get()).toEqual({ DisplayName: 'Flush' });
      } finally {
        other.close();
      }
    } finally {
      await handle.close();
    }
  });
});
