// The contents of sql/: one idempotent T-SQL script per migration, generated from the same statements the migrations run.
import { migrationBookkeeping } from './migrate';
import { schemaMigrations } from './migrations/all-migrations';
import { renderTsqlScript } from './tsql-ddl';

/** `sql/<migration name>.sql` and its text, for every migration (written by `npm run db:sql`, checked by a test). */
export function migrationSqlFiles(): { fileName: string; text: string }[] {
  return schemaMigrations.map((migration) => ({
    fileName: `${migration.name}.sql`,
    text: renderTsqlScript({ migrationName: migration.name, statements: migration.statements('mssql'), ...migrationBookkeeping }),
  }));
}
