// Structural models of a schema, read three ways — from T-SQL text, from a migrated SQLite file, from a SQL Server catalog — so they can be compared.
import { sql, type Kysely } from 'kysely';

export interface ColumnModel {
  readonly name: string;
  /** In SQL Server terms, lower case: `nvarchar(36)`, `int`, `bit`, `datetime2(3)`, `nvarchar(max)`, `varchar(255)`. */
  readonly type: string;
  readonly nullable: boolean;
  /** The default as a plain literal (`1`, `'tr'`), or null. */
  readonly default: string | null;
}

export interface TableModel {
  readonly name: string;
  readonly columns: ColumnModel[];
  readonly primaryKey: string[];
  /** `Column->Table.Column`, sorted. */
  readonly foreignKeys: string[];
}

export interface IndexModel {
  readonly name: string;
  readonly table: string;
  readonly unique: boolean;
  /** `Column` or `Column DESC`, in key order. */
  readonly columns: string[];
  /** `A IS NOT NULL AND B IS NOT NULL`, or null. */
  readonly where: string | null;
}

export interface SchemaModel {
  readonly tables: TableModel[];
  readonly indexes: IndexModel[];
}

/** Parsed statements also say whether each was guarded (IF OBJECT_ID … / IF NOT EXISTS … naming the same object). */
export interface ParsedTsql extends SchemaModel {
  readonly unguarded: string[];
  readonly inserts: string[];
}

function normalizeDefault(expression: string | null): string | null {
  if (expression === null) return null;
  let value = expression.trim();
  while (value.startsWith('(') && value.endsWith(')')) value = value.slice(1, -1).trim();
  return value.replace(/^N'/, "'");
}

function normalizeWhere(expression: string | null): string | null {
  if (!expression) return null;
  let value = expression.replace(/[[\]"`]/g, '').replace(/\s+/g, ' ').trim();
  while (value.startsWith('(') && value.endsWith(')')) value = value.slice(1, -1).trim();
  return value
    .split(/ AND /i)
    .map((part) => part.replace(/\s+is\s+not\s+null$/i, ' IS NOT NULL'))
    .join(' AND ');
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let current = '';
  for (const ch of body) {
    if (ch === "'") inString = !inString;
    if (!inString && ch === '(') depth++;
    if (!inString && ch === ')') depth--;
    if (!inString && depth === 0 && ch === ',') {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

function balancedBody(text: string, openIndex: number): string {
  let depth = 0;
  let inString = false;
  for (let i = openIndex; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") inString = !inString;
    if (inString) continue;
    if (ch === '(') depth++;
    if (ch === ')' && --depth === 0) return text.slice(openIndex + 1, i);
  }
  throw new Error(`unbalanced parentheses after: ${text.slice(openIndex, openIndex + 80)}`);
}

const bracketList = (list: string): string[] => [...list.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1] ?? '');

/** Reads CREATE TABLE / CREATE INDEX statements (and their guards) from T-SQL, `GO`-separated or not. */
export function parseTsql(text: string): ParsedTsql {
  const withoutComments = text
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n');
  const tables: TableModel[] = [];
  const indexes: IndexModel[] = [];
  const unguarded: string[] = [];
  const inserts: string[] = [];
  // Statements end with ';' at the end of a line; each may be preceded by its guard.
  const statements = withoutComments.split(/;\s*$/m).map((s) => s.replace(/^\s*GO\s*$/gim, '').trim()).filter(Boolean);
  for (const statement of statements) {
    const table = /CREATE\s+TABLE\s+\[([^\]]+)\]\s*\(/i.exec(statement);
    if (table) {
      const name = table[1] ?? '';
      const guard = /^IF\s+OBJECT_ID\(N'([^']+)',\s*N'U'\)\s+IS\s+NULL\s+CREATE/i.exec(statement);
      if (guard?.[1] !== name) unguarded.push(name);
      const body = balancedBody(statement, table.index + table[0].length - 1);
      const columns: ColumnModel[] = [];
      const primaryKey: string[] = [];
      const foreignKeys: string[] = [];
      for (const part of splitTopLevel(body)) {
        const pk = /^CONSTRAINT\s+\[[^\]]+\]\s+PRIMARY\s+KEY(?:\s+(?:NON)?CLUSTERED)?\s*\(([^)]*)\)$/i.exec(part);
        const fk = /^CONSTRAINT\s+\[[^\]]+\]\s+FOREIGN\s+KEY\s*\(\[([^\]]+)\]\)\s*REFERENCES\s+\[([^\]]+)\]\s*\(\[([^\]]+)\]\)$/i.exec(part);
        const column = /^\[([^\]]+)\]\s+([a-z0-9_]+(?:\s*\([^)]*\))?)(.*)$/is.exec(part);
        if (pk) primaryKey.push(...bracketList(pk[1] ?? ''));
        else if (fk) foreignKeys.push(`${fk[1]}->${fk[2]}.${fk[3]}`);
        else if (column) {
          const rest = column[3] ?? '';
          const defaultMatch = /\bDEFAULT\s+(\(.*\)|[^\s,]+)/is.exec(rest);
          columns.push({
            name: column[1] ?? '',
            type: (column[2] ?? '').replace(/\s+/g, '').toLowerCase(),
            nullable: !/\bNOT\s+NULL\b/i.test(rest),
            default: normalizeDefault(defaultMatch?.[1] ?? null),
          });
          if (/\bPRIMARY\s+KEY\b/i.test(rest)) primaryKey.push(column[1] ?? '');
        } else throw new Error(`unrecognised part of CREATE TABLE ${name}: ${part}`);
      }
      // Every script guards the migrator's bookkeeping tables; on a server only the first CREATE of a name runs.
      if (!tables.some((t) => t.name === name)) tables.push({ name, columns, primaryKey, foreignKeys: foreignKeys.sort() });
      continue;
    }
    const index = /CREATE\s+(UNIQUE\s+)?(?:(?:NON)?CLUSTERED\s+)?INDEX\s+\[([^\]]+)\]\s+ON\s+\[([^\]]+)\]\s*\(([^)]*)\)\s*(?:WHERE\s+([\s\S]*))?$/i.exec(statement);
    if (index) {
      const name = index[2] ?? '';
      const tableName = index[3] ?? '';
      const guard = /^IF\s+NOT\s+EXISTS\s*\(SELECT\s+1\s+FROM\s+sys\.indexes\s+WHERE\s+name\s*=\s*N'([^']+)'\s+AND\s+object_id\s*=\s*OBJECT_ID\(N'([^']+)'/i.exec(statement);
      if (guard?.[1] !== name || guard[2] !== tableName) unguarded.push(name);
      indexes.push({
        name,
        table: tableName,
        unique: Boolean(index[1]),
        columns: (index[4] ?? '').split(',').map((c) => {
          const m = /\[([^\]]+)\]\s*(ASC|DESC)?/i.exec(c);
          return `${m?.[1] ?? c.trim()}${m?.[2]?.toUpperCase() === 'DESC' ? ' DESC' : ''}`;
        }),
        where: normalizeWhere(index[5] ?? null),
      });
      continue;
    }
    const insert = /INSERT\s+INTO\s+\[([^\]]+)\]\s*\(([^)]*)\)\s*VALUES\s*\('([^']*)'/i.exec(statement);
    if (insert) inserts.push(`${insert[1]}:${insert[3]}`);
  }
  return { tables, indexes, unguarded, inserts };
}

/**
 * Reads a SQLite database's schema and states it in SQL Server terms, using the CHECK constraints the
 * migrations put on each column: `length(x) <= n` → nvarchar(n), `x IN (0, 1)` → bit, `x BETWEEN …` → int,
 * `x GLOB <iso>` → datetime2(3), other TEXT → nvarchar(max). Other declared types pass through lower-cased.
 */
export async function sqliteSchemaModel<DB>(db: Kysely<DB>): Promise<SchemaModel> {
  const master = await sql<{ type: string; name: string; tbl_name: string; sql: string | null }>`
    select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%' order by rowid`.execute(db);
  const tables: TableModel[] = [];
  const indexes: IndexModel[] = [];
  // FTS5 tables (SQLite's full-text index, migration 002) and their shadow tables have no SQL Server counterpart.
  const virtual = master.rows.filter((r) => r.type === 'table' && /^CREATE VIRTUAL TABLE/i.test(r.sql ?? '')).map((r) => r.name);
  const isFullText = (name: string) => virtual.some((v) => name === v || name.startsWith(`${v}_`));
  for (const entry of master.rows.filter((r) => r.type === 'table' && !isFullText(r.name))) {
    const tableSql = entry.sql ?? '';
    const checkOf = (column: string): string | undefined => {
      const q = `"${column}"`;
      const escaped = q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const length = new RegExp(`CHECK \\(length\\(${escaped}\\) <= (\\d+)\\)`).exec(tableSql);
      if (length) return `nvarchar(${length[1]})`;
      if (new RegExp(`CHECK \\(${escaped} IN \\(0, 1\\)\\)`).test(tableSql)) return 'bit';
      if (new RegExp(`CHECK \\(${escaped} BETWEEN -2147483648 AND 2147483647\\)`).test(tableSql)) return 'int';
      if (new RegExp(`CHECK \\(${escaped} GLOB '`).test(tableSql)) return 'datetime2(3)';
      return undefined;
    };
    const info = await sql<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>`
      select name, type, "notnull", dflt_value, pk from pragma_table_xinfo(${entry.name}) order by cid`.execute(db);
    const columns = info.rows.map((c) => ({
      name: c.name,
      type: checkOf(c.name) ?? (c.type.toUpperCase() === 'TEXT' ? 'nvarchar(max)' : c.type.toLowerCase()),
      nullable: c.notnull === 0 && c.pk === 0,
      default: normalizeDefault(c.dflt_value),
    }));
    const primaryKey = info.rows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const fks = await sql<{ table: string; from: string; to: string }>`select "table", "from", "to" from pragma_foreign_key_list(${entry.name})`.execute(db);
    tables.push({ name: entry.name, columns, primaryKey, foreignKeys: fks.rows.map((f) => `${f.from}->${f.table}.${f.to}`).sort() });

    const list = await sql<{ name: string; unique: number; origin: string }>`select name, "unique", origin from pragma_index_list(${entry.name})`.execute(db);
    for (const index of list.rows.filter((i) => i.origin === 'c')) {
      const keys = await sql<{ seqno: number; name: string; desc: number; key: number }>`
        select seqno, name, "desc", "key" from pragma_index_xinfo(${index.name}) where "key" = 1 order by seqno`.execute(db);
      const indexSql = master.rows.find((r) => r.type === 'index' && r.name === index.name)?.sql ?? '';
      indexes.push({
        name: index.name,
        table: entry.name,
        unique: index.unique === 1,
        columns: keys.rows.map((k) => `${k.name}${k.desc ? ' DESC' : ''}`),
        where: normalizeWhere(/\)\s+WHERE\s+([\s\S]*?);?\s*$/i.exec(indexSql)?.[1] ?? null),
      });
    }
  }
  return { tables, indexes };
}

/** A SQL Server catalog as rows, every name and property that the schema fixes (system-made names left out). */
export async function mssqlCatalog<DB>(db: Kysely<DB>): Promise<unknown> {
  const columns = await sql`
    select t.name as tableName, c.column_id as ordinal, c.name as columnName, ty.name as typeName, c.max_length as maxLength,
           c.precision as precision, c.scale as scale, c.is_nullable as isNullable, dc.definition as defaultDefinition,
           case when dc.is_system_named = 1 then null else dc.name end as defaultName
    from sys.tables t
    join sys.columns c on c.object_id = t.object_id
    join sys.types ty on ty.user_type_id = c.user_type_id
    left join sys.default_constraints dc on dc.object_id = c.default_object_id
    order by t.name, c.column_id`.execute(db);
  const indexes = await sql`
    select t.name as tableName,
           case when i.is_primary_key = 1 and k.is_system_named = 1 then '(system-named primary key)' else i.name end as indexName,
           i.type_desc as typeDesc, i.is_unique as isUnique, i.is_primary_key as isPrimaryKey, i.filter_definition as filterDefinition,
           ic.key_ordinal as keyOrdinal, c.name as columnName, ic.is_descending_key as isDescending
    from sys.indexes i
    join sys.tables t on t.object_id = i.object_id
    left join sys.key_constraints k on k.parent_object_id = i.object_id and k.unique_index_id = i.index_id
    join sys.index_columns ic on ic.object_id = i.object_id and ic.index_id = i.index_id and ic.key_ordinal > 0
    join sys.columns c on c.object_id = ic.object_id and c.column_id = ic.column_id
    where i.type > 0
    order by t.name, indexName, ic.key_ordinal`.execute(db);
  const foreignKeys = await sql`
    select fk.name as name, tp.name as tableName, cp.name as columnName, tr.name as refTable, cr.name as refColumn,
           fk.delete_referential_action as onDelete, fk.update_referential_action as onUpdate
    from sys.foreign_keys fk
    join sys.foreign_key_columns fkc on fkc.constraint_object_id = fk.object_id
    join sys.tables tp on tp.object_id = fk.parent_object_id
    join sys.columns cp on cp.object_id = fkc.parent_object_id and cp.column_id = fkc.parent_column_id
    join sys.tables tr on tr.object_id = fk.referenced_object_id
    join sys.columns cr on cr.object_id = fkc.referenced_object_id and cr.column_id = fkc.referenced_column_id
    order by fk.name`.execute(db);
  return { columns: columns.rows, indexes: indexes.rows, foreignKeys: foreignKeys.rows };
}

/** The batches of a `GO`-separated script, as sqlcmd would send them. */
export function tsqlBatches(text: string): string[] {
  return text
    .split(/^\s*GO\s*$/im)
    .map((batch) => batch.trim())
    .filter((batch) => batch.replace(/--.*$/gm, '').trim() !== '');
}
