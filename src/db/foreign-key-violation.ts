// Recognises a foreign key refusing a change, from either database.
import { sqlServerErrorNumbers } from './unique-violation';

/**
 * True when a foreign key refused an insert, update or delete: SQLite `SQLITE_CONSTRAINT_FOREIGNKEY`,
 * SQL Server error 547 ("conflicted with the FOREIGN KEY / REFERENCE constraint"; 547 also covers CHECK constraints).
 */
export function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return true;
  const errors: unknown[] = Array.isArray(error) ? error : [error];
  return errors.some((e) => sqlServerErrorNumbers(e).includes(547) && e instanceof Error && /FOREIGN KEY|REFERENCE constraint/i.test(e.message));
}
