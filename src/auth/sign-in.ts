// Sign-in: per-IP throttle before any hash, one generic failure for every reason, lockout, hash upgrade, new session.
import type { Services } from '../services';
import { recordAudit, NO_FIRM } from '../audit/record-audit';
import { cleanText } from '../audit/audit-text';
import { AppError } from '../shared/app-error';
import type { RequestOrigin } from './actor';
import { dummyVerify, hashPassword, verifyPassword } from './password-hash';
import { findOperatorByUserName, recordLoginFailure, recordLoginSuccess, upgradePasswordHash } from './operator.queries';
import { startSession, type TokenPair } from './sessions';
import { ipKey, throttleOrThrow, throttleRules } from './throttle-rules';
import { normalizeUserName } from './user-name';

export interface SignInInput {
  readonly userName: string;
  readonly password: string;
  readonly origin: RequestOrigin;
}

/** Why a sign-in failed: kept in the audit log only; the caller always sees `InvalidCredentials`. */
type FailureReason = 'unknown-user' | 'wrong-password' | 'locked' | 'disabled';

/**
 * Signs an operator in. Order matters: the per-IP limit is taken before anything is hashed; an unknown user,
 * a disabled or locked account each run a dummy hash so every failure costs the same time and gets the
 * same 401 body; a wrong password counts towards the lockout with a conditional UPDATE.
 */
export async function signIn(services: Services, input: SignInInput): Promise<TokenPair> {
  const giveBackIpSlot = await throttleOrThrow(services, throttleRules.loginFailuresPerIp, ipKey(input.origin));
  const { config, db, clock } = services;
  const operator = await findOperatorByUserName(db, normalizeUserName(input.userName.trim()));
  const startedAt = clock.now();

  let reason: FailureReason | undefined;
  let needsRehash = false;
  if (!operator) {
    reason = 'unknown-user';
  } else if (!operator.IsActive) {
    reason = 'disabled';
  } else if (operator.LockoutUntil !== null && operator.LockoutUntil.getTime() > startedAt.getTime()) {
    reason = 'locked';
  }
  if (reason !== undefined || !operator) {
    await dummyVerify(input.password);
  } else {
    const verdict = await verifyPassword(input.password, operator.PasswordHash);
    if (!verdict.valid) reason = 'wrong-password';
    needsRehash = verdict.needsRehash;
  }

  const now = clock.now();
  if (reason === 'wrong-password' && operator) {
    const lockUntil = new Date(now.getTime() + config.security.lockoutMinutes * 60_000);
    await db.transaction().execute(async (trx) => {
      const { counted, locked } = await recordLoginFailure(trx, operator.Id, now, config.security.maxFailedLoginAttempts, lockUntil);
      const actor = { operatorId: operator.Id, userName: operator.UserName };
      const failure = { firmId: operator.FirmId, actor, entityType: 'operator', entityId: operator.Id, origin: input.origin };
      await recordAudit(trx, { ...failure, action: 'authn_login_fail', details: { reason: counted ? reason : 'locked' } }, now);
      if (locked) {
        const details = { failures: config.security.maxFailedLoginAttempts, lockedUntil: lockUntil.toISOString() };
        await recordAudit(trx, { ...failure, action: 'authn_login_lock', details }, now);
      }
    });
    throw new AppError('InvalidCredentials');
  }
  if (reason !== undefined || !operator) {
    await recordAudit(
      db,
      {
        firmId: operator?.FirmId ?? NO_FIRM,
        action: 'authn_login_fail',
        actor: operator ? { operatorId: operator.Id, userName: operator.UserName } : undefined,
        entityType: 'operator',
        entityId: operator?.Id,
        details: { reason, ...(operator ? {} : { userName: cleanText(input.userName, 100) }) },
        origin: input.origin,
      },
      now,
    );
    throw new AppError('InvalidCredentials');
  }

  const pair = await db.transaction().execute(async (trx) => {
    if (!(await recordLoginSuccess(trx, operator.Id, now, input.origin.ip))) return undefined;
    await recordAudit(
      trx,
      {
        firmId: operator.FirmId,
        action: operator.FailedLoginCount > 0 ? 'authn_login_successafterfail' : 'authn_login_success',
        actor: { operatorId: operator.Id, userName: operator.UserName },
        entityType: 'operator',
        entityId: operator.Id,
        details: operator.FailedLoginCount > 0 ? { previousFailures: operator.FailedLoginCount } : undefined,
        origin: input.origin,
      },
      now,
    );
    return startSession(services, trx, operator, input.origin, now);
  });
  if (!pair) {
    // A concurrent failure locked the account between our read and our write: the lock wins.
    await recordAudit(db, { firmId: operator.FirmId, action: 'authn_login_fail', actor: { operatorId: operator.Id, userName: operator.UserName }, entityType: 'operator', entityId: operator.Id, details: { reason: 'locked' }, origin: input.origin }, now);
    throw new AppError('InvalidCredentials');
  }
  await giveBackIpSlot();
  if (needsRehash) await upgradePasswordHash(db, operator.Id, operator.PasswordHash, await hashPassword(input.password), clock.now());
  return pair;
}
