// Opens the system of record: SQL Server (production) or an embedded SQLite file, behind one Kysely<Database>.
import { Kysely, MssqlAdapter, MssqlDialect, SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';
import * as tarn from 'tarn';
import * as tedious from 'tedious';
import { tediousConfigFromConnectionString } from './mssql-connection';
import { schema } from './schema';
import { openSqliteDatabase } from './sqlite-database';
import { BACKSTOP_CHECKPOINT_PAGES, canCheckpointOnThread, startWalCheckpointer } from './wal-checkpointer';
import type { Database } from './tables';

export type Dialect = 'sqlite' | 'mssql';

/** Where the data lives. `database` (SQL Server only) replaces the connection string's database. */
export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'mssql'; readonly connectionString: string; readonly database?: string };

/** An open database. `close()` ends the pool (SQL Server) or closes the file (SQLite). */
export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

// Kysely binds a JavaScript Date as tedious's DateTime: SQL Server's old datetime, which rounds to
// 1/300 s (…005 becomes …007). Binding it as datetime2 keeps the millisecond exactly; the columns are
// datetime2(3) and tedious reads them back as UTC Dates (useUTC), so no result conversion is needed.
const tediousWithExactTimes = { ...tedious, TYPES: { ...tedious.TYPES, DateTime: tedious.TYPES.DateTime2 } };

// SQLite runs DDL inside transactions, but Kysely's adapter says it does not, so its Migrator would leave
// a failed migration half-applied. Saying so makes the Migrator wrap the run (and its record) in one transaction.
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class AppSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** How a long-running process opens the database (the app); scripts and tests take the defaults. */
export interface DatabaseOptions {
  /** SQLite: copy the write-ahead log into the database file on a thread of its own (see wal-checkpointer.ts). */
  readonly checkpointOnThread?: boolean;
}

/**
 * Opens the database. Both dialects give the app the same values: times are `Date` (UTC, exact to the
 * millisecond: datetime2(3) on SQL Server, `YYYY-MM-DDTHH:mm:ss.sssZ` text on SQLite), booleans are
 * `boolean`, ids and JSON are strings. Nothing is created here: run `migrateToLatest` next. For SQL Server
 * the first query opens the connection, so a wrong password surfaces there (in the migration at start-up).
 */
export function createDatabase(target: DatabaseTarget, options: DatabaseOptions = {}): DatabaseHandle {
  if (target.kind === 'sqlite') {
    const checkpointOnThread = options.checkpointOnThread === true && target.path !== ':memory:' && canCheckpointOnThread;
    const sqlite = openSqliteDatabase(target.path, schema, checkpointOnThread ? { autoCheckpointPages: BACKSTOP_CHECKPOINT_PAGES } : {});
    const checkpointer = checkpointOnThread ? startWalCheckpointer(target.path) : undefined;
    const db = new Kysely<Database>({ dialect: new AppSqliteDialect({ database: sqlite }) });
    return {
      db,
      dialect: 'sqlite',
      close: async () => {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  const { config, pool } = tediousConfigFromConnectionString(target.connectionString, target.database);
  const db = new Kysely<Database>({
    dialect: new MssqlDialect({
      tarn: { ...tarn, options: { min: pool.min, max: pool.max } },
      tedious: { ...tediousWithExactTimes, connectionFactory: () => new tedious.Connection(config) },
    }),
  });
  return { db, dialect: 'mssql', close: () => db.destroy() };
}

/** The dialect behind a Kysely instance (migrations render different DDL for each). */
export function dialectOf<DB>(db: Kysely<DB>): Dialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof MssqlAdapter) return 'mssql';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error(`Unsupported database adapter ${adapter.constructor.name}`);
}
