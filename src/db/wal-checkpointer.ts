// Copies committed pages from SQLite's write-ahead log into the database file on a thread of its own.
//
// Without it the thread that commits does that copying itself (SQLite's automatic checkpoint, every 1,000 pages of
// log): reads from the log, writes into the file and the file's fsync, inside a commit of the app's only thread. In
// `npm run bench:webhook` (about 40,000 webhooks) 139–151 commits took over 5 ms that way; with this thread (then
// passing every 50 ms), 19–43.
// A checkpoint on another connection runs beside the writer (WAL allows one checkpointer next to one writer and any
// readers), so the app's thread only appends to the log. The app's connection keeps a higher automatic threshold as a
// backstop: the log restarts from its beginning only at a write that finds it fully copied, which this thread cannot
// arrange while a transaction is open, and if this thread falls behind or dies the app still bounds the log itself.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { canLoadInWorker } from '../shared/worker-module';

/** Pages of log at which the app's own connection checkpoints (SQLite's default is 1,000; 4,000 × 4 KiB ≈ 16 MiB). */
export const BACKSTOP_CHECKPOINT_PAGES = 4_000;

/**
 * How often the thread copies what was committed since its last pass. A pass ends with an fsync of the database file,
 * on the same disk as the app's commit fsyncs, so fewer, larger passes disturb the commits less. In alternating
 * `bench:webhook` runs, every 250 ms instead of every 50 ms brought the 1-message p99 at 1,000/s under 100 ms in 9 of
 * 9 runs instead of 5 of 9. About 1,400 log frames arrive between two passes at 1,000 webhooks/s, well under the
 * backstop.
 */
const DEFAULT_INTERVAL_MS = 250;

/** A running checkpoint thread. */
export interface WalCheckpointer {
  /** Stops the thread after its current pass and closes its connection. */
  stop(): Promise<void>;
}

interface CheckpointerData {
  readonly walCheckpointerFile: string;
  readonly intervalMs: number;
}

type Command = { readonly type: 'stop' };

/**
 * True when a Worker can load this module (compiled JavaScript). The tests run TypeScript sources in-process: there the
 * app's connection keeps SQLite's own automatic checkpoint, as it would without this module.
 */
export const canCheckpointOnThread = canLoadInWorker(__filename);

/** Starts checkpointing `filePath` (an existing SQLite database in WAL mode) on a worker thread. */
export function startWalCheckpointer(filePath: string, intervalMs: number = DEFAULT_INTERVAL_MS): WalCheckpointer {
  if (!canCheckpointOnThread) throw new Error('The SQLite checkpoint thread runs from compiled JavaScript only.');
  const worker = new Worker(__filename, { workerData: { walCheckpointerFile: filePath, intervalMs } satisfies CheckpointerData });
  // A checkpoint thread must never keep a finished process alive.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => console.error(`SQLite checkpoint thread for ${filePath} failed; the app's connection checkpoints instead:`, error));
  return {
    stop: async () => {
      worker.postMessage({ type: 'stop' } satisfies Command);
      await exited;
    },
  };
}

function checkpointOnThisThread(port: NonNullable<typeof parentPort>, data: CheckpointerData): void {
  const db = new BetterSqlite3(data.walCheckpointerFile, { fileMustExist: true });
  // PASSIVE never waits for the writer or readers: it copies what no reader still needs and returns.
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  let reported = false;
  const timer = setInterval(() => {
    try {
      checkpoint.run();
    } catch (error) {
      // Nothing is lost when a pass fails (the log keeps every commit, and the app's connection checkpoints at the backstop).
      if (!reported) console.error(`SQLite checkpoint of ${data.walCheckpointerFile} failed; retrying every ${data.intervalMs} ms:`, error);
      reported = true;
    }
  }, data.intervalMs);
  port.on('message', (command: Command) => {
    if (command.type !== 'stop') return;
    clearInterval(timer);
    db.close();
    port.close();
  });
}

if (!isMainThread && parentPort && typeof (workerData as Partial<CheckpointerData> | undefined)?.walCheckpointerFile === 'string') {
  checkpointOnThisThread(parentPort, workerData as CheckpointerData);
}
