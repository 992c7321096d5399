// `npm run db:sql`: writes sql/<migration>.sql, the T-SQL a DBA runs with sqlcmd, from the migrations. Commit the result.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { migrationSqlFiles } from '../src/db/migration-sql-files';

// npm runs scripts from the package root.
const directory = path.resolve('sql');
mkdirSync(directory, { recursive: true });
for (const file of migrationSqlFiles()) {
  writeFileSync(path.join(directory, file.fileName), file.text);
  console.log(`wrote sql/${file.fileName}`);
}
