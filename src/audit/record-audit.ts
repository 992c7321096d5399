// Appends one row to a firm's hash-chained audit log, inside the caller's transaction when it has one.
import { sql, type Kysely } from 'kysely';
import type { RequestOrigin } from '../auth/actor';
import type { Database } from '../db/tables';
import { newId } from '../shared/ids';
import { dialectOf } from '../db/database';
import { isUniqueViolation } from '../db/unique-violation';
import { auditRowHash, GENESIS_HASH, type ChainedAuditRow } from './audit-chain';
import { cleanDetails, cleanOptionalText } from './audit-text';

/** Audit rows whose firm is unknown (a sign-in with a user name nobody has) chain under this firm id. */
export const NO_FIRM = 0;

/** One security-relevant event: who (actor), did what (action) to what (entity), from where (origin). */
export interface AuditEntry {
  readonly firmId: number;
  /** OWASP Logging Vocabulary names for security events (`authn_login_fail`), dotted names for domain events. */
  readonly action: string;
  readonly actor?: { readonly operatorId: string; readonly userName: string } | undefined;
  readonly entityType?: string | undefined;
  readonly entityId?: string | undefined;
  /** Reasons and facts for investigators; never a password, token, code or secret (such keys are dropped). */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  readonly origin?: RequestOrigin | undefined;
}

const ACTION = /^[a-z][a-z0-9_.-]{1,63}$/;
/** A racing writer of the same firm makes the insert fail on `UNIQUE (FirmId, Sequence)`; it re-reads and retries. */
const MAX_APPEND_ATTEMPTS = 20;

/**
 * Appends the entry as the next link of its firm's chain: `Sequence` = head + 1, `PrevHash` = head's hash.
 * Pass the transaction of the change being audited so the change and its audit row commit together; without one,
 * the append gets its own transaction. Writers of one firm are serialised: SQLite runs one transaction at a time,
 * and on SQL Server the head is read with UPDLOCK, HOLDLOCK, so the next writer waits for this one's commit.
 * `UNIQUE (FirmId, Sequence)` stays the backstop: a writer that still loses the race re-reads and retries.
 */
export async function recordAudit(db: Kysely<Database>, entry: AuditEntry, now: Date): Promise<void> {
  if (!ACTION.test(entry.action)) throw new Error(`audit action ${JSON.stringify(entry.action)} is not a valid action name`);
  const fields = {
    Id: newId(now.getTime()),
    FirmId: entry.firmId,
    ActorOperatorId: entry.actor?.operatorId ?? null,
    ActorUserName: cleanOptionalText(entry.actor?.userName, 100),
    Action: entry.action,
    EntityType: cleanOptionalText(entry.entityType, 64),
    EntityId: cleanOptionalText(entry.entityId, 64),
    DetailsJson: cleanDetails(entry.details),
    IpAddress: cleanOptionalText(entry.origin?.ip, 45),
    UserAgent: cleanOptionalText(entry.origin?.userAgent, 512),
    CreatedAt: new Date(now.getTime()),
  };
  if (!db.isTransaction) {
    await db.transaction().execute((trx) => append(trx, fields));
    return;
  }
  await append(db, fields);
}

type AuditFields = Omit<ChainedAuditRow, 'Sequence' | 'PrevHash' | 'Hash'>;

async function append(trx: Kysely<Database>, fields: AuditFields): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const head = await chainHead(trx, fields.FirmId);
    const row = { ...fields, Sequence: (head?.Sequence ?? 0) + 1, PrevHash: head?.Hash ?? GENESIS_HASH };
    try {
      await trx.insertInto('WhatsApp_AuditLogs').values({ ...row, Hash: auditRowHash(row) }).execute();
      return;
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= MAX_APPEND_ATTEMPTS) throw error;
    }
  }
}

/** The firm's newest row; on SQL Server locked until commit so concurrent appends of the firm queue up. */
async function chainHead(trx: Kysely<Database>, firmId: number): Promise<{ Sequence: number; Hash: string } | undefined> {
  if (dialectOf(trx) === 'mssql') {
    const result = await sql<{ Sequence: number; Hash: string }>`
      SELECT TOP 1 [Sequence], [Hash] FROM [WhatsApp_AuditLogs] WITH (UPDLOCK, HOLDLOCK) WHERE [FirmId] = ${firmId} ORDER BY [Sequence] DESC`.execute(trx);
    return result.rows[0];
  }
  return trx
    .selectFrom('WhatsApp_AuditLogs')
    .select(['Sequence', 'Hash'])
    .where('FirmId', '=', firmId)
    .where('Sequence', '=', (eb) => eb.selectFrom('WhatsApp_AuditLogs').select((e) => e.fn.max('Sequence').as('m')).where('FirmId', '=', firmId))
    .executeTakeFirst();
}
