// The vocabulary the schema is written in: logical column types, tables, keys and indexes, and the Kysely row types they imply.
import type { Generated } from 'kysely';

/**
 * Logical column types. Each maps to one SQL Server type and one SQLite storage class
 * (see `tsql-ddl.ts` and `sqlite-ddl.ts`); the app sees the TypeScript type in {@link ValueOf}.
 * - `id`: a UUIDv7 string from `newId()` (36 characters).
 * - `text`: a string of at most `length` UTF-16 code units (JavaScript's `.length`), as `nvarchar(n)` counts them.
 * - `longtext` / `json`: strings without a length limit; `json` holds JSON text the query modules parse.
 * - `datetime`: a UTC instant to the millisecond, a `Date` in the app.
 * - `bool`: a `boolean` in the app.
 */
export type LogicalType = 'id' | 'int' | 'bool' | 'text' | 'longtext' | 'datetime' | 'json';

/** The TypeScript value of a logical type. */
export type ValueOf<T extends LogicalType> = T extends 'int'
  ? number
  : T extends 'bool'
    ? boolean
    : T extends 'datetime'
      ? Date
      : string;

/** A constant a column may default to; times and ids are always written by the app. */
export type DefaultValue = number | boolean | string;

/** One column. `N` (nullable) and `D` (has a default) are carried in the type so row types can be derived. */
export interface ColumnDefinition<T extends LogicalType = LogicalType, N extends boolean = boolean, D extends boolean = boolean> {
  readonly type: T;
  /** Maximum length, for `text` only. */
  readonly length?: number;
  readonly isNullable: N;
  readonly hasDefault: D;
  readonly defaultValue?: DefaultValue;
}

/** A column under construction: `text(100).nullable()`, `bool().default(true)`. */
export interface ColumnBuilder<T extends LogicalType, N extends boolean, D extends boolean> extends ColumnDefinition<T, N, D> {
  nullable(): ColumnBuilder<T, true, D>;
  default(value: T extends 'int' ? number : T extends 'bool' ? boolean : T extends 'text' ? string : never): ColumnBuilder<T, N, true>;
}

function build<T extends LogicalType, N extends boolean, D extends boolean>(definition: ColumnDefinition<T, N, D>): ColumnBuilder<T, N, D> {
  return {
    ...definition,
    nullable: () => build({ ...definition, isNullable: true as const }),
    default: (value) => build({ ...definition, hasDefault: true as const, defaultValue: value }),
  };
}

function column<T extends LogicalType>(type: T, length?: number): ColumnBuilder<T, false, false> {
  return build(length === undefined ? { type, isNullable: false, hasDefault: false } : { type, length, isNullable: false, hasDefault: false });
}

/** Column constructors. Columns are NOT NULL without a default unless `.nullable()` / `.default(…)` say otherwise. */
export const col = {
  id: () => column('id'),
  int: () => column('int'),
  bool: () => column('bool'),
  text: (length: number) => column('text', length),
  longtext: () => column('longtext'),
  datetime: () => column('datetime'),
  json: () => column('json'),
};

/** An index column, ascending unless `desc`. */
export type IndexColumn = string | { readonly column: string; readonly desc: true };

export interface IndexDefinition {
  readonly columns: readonly IndexColumn[];
  readonly unique?: boolean;
  /**
   * Index only rows where these columns are not null: a filtered index on SQL Server, a partial
   * index on SQLite. A unique key on a nullable column needs this, because SQL Server's unique
   * indexes treat NULLs as equal and SQLite's do not.
   */
  readonly whereNotNull?: readonly string[];
  /** Defaults to `UX_<table>_<columns>` (unique) or `IX_<table>_<columns>`. */
  readonly name?: string;
}

/** A single-column foreign key; deletes and updates of the parent are refused while children exist. */
export interface ForeignKeyDefinition {
  readonly column: string;
  readonly references: { readonly table: string; readonly column: string };
}

export interface TableDefinition<C extends Record<string, ColumnDefinition> = Record<string, ColumnDefinition>> {
  readonly columns: C;
  // Plain strings here (defineTable checks the names): `keyof C` would make tables invariant in C.
  readonly primaryKey: readonly string[];
  readonly foreignKeys: readonly ForeignKeyDefinition[];
  readonly indexes: readonly IndexDefinition[];
}

/** A table; keys, foreign keys and indexes are checked against the columns by `checkSchema`. */
export function defineTable<C extends Record<string, ColumnDefinition>>(table: {
  columns: C;
  primaryKey: readonly (keyof C & string)[];
  foreignKeys?: readonly ForeignKeyDefinition[];
  indexes?: readonly IndexDefinition[];
}): TableDefinition<C> {
  return { columns: table.columns, primaryKey: table.primaryKey, foreignKeys: table.foreignKeys ?? [], indexes: table.indexes ?? [] };
}

export type SchemaDefinition = Readonly<Record<string, TableDefinition>>;

type ColumnValue<C> = C extends ColumnDefinition<infer T, infer N, infer D>
  ? D extends true
    ? Generated<ValueOf<T> | (N extends true ? null : never)>
    : ValueOf<T> | (N extends true ? null : never)
  : never;

/** The Kysely table interface of a table definition: columns with defaults may be left out of inserts. */
export type TableOf<T extends TableDefinition> = { [K in keyof T['columns']]: ColumnValue<T['columns'][K]> };

/** The Kysely database interface of a schema. */
export type DatabaseOf<S extends SchemaDefinition> = { -readonly [K in keyof S]: TableOf<S[K]> };

/** One DDL statement and the object it creates. */
export interface DdlStatement {
  /** `trigger` (SQLite only: the full-text index's upkeep, see migration 002). */
  readonly kind: 'table' | 'index' | 'trigger';
  readonly table: string;
  /** The table name for `table`, the index or trigger name otherwise. */
  readonly name: string;
  readonly sql: string;
}

/** The column name an index column refers to. */
export function indexColumnName(column: IndexColumn): string {
  return typeof column === 'string' ? column : column.column;
}

/** The name an index has in both dialects. */
export function indexName(tableName: string, index: IndexDefinition): string {
  return index.name ?? `${index.unique ? 'UX' : 'IX'}_${tableName}_${index.columns.map(indexColumnName).join('_')}`;
}

export const primaryKeyName = (tableName: string): string => `PK_${tableName}`;
export const foreignKeyName = (tableName: string, fk: ForeignKeyDefinition): string => `FK_${tableName}_${fk.column}`;
export const defaultConstraintName = (tableName: string, columnName: string): string => `DF_${tableName}_${columnName}`;

// SQL Server refuses a nonclustered index key longer than 1,700 bytes; nvarchar takes 2 bytes per unit.
function sqlServerKeyBytes(column: ColumnDefinition | undefined): number {
  switch (column?.type) {
    case 'id':
      return 72;
    case 'int':
      return 4;
    case 'bool':
      return 1;
    case 'datetime':
      return 7;
    case 'text':
      return 2 * (column.length ?? 0);
    default:
      return Number.POSITIVE_INFINITY;
  }
}

function isSingleColumnKey(table: TableDefinition, columnName: string): boolean {
  if (table.primaryKey.length === 1 && table.primaryKey[0] === columnName) return true;
  return table.indexes.some(
    (index) => index.unique === true && !index.whereNotNull?.length && index.columns.length === 1 && indexColumnName(index.columns[0] ?? '') === columnName,
  );
}

/**
 * Throws when the schema contradicts itself: unknown columns in keys or indexes, a foreign key to a
 * table defined later (tables are created in order) or to a column that is not a key of its table,
 * names or index keys SQL Server would refuse (128 characters, 1,700 bytes), a unique index over a nullable
 * column without `whereNotNull`, or a default on a type that cannot have one.
 */
export function checkSchema(schema: SchemaDefinition): void {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const [tableName, table] of Object.entries(schema)) {
    const has = (name: string) => Object.hasOwn(table.columns, name);
    for (const name of table.primaryKey) if (!has(name)) problems.push(`${tableName}: primary key column ${name} is not a column`);
    for (const fk of table.foreignKeys) {
      if (!has(fk.column)) problems.push(`${tableName}: foreign key column ${fk.column} is not a column`);
      const parent = schema[fk.references.table];
      if (!parent || !seen.has(fk.references.table)) problems.push(`${tableName}.${fk.column}: references ${fk.references.table}, which is not defined before it`);
      else if (!isSingleColumnKey(parent, fk.references.column)) {
        problems.push(`${tableName}.${fk.column}: references ${fk.references.table}.${fk.references.column}, which is neither that table's primary key nor an unfiltered unique index`);
      }
    }
    const names = new Set<string>();
    for (const index of table.indexes) {
      const name = indexName(tableName, index);
      if (names.has(name)) problems.push(`${tableName}: two indexes named ${name}`);
      names.add(name);
      if (name.length > 128) problems.push(`${tableName}: index name ${name} is longer than 128 characters`);
      for (const c of index.columns) if (!has(indexColumnName(c))) problems.push(`${name}: ${indexColumnName(c)} is not a column`);
      for (const c of index.whereNotNull ?? []) if (!has(c)) problems.push(`${name}: filter column ${c} is not a column`);
      const nullableKeys = index.columns.map(indexColumnName).filter((c) => table.columns[c]?.isNullable && !index.whereNotNull?.includes(c));
      if (index.unique && nullableKeys.length > 0) problems.push(`${name}: unique on nullable ${nullableKeys.join(', ')} needs whereNotNull (the dialects disagree about NULLs)`);
      const keyBytes = index.columns.reduce((sum, c) => sum + sqlServerKeyBytes(table.columns[indexColumnName(c)]), 0);
      if (keyBytes > 1700) problems.push(`${name}: key of up to ${keyBytes} bytes exceeds SQL Server's 1,700`);
    }
    for (const [columnName, column] of Object.entries(table.columns)) {
      if (column.type === 'text' && !(Number.isInteger(column.length) && (column.length ?? 0) >= 1 && (column.length ?? 0) <= 4000)) {
        problems.push(`${tableName}.${columnName}: text needs a length from 1 to 4000`);
      }
      if (column.hasDefault && !['int', 'bool', 'text'].includes(column.type)) problems.push(`${tableName}.${columnName}: only int, bool and text columns take a default`);
    }
    seen.add(tableName);
  }
  if (problems.length > 0) throw new Error(`The database schema definition is inconsistent:\n- ${problems.join('\n- ')}`);
}
