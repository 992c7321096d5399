// The one dialect difference of plain paging: SQL Server says TOP, SQLite says LIMIT.
import type { SelectQueryBuilder } from 'kysely';

/** The query limited to its first `count` rows in the dialect's own words. */
export function firstRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, dialect: 'sqlite' | 'mssql', count: number): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'mssql' ? query.top(count) : query.limit(count);
}
