// `npm run audit:verify`: recomputes every firm's audit hash chain and names each edited, deleted or reordered row.
import { verifyAuditLog } from '../src/audit/verify-audit-log';
import { ConfigError, loadConfig } from '../src/config';
import { createDatabase } from '../src/db/database';
import { applyLocalDefaults, loadLocalSettings } from '../src/devhost/local-settings';

async function main(): Promise<number> {
  loadLocalSettings(process.cwd());
  applyLocalDefaults(process.env, process.env.LOCAL_DATA_DIR ?? '.data', () => undefined);
  const config = loadConfig(process.env);
  const database = createDatabase(config.database);
  try {
    const { firms, problems } = await verifyAuditLog(database.db, database.dialect);
    for (const firm of firms) {
      const own = problems.filter((p) => p.firmId === firm.firmId);
      console.log(`firm ${firm.firmId}: ${firm.rows} rows, head ${firm.head?.slice(0, 16) ?? '-'}…, ${own.length === 0 ? 'chain intact' : `${own.length} problem(s)`}`);
    }
    for (const problem of problems) console.log(`TAMPERED firm ${problem.firmId} sequence ${problem.sequence}: ${problem.kind}`);
    console.log(problems.length === 0 ? `audit:verify: ${firms.length} firm chain(s) intact` : `audit:verify: ${problems.length} problem(s) found`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
