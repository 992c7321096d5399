// Group commit for webhook changes: changes that arrive together share one commit, each still all-or-nothing.
import type { Kysely } from 'kysely';
import { dialectOf } from '../db/database';
import type { Database } from '../db/tables';
import type { Clock } from '../shared/clock';
import { ingestInto, type IngestResult, type RoutedMessagesChange } from './ingest-messages-change';

/**
 * A commit waits for the disk to flush (SQLite `synchronous=FULL`: one fsync, measured 0.4–5 ms on this project's
 * machines; SQL Server: one log flush). One commit per change would cap ingest at a few hundred changes a second,
 * under Meta's 1,000 messages/s. So changes that arrive while a commit is running wait and are written together:
 * each change is still all-or-nothing (if one fails, the batch is written again with a savepoint per change, so only
 * that change is rolled back and only its caller sees the error), but the flush is shared. With nothing else waiting
 * a change commits alone, as before.
 */
const MAX_CHANGES_PER_COMMIT = 64;
/** Messages and statuses per shared commit: a batch of 1,000-message changes still commits every change or so. */
const MAX_ITEMS_PER_COMMIT = 1_000;
/** How long a commit waits for company; small beside the flush it saves. */
const LINGER_MS = 1;

interface Waiting {
  readonly change: RoutedMessagesChange;
  resolve(result: IngestResult): void;
  reject(error: unknown): void;
}

class ChangeWriter {
  private readonly waiting: Waiting[] = [];
  private draining = false;
  private readonly canRelease: boolean;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {
    // SQL Server has no RELEASE SAVEPOINT; its savepoints simply end with the transaction.
    this.canRelease = dialectOf(db) === 'sqlite';
  }

  write(change: RoutedMessagesChange): Promise<IngestResult> {
    return new Promise<IngestResult>((resolve, reject) => {
      this.waiting.push({ change, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        // Linger briefly (as Kafka producers do): requests that arrived during the last commit, which blocked the
        // thread (better-sqlite3 is synchronous), get to reach the queue and share this commit.
        await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
        await this.commit(this.waiting.splice(0, this.nextBatchSize()));
      }
    } finally {
      this.draining = false;
    }
  }

  /** Up to MAX_CHANGES_PER_COMMIT changes, fewer when they are large, so one transaction stays short. */
  private nextBatchSize(): number {
    let items = 0;
    let size = 0;
    for (const waiting of this.waiting) {
      items += waiting.change.messages.length + waiting.change.statuses.length;
      if (size > 0 && (size >= MAX_CHANGES_PER_COMMIT || items > MAX_ITEMS_PER_COMMIT)) break;
      size++;
    }
    return size;
  }

  private async commit(batch: Waiting[]): Promise<void> {
    const now = this.clock.now();
    if (batch.length === 1) {
      const [only] = batch as [Waiting];
      await this.db
        .transaction()
        .execute((trx) => ingestInto(trx, only.change, now))
        .then(only.resolve, only.reject);
      return;
    }
    // Changes almost never fail, so the batch first runs without savepoints (two statements fewer per change). If one
    // does fail, that transaction is rolled back and the batch is written again with a savepoint per change.
    const optimistic = await this.writeBatch(batch, now, false);
    const written = optimistic.kind === 'change failed' ? await this.writeBatch(batch, now, true) : optimistic;
    if (written.kind !== 'committed') {
      const error = written.kind === 'failed' ? written.error : new Error('change was not written');
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = written.outcomes[i];
      if (outcome?.ok) item.resolve(outcome.result);
      else item.reject(outcome?.error ?? new Error('change was not written'));
    });
  }

  /**
   * One transaction for the batch. With savepoints, a failing change is rolled back alone and the rest commit;
   * without, the first failure stops the batch, rolls everything back and is reported (nothing is committed).
   */
  private async writeBatch(batch: readonly Waiting[], now: Date, savepoints: boolean): Promise<BatchWrite> {
    const outcomes: Outcome[] = [];
    try {
      const trx = await this.db.startTransaction().execute();
      try {
        for (const item of batch) {
          if (!savepoints) {
            try {
              outcomes.push({ ok: true, result: await ingestInto(trx, item.change, now) });
              continue;
            } catch {
              await trx.rollback().execute().catch(() => undefined);
              return { kind: 'change failed' };
            }
          }
          const savepoint = await trx.savepoint('webhook_change').execute();
          try {
            outcomes.push({ ok: true, result: await ingestInto(savepoint, item.change, now) });
            if (this.canRelease) await savepoint.releaseSavepoint('webhook_change').execute();
          } catch (error) {
            await savepoint.rollbackToSavepoint('webhook_change').execute();
            if (this.canRelease) await savepoint.releaseSavepoint('webhook_change').execute();
            outcomes.push({ ok: false, error });
          }
        }
        await trx.commit().execute();
      } catch (error) {
        await trx.rollback().execute().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      return { kind: 'failed', error };
    }
    return { kind: 'committed', outcomes };
  }
}

type Outcome = { ok: true; result: IngestResult } | { ok: false; error: unknown };
/** A batch committed (each change's outcome in order), failed as a whole, or stopped at a change (nothing committed). */
type BatchWrite = { kind: 'committed'; outcomes: Outcome[] } | { kind: 'failed'; error: unknown } | { kind: 'change failed' };

const writers = new WeakMap<Kysely<Database>, ChangeWriter>();

/**
 * Stores one routed change (see {@link ingestInto}) through the database's group-commit writer. Resolves once the
 * change is committed; rejects with the change's own error (its savepoint rolled back) or the commit's error.
 */
export function writeMessagesChange(db: Kysely<Database>, clock: Clock, change: RoutedMessagesChange): Promise<IngestResult> {
  let writer = writers.get(db);
  if (!writer) {
    writer = new ChangeWriter(db, clock);
    writers.set(db, writer);
  }
  return writer.write(change);
}
