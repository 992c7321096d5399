// The embedded SQLite database as Kysely's SqliteDialect sees it: better-sqlite3 plus the one place where SQLite values become app values.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import type { SchemaDefinition } from './schema-definition';

type Kind = 'datetime' | 'bool';
type Convert = (value: unknown, column: string) => unknown;

const isoUtcMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A Date as SQLite keeps it: `YYYY-MM-DDTHH:mm:ss.sssZ`, fixed width, so text order is time order.
 * Years outside 0001–9999 are refused, as SQL Server's datetime2 refuses them.
 */
export function toStoredTime(value: Date): string {
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw new RangeError('An invalid Date cannot be stored');
  const year = value.getUTCFullYear();
  if (year < 1 || year > 9999) throw new RangeError(`The time ${value.toISOString()} is outside the years 0001–9999 the database holds`);
  return value.toISOString();
}

const toDate: Convert = (value, column) => {
  if (value === null) return null;
  if (typeof value === 'string' && isoUtcMillis.test(value)) return new Date(value);
  throw new Error(`${column} holds ${JSON.stringify(value)}, not a UTC time as the app writes it`);
};

const toBoolean: Convert = (value, column) => {
  if (value === null) return null;
  if (value === 1) return true;
  if (value === 0) return false;
  throw new Error(`${column} holds ${JSON.stringify(value)}, not 0 or 1`);
};

const converters: Record<Kind, Convert> = { datetime: toDate, bool: toBoolean };

function toParameter(value: unknown): unknown {
  if (value instanceof Date) return toStoredTime(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

interface ValueKinds {
  /** `table.column` → kind, for result columns that come straight from a table column. */
  readonly byOrigin: ReadonlyMap<string, Kind>;
  /** Column name → kind, for computed result columns named like a column that has one kind in every table. */
  readonly byName: ReadonlyMap<string, Kind>;
}

function valueKinds(schema: SchemaDefinition): ValueKinds {
  const byOrigin = new Map<string, Kind>();
  const namesSeen = new Map<string, Kind | 'mixed'>();
  for (const [tableName, table] of Object.entries(schema)) {
    for (const [columnName, column] of Object.entries(table.columns)) {
      const kind = column.type === 'datetime' || column.type === 'bool' ? column.type : undefined;
      if (kind) byOrigin.set(`${tableName}.${columnName}`, kind);
      const before = namesSeen.get(columnName);
      namesSeen.set(columnName, before === undefined || before === kind ? (kind ?? 'mixed') : 'mixed');
    }
  }
  const byName = new Map<string, Kind>();
  for (const [name, kind] of namesSeen) if (kind !== 'mixed') byName.set(name, kind);
  return { byOrigin, byName };
}

type RowPlan = readonly { readonly name: string; readonly label: string; readonly convert: Convert }[];

function rowPlan(statement: BetterSqlite3.Statement, kinds: ValueKinds): RowPlan {
  const plan: { name: string; label: string; convert: Convert }[] = [];
  for (const column of statement.columns()) {
    const kind =
      column.table !== null && column.column !== null
        ? kinds.byOrigin.get(`${column.table}.${column.column}`)
        : kinds.byName.get(column.name);
    if (kind) plan.push({ name: column.name, label: column.table ? `${column.table}.${column.column}` : column.name, convert: converters[kind] });
  }
  return plan;
}

function convertRow(row: unknown, plan: RowPlan): unknown {
  const record = row as Record<string, unknown>;
  for (const { name, label, convert } of plan) record[name] = convert(record[name], label);
  return record;
}

interface Prepared {
  readonly statement: BetterSqlite3.Statement;
  readonly plan: RowPlan;
}

const statementCacheSize = 500;

/** Options for the embedded database. */
export interface SqliteOptions {
  /** How long a writer waits for another process's write lock before SQLITE_BUSY (default 5,000 ms). */
  readonly busyTimeoutMs?: number;
  /** Pages of log at which this connection checkpoints by itself (SQLite's default 1,000); higher when another thread checkpoints. */
  readonly autoCheckpointPages?: number;
}

/**
 * Opens (creating it and its folder if needed) a SQLite file for Kysely's SqliteDialect. Settings:
 * WAL (readers never block the writer), `synchronous=FULL` (a commit the app acknowledged survives a
 * power cut; one fsync per commit, 0.7–1.3 ms measured here), foreign keys enforced, temporary files in
 * memory, a busy timeout for other processes, planner statistics refreshed at open.
 *
 * Values cross here and nowhere else: parameters `Date` → ISO-8601 UTC text and `boolean` → 0/1;
 * result columns that come from a `datetime` or `bool` column of the schema → `Date` / `boolean`
 * (recognised by their source column, so aliases keep working). A computed column (max(), coalesce())
 * is converted only when it is named like a column that has that kind in every table.
 */
export function openSqliteDatabase(filePath: string, schema: SchemaDefinition, options: SqliteOptions = {}): SqliteDatabase {
  if (filePath !== ':memory:') mkdirSync(path.dirname(path.resolve(filePath)), { recursive: true });
  const raw = new BetterSqlite3(filePath);
  try {
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.pragma('foreign_keys = ON');
    // Statement journals and temporary sort space stay in memory. In files, strace counted about 3,900 writes a second
    // to them on the app's thread during bench:webhook's 1,000 messages/s phase (journals past 64 KiB spill to a file).
    raw.pragma('temp_store = MEMORY');
    raw.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    if (options.autoCheckpointPages !== undefined) raw.pragma(`wal_autocheckpoint = ${Math.trunc(options.autoCheckpointPages)}`);
    // Statistics for the query planner, refreshed where missing or stale (SQLite's advice for a long-lived connection;
    // bounded work). Queries on hot paths do not depend on them (see firm-column-value.ts), others plan better with them.
    raw.pragma('optimize = 0x10002');
  } catch (error) {
    raw.close();
    throw error;
  }
  const kinds = valueKinds(schema);
  // Kysely prepares every query anew; reusing statements saves the parse on hot paths (webhook ingest).
  // Safe because Kysely serialises use of its single SQLite connection, streams included.
  const cache = new Map<string, Prepared>();

  function prepare(sqlText: string): Prepared {
    const cached = cache.get(sqlText);
    if (cached) {
      cache.delete(sqlText);
      cache.set(sqlText, cached);
      return cached;
    }
    // Kysely opens transactions with a plain `begin`, which takes the write lock only at the first write;
    // another process holding it then fails the upgrade at once instead of waiting out the busy timeout.
    const statement = raw.prepare(sqlText === 'begin' ? 'begin immediate' : sqlText);
    const prepared = { statement, plan: statement.reader ? rowPlan(statement, kinds) : [] };
    cache.set(sqlText, prepared);
    if (cache.size > statementCacheSize) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    return prepared;
  }

  return {
    close: () => raw.close(),
    prepare(sqlText: string): SqliteStatement {
      const { statement, plan } = prepare(sqlText);
      const bind = (parameters: ReadonlyArray<unknown>) => parameters.map(toParameter);
      return {
        reader: statement.reader,
        all: (parameters) => {
          const rows = statement.all(bind(parameters));
          return plan.length === 0 ? rows : rows.map((row) => convertRow(row, plan));
        },
        run: (parameters) => statement.run(bind(parameters)),
        *iterate(parameters) {
          for (const row of statement.iterate(bind(parameters))) yield plan.length === 0 ? row : convertRow(row, plan);
        },
      };
    },
  };
}
