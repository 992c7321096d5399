// The shape of a migration: DDL for each dialect, so the same statements can run in the app and be written to sql/.
import type { Dialect } from '../database';
import type { DdlStatement } from '../schema-definition';

/** One forward-only schema change. Its SQL Server statements are also what sql/<name>.sql runs, guarded. */
export interface SchemaMigration {
  /** Sorted by name: `NNN-what-it-does`. */
  readonly name: string;
  statements(dialect: Dialect): readonly DdlStatement[];
}
