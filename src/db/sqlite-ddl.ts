// SQLite DDL rendered from the schema definition, run by the migrations on the embedded database.
import {
  foreignKeyName,
  indexColumnName,
  indexName,
  primaryKeyName,
  type ColumnDefinition,
  type DdlStatement,
  type DefaultValue,
  type SchemaDefinition,
} from './schema-definition';

/** The SQLite storage class of a column (tables are STRICT, so SQLite enforces it). */
export function sqliteType(column: ColumnDefinition): 'TEXT' | 'INTEGER' {
  return column.type === 'int' || column.type === 'bool' ? 'INTEGER' : 'TEXT';
}

function literal(value: DefaultValue): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const isoGlob = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z';

// SQL Server refuses what its types cannot hold; these checks make SQLite refuse the same, so a value
// that would fail in production fails in the tests too. length() counts characters where nvarchar
// counts UTF-16 units, so only text with characters outside the BMP (emoji) is held more loosely here.
function checks(columnName: string, column: ColumnDefinition): string {
  const q = quote(columnName);
  if (column.type === 'bool') return ` CHECK (${q} IN (0, 1))`;
  if (column.type === 'text') return ` CHECK (length(${q}) <= ${column.length ?? 1})`;
  if (column.type === 'id') return ` CHECK (length(${q}) <= 36)`;
  if (column.type === 'int') return ` CHECK (${q} BETWEEN -2147483648 AND 2147483647)`;
  // Only the one format keeps text times sortable and exact; anything else (datetime('now')) is refused.
  if (column.type === 'datetime') return ` CHECK (${q} GLOB '${isoGlob}')`;
  return '';
}

/** CREATE TABLE / CREATE INDEX statements for an empty database, in dependency order. */
export function sqliteStatements(schema: SchemaDefinition): DdlStatement[] {
  const statements: DdlStatement[] = [];
  for (const [tableName, table] of Object.entries(schema)) {
    const lines = Object.entries(table.columns).map(([columnName, column]) => {
      const nullability = column.isNullable ? 'NULL' : 'NOT NULL';
      const defaultClause = column.hasDefault && column.defaultValue !== undefined ? ` DEFAULT ${literal(column.defaultValue)}` : '';
      return `${quote(columnName)} ${sqliteType(column)} ${nullability}${defaultClause}${checks(columnName, column)}`;
    });
    lines.push(`CONSTRAINT ${quote(primaryKeyName(tableName))} PRIMARY KEY (${table.primaryKey.map(quote).join(', ')})`);
    for (const fk of table.foreignKeys) {
      lines.push(
        `CONSTRAINT ${quote(foreignKeyName(tableName, fk))} FOREIGN KEY (${quote(fk.column)}) REFERENCES ${quote(fk.references.table)} (${quote(fk.references.column)})`,
      );
    }
    statements.push({ kind: 'table', table: tableName, name: tableName, sql: `CREATE TABLE ${quote(tableName)} (\n  ${lines.join(',\n  ')}\n) STRICT;` });
    for (const index of table.indexes) {
      const name = indexName(tableName, index);
      const columns = index.columns.map((c) => `${quote(indexColumnName(c))}${typeof c === 'string' ? '' : ' DESC'}`).join(', ');
      const where = index.whereNotNull?.length ? ` WHERE ${index.whereNotNull.map((c) => `${quote(c)} IS NOT NULL`).join(' AND ')}` : '';
      statements.push({
        kind: 'index',
        table: tableName,
        name,
        sql: `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quote(name)} ON ${quote(tableName)} (${columns})${where};`,
      });
    }
  }
  return statements;
}
