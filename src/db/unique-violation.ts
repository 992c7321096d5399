// Recognises "that key already exists" from either database, so idempotent inserts can treat it as "already have it".

// SQL Server error numbers: tedious puts them in `number`, mssql in `originalError.info.number`; Kysely's
// driver hands over an array when tedious reports several errors (AggregateError) for one statement.
export function sqlServerErrorNumbers(error: unknown): number[] {
  const errors: unknown[] = Array.isArray(error) ? error : error instanceof AggregateError ? error.errors : [error];
  return errors.flatMap((e) => {
    if (typeof e !== 'object' || e === null) return [];
    const { number, originalError } = e as { number?: unknown; originalError?: unknown };
    const info = (originalError as { info?: { number?: unknown } } | undefined)?.info;
    return [number, info?.number].filter((n): n is number => typeof n === 'number');
  });
}

/**
 * True for a unique-key or primary-key violation: SQLite `SQLITE_CONSTRAINT_UNIQUE` / `_PRIMARYKEY`
 * (better-sqlite3 puts the extended code in `code`), SQL Server errors 2627 and 2601. In a transaction only
 * the failed statement is undone, on both dialects, so the transaction can carry on.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    if (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  }
  return sqlServerErrorNumbers(error).some((n) => n === 2627 || n === 2601);
}
