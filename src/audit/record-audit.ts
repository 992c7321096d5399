// Appends one row to a firm's hash-chained audit log, inside the caller's transaction when it has one.
import type { Kysely } from 'kysely';
import type { RequestOrigin } from '../auth/actor';
import type { Database } from '../db/tables';
import { newId } from '../shared/ids';
import { isUniqueViolation } from '../db/unique-violation';
import { auditRowHash, GENESIS_HASH } from './audit-chain';
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
/** Concurrent writers of one firm race for the next `Sequence`; the loser re-reads the head and tries again. */
const MAX_APPEND_ATTEMPTS = 8;

/**
 * Appends the entry as the next link of its firm's chain: `Sequence` = head + 1, `PrevHash` = head's hash.
 * `UNIQUE (FirmId, Sequence)` makes two writers of the same link impossible; the second one retries.
 * Pass the transaction of the change being audited so the change and its audit row commit together.
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
  for (let attempt = 1; ; attempt += 1) {
    const head = await db
      .selectFrom('WhatsApp_AuditLogs')
      .select(['Sequence', 'Hash'])
      .where('FirmId', '=', entry.firmId)
      .where('Sequence', '=', (eb) => eb.selectFrom('WhatsApp_AuditLogs').select((e) => e.fn.max('Sequence').as('m')).where('FirmId', '=', entry.firmId))
      .executeTakeFirst();
    const row = { ...fields, Sequence: (head?.Sequence ?? 0) + 1, PrevHash: head?.Hash ?? GENESIS_HASH };
    try {
      await db.insertInto('WhatsApp_AuditLogs').values({ ...row, Hash: auditRowHash(row) }).execute();
      return;
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= MAX_APPEND_ATTEMPTS) throw error;
    }
  }
}

