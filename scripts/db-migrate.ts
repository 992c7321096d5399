// `npm run db:migrate`: brings the configured database (SQL Server or the SQLite file) to the latest schema, then exits.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createDatabase, type DatabaseTarget } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { tediousConfigFromConnectionString } from '../src/db/mssql-connection';

type SettingName = 'ConnectionStrings__DefaultConnection' | 'Database__SqlitePath' | 'LOCAL_DATA_DIR';

// The same precedence as the Functions host: app settings (environment) first, then local.settings.json Values.
function setting(name: SettingName, localValues: Record<string, unknown>): string | undefined {
  const value = process.env[name] ?? localValues[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function localSettingsValues(): Record<string, unknown> {
  const file = path.resolve('local.settings.json');
  if (!existsSync(file)) return {};
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const values = typeof parsed === 'object' && parsed !== null && 'Values' in parsed ? parsed.Values : undefined;
  return typeof values === 'object' && values !== null ? (values as Record<string, unknown>) : {};
}

function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `SQLite file ${target.path}`;
  const { config } = tediousConfigFromConnectionString(target.connectionString);
  return `SQL Server ${config.server}, database ${config.options?.database ?? '(default)'}`;
}

async function main(): Promise<void> {
  const local = localSettingsValues();
  const connectionString = setting('ConnectionStrings__DefaultConnection', local);
  const target: DatabaseTarget = connectionString
    ? { kind: 'mssql', connectionString }
    : {
        kind: 'sqlite',
        path: path.resolve(setting('Database__SqlitePath', local) ?? path.join(setting('LOCAL_DATA_DIR', local) ?? '.data', 'inbox.db')),
      };
  console.log(`Migrating ${describeTarget(target)}`);
  const database = createDatabase(target);
  try {
    const applied = await migrateToLatest(database.db);
    console.log(applied.length === 0 ? 'Already at the latest schema; nothing to do.' : `Applied: ${applied.join(', ')}`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
