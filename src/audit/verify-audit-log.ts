// Checks every firm's audit chain in the database: what `npm run audit:verify` runs.
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import { verifyFirmChain, type ChainedAuditRow, type ChainProblem } from './audit-chain';

export interface AuditVerification {
  readonly firms: readonly { readonly firmId: number; readonly rows: number; readonly head: string | undefined }[];
  readonly problems: readonly ChainProblem[];
}

/** Rows read per query; the walk keeps one page in memory. */
const PAGE = 1000;

/**
 * Walks each firm's rows in `Sequence` order, a page at a time, and reports every edited, deleted or reordered
 * row by firm and sequence. Deleting the newest rows of a chain leaves no gap; comparing `head` with a copy kept
 * elsewhere (a daily anchor) catches that.
 */
export async function verifyAuditLog(db: Kysely<Database>, dialect: 'sqlite' | 'mssql'): Promise<AuditVerification> {
  const firmRows = await db.selectFrom('WhatsApp_AuditLogs').select('FirmId').distinct().orderBy('FirmId').execute();
  const firms: { firmId: number; rows: number; head: string | undefined }[] = [];
  const problems: ChainProblem[] = [];
  for (const { FirmId: firmId } of firmRows) {
    const rows: ChainedAuditRow[] = [];
    let after = 0;
    for (;;) {
      const query = db.selectFrom('WhatsApp_AuditLogs').selectAll().where('FirmId', '=', firmId).where('Sequence', '>', after).orderBy('Sequence');
      // The one dialect difference here: SQL Server has TOP, SQLite has LIMIT.
      const page = await (dialect === 'mssql' ? query.top(PAGE) : query.limit(PAGE)).execute();
      rows.push(...page);
      const last = page.at(-1);
      if (!last || page.length < PAGE) break;
      after = last.Sequence;
    }
    problems.push(...verifyFirmChain(firmId, rows));
    firms.push({ firmId, rows: rows.length, head: rows.at(-1)?.Hash });
  }
  return { firms, problems };
}
