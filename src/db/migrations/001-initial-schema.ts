// Migration 001: every table and index of the first release.
import { schema } from '../schema';
import { sqliteStatements } from '../sqlite-ddl';
import { tsqlStatements } from '../tsql-ddl';
import type { SchemaMigration } from './schema-migration';

/**
 * Creates the whole schema from src/db/schema.ts. Until the first production database exists this
 * migration may follow schema.ts; after that it is frozen: copy the definitions it used here and
 * express each later change as a new migration (the sql-matches test and a migrated database then
 * tell whether the pieces agree).
 */
export const initialSchema: SchemaMigration = {
  name: '001-initial-schema',
  statements: (dialect) => (dialect === 'mssql' ? tsqlStatements(schema) : sqliteStatements(schema)),
};
