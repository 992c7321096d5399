// Makes committed SQLite transactions durable without blocking the event loop: a coalesced fdatasync of the WAL.
import { open, type FileHandle } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Database } from './tables';

/**
 * SQLite runs WAL with `synchronous=NORMAL`: a commit is atomic and survives a crash of the process, but reaches the
 * disk only at the next checkpoint. `synchronous=FULL` would fsync inside every commit, and better-sqlite3 is
 * synchronous, so each commit stalled the whole process 0.4–5 ms (at 200 webhooks/s a fifth of the event loop).
 * Instead, the few places whose acknowledgement must survive a power cut (the webhook's 200 to Meta, a send's claim
 * before Meta is called) await this: one fdatasync of the WAL on libuv's thread pool, shared by every commit made
 * before it started. SQL Server's commits are durable by themselves; there it resolves at once.
 */
export interface WalFlusher {
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function walFlusher(databasePath: string): WalFlusher {
  let handle: Promise<FileHandle | undefined> | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const sync = async () => {
    // The WAL exists from the first write on and is kept (not deleted) while this connection is open; none yet,
    // nothing to flush. Opened for writing too: Windows flushes only handles that may write.
    handle ??= open(`${databasePath}-wal`, 'r+').catch((error: NodeJS.ErrnoException) => {
      handle = undefined;
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    await (await handle)?.datasync();
  };
  const flush = (): Promise<void> => {
    if (!running) {
      running = sync().finally(() => (running = undefined));
      return running;
    }
    // A flush is under way but may have started before this caller's commit: the next one covers it.
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return flush();
      });
    return next;
  };
  return {
    flush,
    async close() {
      const opened = handle;
      handle = undefined;
      await (await opened?.catch(() => undefined))?.close();
    },
  };
}

const flushers = new WeakMap<object, WalFlusher>();

/** Registers the flusher of a SQLite-backed Kysely instance (src/db/database.ts). */
export function registerWalFlusher(db: Kysely<Database>, flusher: WalFlusher): void {
  flushers.set(db, flusher);
}

/** Resolves once everything committed through `db` so far is on disk (see {@link WalFlusher}). */
export function flushCommits(db: Kysely<Database>): Promise<void> {
  return flushers.get(db)?.flush() ?? Promise.resolve();
}
