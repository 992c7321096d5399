// Password reset: request by user name, e-mail or phone (always the same 202), confirm with a link token or an SMS code.
import type { OperatorRow } from '../db/tables';
import type { Services } from '../services';
import { NO_FIRM, recordAudit } from '../audit/record-audit';
import { createNotification, enqueueNotifications, recipientOf, type NotificationChannel } from '../notifications/create-notification';
import { AppError } from '../shared/app-error';
import { newId } from '../shared/ids';
import type { RequestOrigin } from './actor';
import { applyNewPassword } from './apply-new-password';
import { findOperatorByUserName, findOperatorInFirm, findOperatorsByContact } from './operator.queries';
import { dummyVerify, hashPassword, verifyPassword } from './password-hash';
import { assertPasswordPolicy } from './password-policy';
import { findLiveCode, findLiveLinkToken, insertResetToken, reserveCodeAttempt, revokeOpenResetTokens, spendResetToken } from './password-reset.queries';
import { hashOpaqueToken, isOpaqueTokenShape, isSmsCodeShape, newOpaqueToken, newSmsCode } from './secret-token';
import { ipKey, takeSlotQuietly, throttleOrThrow, throttleRules } from './throttle-rules';
import { normalizeEmail, normalizePhone, normalizeUserName } from './user-name';
import { closeOperatorConnections } from '../realtime/close-operator-connections';

/** SMS codes live 10 minutes (NIST SP 800-63B-4 §4.2.1.2 maximum). */
export const SMS_CODE_MINUTES = 10;
/** Salted PBKDF2 for 6-digit codes (ASVS 6.5.2: < 112-bit secrets need a slow salted hash); cheap, as they live minutes. */
const CODE_HASH_ITERATIONS = 100_000;
/** A request naming an e-mail or phone that several operators share resets at most this many of them. */
const MAX_OPERATORS_PER_REQUEST = 5;
/**
 * Every reset request answers no sooner than this after it arrived, found account or not, so the time taken
 * does not tell whether an account exists (OWASP Forgot Password CS: "consistent time").
 */
export const RESET_REQUEST_FLOOR_MS = 350;

export type ResetIdentifier = { readonly userName: string } | { readonly email: string } | { readonly phone: string };

export type ResetSendResult = 'sent' | 'inactive' | 'no-address' | 'limited';

/**
 * Handles `POST /auth/password-reset`. Per-IP limit first (429); then, for each operator the identifier names,
 * a link or code is issued unless the account is inactive, has no address for the channel or already had three
 * requests this hour. The caller learns none of this: the same answer, no sooner than the floor.
 */
export async function requestPasswordReset(
  services: Services,
  input: { identifier: ResetIdentifier; channel: NotificationChannel; origin: RequestOrigin },
): Promise<void> {
  await throttleOrThrow(services, throttleRules.resetRequestsPerIp, ipKey(input.origin));
  const floor = delay(RESET_REQUEST_FLOOR_MS);
  try {
    const operators = await operatorsNamedBy(services, input.identifier);
    if (operators.length === 0) {
      await recordAudit(
        services.db,
        { firmId: NO_FIRM, action: 'authn_password_reset_request', details: { channel: input.channel, by: identifierKind(input.identifier), result: 'unknown-account' }, origin: input.origin },
        services.clock.now(),
      );
    }
    for (const operator of operators) await sendPasswordReset(services, operator, input.channel, input.origin, undefined);
  } finally {
    await floor;
  }
}

/**
 * Issues one reset secret to one operator over one channel and queues its notification: a 32-byte link token by
 * e-mail (valid `Security__PasswordResetTokenExpiryHours`) or a 6-digit code by SMS (10 minutes). A newer secret
 * replaces older unused ones of the channel. Used by self-service and by an admin (then `admin` is the actor).
 */
export async function sendPasswordReset(
  services: Services,
  operator: OperatorRow,
  channel: NotificationChannel,
  origin: RequestOrigin,
  admin: { operatorId: string; userName: string } | undefined,
): Promise<ResetSendResult> {
  const result = await issueReset(services, operator, channel);
  const now = services.clock.now();
  if (result.kind !== 'sent') {
    await recordAudit(
      services.db,
      {
        firmId: operator.FirmId,
        action: 'authn_password_reset_request',
        actor: admin ?? { operatorId: operator.Id, userName: operator.UserName },
        entityType: 'operator',
        entityId: operator.Id,
        details: { channel, result: result.kind, requestedBy: admin ? 'admin' : 'self' },
        origin,
      },
      now,
    );
    return result.kind;
  }
  const pending = await services.db.transaction().execute(async (trx) => {
    await revokeOpenResetTokens(trx, operator.Id, now, channel);
    await insertResetToken(trx, {
      Id: newId(now.getTime()),
      FirmId: operator.FirmId,
      OperatorId: operator.Id,
      Channel: channel,
      TokenHash: result.storedHash,
      ExpiresAt: new Date(now.getTime() + result.expiresMinutes * 60_000),
      UsedAt: null,
      RevokedAt: null,
      IpAddress: origin.ip?.slice(0, 45) ?? null,
      CreatedAt: now,
    });
    const notification = await createNotification(
      services,
      trx,
      operator,
      result.channel === 'email'
        ? { kind: 'password-reset-link', channel: 'email', token: result.secret, expiresMinutes: result.expiresMinutes }
        : { kind: 'password-reset-code', channel: 'sms', code: result.secret, expiresMinutes: result.expiresMinutes },
      now,
    );
    await recordAudit(
      trx,
      {
        firmId: operator.FirmId,
        action: 'authn_password_reset_request',
        actor: admin ?? { operatorId: operator.Id, userName: operator.UserName },
        entityType: 'operator',
        entityId: operator.Id,
        details: { channel, result: 'sent', requestedBy: admin ? 'admin' : 'self', expiresMinutes: result.expiresMinutes },
        origin,
      },
      now,
    );
    return notification;
  });
  await enqueueNotifications(services, [pending]);
  return 'sent';
}

type IssueResult =
  | { kind: 'sent'; channel: NotificationChannel; secret: string; storedHash: string; expiresMinutes: number }
  | { kind: Exclude<ResetSendResult, 'sent'> };

async function issueReset(services: Services, operator: OperatorRow, channel: NotificationChannel): Promise<IssueResult> {
  if (!operator.IsActive) return { kind: 'inactive' };
  if (!recipientOf(operator, channel)) return { kind: 'no-address' };
  if (!(await takeSlotQuietly(services, throttleRules.resetRequestsPerAccount, operator.Id))) return { kind: 'limited' };
  if (channel === 'email') {
    const token = newOpaqueToken();
    return { kind: 'sent', channel, secret: token, storedHash: hashOpaqueToken(token), expiresMinutes: services.config.security.passwordResetTokenExpiryHours * 60 };
  }
  const code = newSmsCode();
  return { kind: 'sent', channel, secret: code, storedHash: await hashPassword(code, CODE_HASH_ITERATIONS), expiresMinutes: SMS_CODE_MINUTES };
}

export type ResetConfirmation =
  | { readonly token: string; readonly newPassword: string; readonly origin: RequestOrigin }
  | { readonly code: string; readonly userName: string; readonly newPassword: string; readonly origin: RequestOrigin };

/**
 * Handles `POST /auth/password-reset/confirm`. A link token is looked up by its hash; a code by the user name
 * with one reserved guess per try (dead after five). Every failure is the same `PasswordResetInvalid`. Success
 * spends the secret and applies the new password (sessions ended, lockout cleared, operator notified, audited).
 * A lockout never blocks this: it is how a locked-out operator gets back in.
 */
export async function confirmPasswordReset(services: Services, input: ResetConfirmation): Promise<void> {
  await throttleOrThrow(services, throttleRules.resetConfirmationsPerIp, ipKey(input.origin));
  const found = 'token' in input ? await findByToken(services, input.token, input.newPassword) : await findByCode(services, input);
  const now = services.clock.now();
  if (!found.ok) {
    await recordAudit(
      services.db,
      {
        firmId: found.operator?.FirmId ?? NO_FIRM,
        action: 'authn_password_reset_fail',
        actor: found.operator ? { operatorId: found.operator.Id, userName: found.operator.UserName } : undefined,
        entityType: 'operator',
        entityId: found.operator?.Id,
        details: { reason: found.reason, with: 'token' in input ? 'link' : 'code' },
        origin: input.origin,
      },
      now,
    );
    throw new AppError('PasswordResetInvalid');
  }
  const newHash = await hashPassword(input.newPassword);
  const done = await services.db.transaction().execute(async (trx) => {
    if (!(await spendResetToken(trx, found.tokenId, now))) return undefined;
    return applyNewPassword(services, trx, { operator: found.operator, newHash, how: 'reset', origin: input.origin }, now);
  });
  if (!done) throw new AppError('PasswordResetInvalid');
  // Sessions are revoked in the transaction; live real-time connections end now, not at their token's expiry.
  await closeOperatorConnections(services, found.operator.FirmId, found.operator.Id, 'password-reset');
  if (done.notification) await enqueueNotifications(services, [done.notification]);
}

type Found =
  | { ok: true; operator: OperatorRow; tokenId: string }
  | { ok: false; operator: OperatorRow | undefined; reason: string };

async function findByToken(services: Services, token: string, newPassword: string): Promise<Found> {
  if (!isOpaqueTokenShape(token)) return { ok: false, operator: undefined, reason: 'malformed-token' };
  const row = await findLiveLinkToken(services.db, hashOpaqueToken(token), services.clock.now());
  if (!row) return { ok: false, operator: undefined, reason: 'unknown-or-expired-token' };
  const operator = await findOperatorInFirm(services.db, row.FirmId, row.OperatorId);
  if (!operator?.IsActive) return { ok: false, operator, reason: 'inactive' };
  assertPasswordPolicy(newPassword, operator.UserName, services.config.security);
  return { ok: true, operator, tokenId: row.Id };
}

async function findByCode(services: Services, input: { code: string; userName: string; newPassword: string }): Promise<Found> {
  // The policy is checked first, against the name given, so a rejected password never burns a guess.
  assertPasswordPolicy(input.newPassword, input.userName, services.config.security);
  const operator = await findOperatorByUserName(services.db, normalizeUserName(input.userName.trim()));
  const row = operator?.IsActive ? await findLiveCode(services.db, operator.Id, services.clock.now()) : undefined;
  if (!operator || !row || !isSmsCodeShape(input.code) || !(await reserveCodeAttempt(services.db, row.Id))) {
    await dummyVerify(input.code, CODE_HASH_ITERATIONS);
    return { ok: false, operator, reason: !operator ? 'unknown-user' : !row ? 'no-live-code' : 'malformed-or-exhausted' };
  }
  const verdict = await verifyPassword(input.code, row.TokenHash);
  if (!verdict.valid) return { ok: false, operator, reason: 'wrong-code' };
  return { ok: true, operator, tokenId: row.Id };
}

async function operatorsNamedBy(services: Services, identifier: ResetIdentifier): Promise<OperatorRow[]> {
  if ('userName' in identifier) {
    const operator = await findOperatorByUserName(services.db, normalizeUserName(identifier.userName.trim()));
    return operator ? [operator] : [];
  }
  if ('email' in identifier) return findOperatorsByContact(services.db, { email: normalizeEmail(identifier.email) }, MAX_OPERATORS_PER_REQUEST);
  return findOperatorsByContact(services.db, { phone: normalizePhone(identifier.phone) }, MAX_OPERATORS_PER_REQUEST);
}

function identifierKind(identifier: ResetIdentifier): string {
  return 'userName' in identifier ? 'userName' : 'email' in identifier ? 'email' : 'phone';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
