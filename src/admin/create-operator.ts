// Creates an operator: the one path the API, `npm run operator:create` and the first-run bootstrap all take.
import type { Kysely } from 'kysely';
import type { Actor, RequestOrigin } from '../auth/actor';
import { findOperatorInFirm } from '../auth/operator.queries';
import { hashPassword } from '../auth/password-hash';
import { assertPasswordPolicy } from '../auth/password-policy';
import { normalizeEmail, normalizeUserName } from '../auth/user-name';
import { recordAudit } from '../audit/record-audit';
import type { Config } from '../config';
import type { Database, OperatorRow } from '../db/tables';
import { isUniqueViolation } from '../db/unique-violation';
import { invalidFieldsOf } from './invalid-fields';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/app-error';
import { newId } from '../shared/ids';
import { NewOperatorSchema, type NewOperator } from './operator.schemas';

export interface CreateOperatorDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly config: Pick<Config, 'security'>;
}

/** Who asked, for the audit row: an admin over the API, or the command line / first-run bootstrap. */
export interface CreateOperatorContext {
  readonly actor?: Actor;
  readonly origin?: RequestOrigin;
  readonly via?: 'api' | 'cli' | 'bootstrap' | 'internal';
  /** The password was generated, not chosen; the operator will pick one through a reset. */
  readonly passwordGenerated?: boolean;
}

const userNameTaken = () =>
  new AppError('Conflict', { tr: 'Bu kullanıcı adı kullanılıyor.', en: 'This user name is taken.' }, { fields: { 'operator.userName': 'is taken' } });

/**
 * Validates the fields (AppError `InvalidRequest` naming each bad one as `operator.<field>`), applies the password
 * policy (`PasswordPolicyViolation` naming every broken rule), hashes with PBKDF2-HMAC-SHA256 (600,000 iterations,
 * 16-byte salt), inserts the row and its `user_created` audit row in one transaction, and returns the row.
 * User names are unique across firms: a clash is `Conflict`.
 */
export async function createOperator(deps: CreateOperatorDeps, input: NewOperator, context: CreateOperatorContext = {}): Promise<OperatorRow> {
  const parsed = NewOperatorSchema.safeParse(input);
  if (!parsed.success) throw invalidFieldsOf('operator', parsed.error);
  const operator = parsed.data;
  assertPasswordPolicy(operator.password, operator.userName, deps.config.security);
  const passwordHash = await hashPassword(operator.password);
  const now = deps.clock.now();
  const id = newId(now.getTime());
  try {
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('WhatsApp_Operators')
        .values({
          Id: id,
          FirmId: operator.firmId,
          UserName: operator.userName,
          UserNameNormalized: normalizeUserName(operator.userName),
          FullName: operator.fullName,
          Email: operator.email ?? null,
          EmailNormalized: operator.email ? normalizeEmail(operator.email) : null,
          Phone: operator.phone ?? null,
          Role: operator.role,
          PasswordHash: passwordHash,
          PreferredLanguage: operator.language,
          PasswordChangedAt: context.passwordGenerated ? null : now,
          CreatedAt: now,
          UpdatedAt: now,
        })
        .execute();
      await recordAudit(
        trx,
        {
          firmId: operator.firmId,
          action: 'user_created',
          actor: context.actor,
          entityType: 'operator',
          entityId: id,
          details: { userName: operator.userName, role: operator.role, via: context.via ?? 'internal', passwordSetBy: context.passwordGenerated ? 'operator-via-reset' : 'creator' },
          origin: context.origin,
        },
        now,
      );
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw userNameTaken();
    throw error;
  }
  const row = await findOperatorInFirm(deps.db, operator.firmId, id);
  if (!row) throw new Error(`operator ${id} vanished after insert`);
  return row;
}
