// A signed-in operator changes their own password: current one checked (and counted towards lockout), then a fresh session.
import type { Services } from '../services';
import { recordAudit } from '../audit/record-audit';
import { enqueueNotifications } from '../notifications/create-notification';
import { AppError } from '../shared/app-error';
import type { Actor, RequestOrigin } from './actor';
import { applyNewPassword } from './apply-new-password';
import { findOperatorInFirm, recordLoginFailure } from './operator.queries';
import { dummyVerify, hashPassword, verifyPassword } from './password-hash';
import { assertPasswordPolicy } from './password-policy';
import { startSession, type TokenPair } from './sessions';
import { ipKey, throttleOrThrow, throttleRules } from './throttle-rules';
import { closeOperatorConnections } from '../realtime/close-operator-connections';

/**
 * Checks the policy, then the current password (a wrong one counts as a failed sign-in, so a stolen session
 * cannot guess it freely), stores the new hash and ends every session, including this one, then starts a new
 * session for the caller so the client carries on with the returned pair.
 */
export async function changePassword(
  services: Services,
  input: { actor: Actor; currentPassword: string; newPassword: string; origin: RequestOrigin },
): Promise<TokenPair> {
  const { actor, origin } = input;
  assertPasswordPolicy(input.newPassword, actor.userName, services.config.security);
  const giveBackIpSlot = await throttleOrThrow(services, throttleRules.loginFailuresPerIp, ipKey(origin));
  const operator = await findOperatorInFirm(services.db, actor.firmId, actor.operatorId);
  const started = services.clock.now();
  const locked = operator?.LockoutUntil != null && operator.LockoutUntil.getTime() > started.getTime();
  let valid = false;
  if (!operator || locked) await dummyVerify(input.currentPassword);
  else valid = (await verifyPassword(input.currentPassword, operator.PasswordHash)).valid;
  const now = services.clock.now();
  if (!operator || !valid) {
    await services.db.transaction().execute(async (trx) => {
      if (operator && !locked) {
        const lockUntil = new Date(now.getTime() + services.config.security.lockoutMinutes * 60_000);
        await recordLoginFailure(trx, operator.Id, now, services.config.security.maxFailedLoginAttempts, lockUntil);
      }
      await recordAudit(
        trx,
        { firmId: actor.firmId, action: 'authn_password_change_fail', actor, entityType: 'operator', entityId: actor.operatorId, details: { reason: locked ? 'locked' : 'wrong-current-password' }, origin },
        now,
      );
    });
    throw new AppError('CurrentPasswordIncorrect');
  }
  const newHash = await hashPassword(input.newPassword);
  const result = await services.db.transaction().execute(async (trx) => {
    const applied = await applyNewPassword(services, trx, { operator, newHash, how: 'change', origin, expectedHash: operator.PasswordHash }, now);
    if (!applied) return undefined;
    const fresh = await findOperatorInFirm(trx, operator.FirmId, operator.Id);
    if (!fresh) return undefined;
    return { pair: await startSession(services, trx, fresh, origin, now), notification: applied.notification };
  });
  if (!result) throw new AppError('Conflict', { tr: 'Parola bu sırada başka bir istekle değişti.', en: 'The password was changed by another request meanwhile.' });
  await giveBackIpSlot();
  await closeOperatorConnections(services, operator.FirmId, operator.Id, 'password-changed');
  if (result.notification) await enqueueNotifications(services, [result.notification]);
  return result.pair;
}
