// Password reset against real SQLite and Azurite: SECURITY.md §9 L5 (request and secrets) and L6 (what a reset does).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { confirmPasswordReset, requestPasswordReset, RESET_REQUEST_FLOOR_MS } from '../../../src/auth/password-reset';
import { resolveActor } from '../../../src/auth/resolve-actor';
import { refreshSession } from '../../../src/auth/sessions';
import { signIn } from '../../../src/auth/sign-in';
import type { OperatorRow } from '../../../src/db/tables';
import { deliverNotification } from '../../../src/notifications/deliver-notification';
import { outboxDirectory } from '../../../src/notifications/notification-senders';
import { addOperator, auditRows, codeOf, createAuthTestServices, freshOrigin, type AuthTestServices } from '../../support/auth-test-services';
import { resetCodeIn, resetSecretsIn, resetTokenIn } from '../../support/reset-secrets';

let t: AuthTestServices;
let emailUser: OperatorRow;
let smsUser: OperatorRow;

beforeAll(async () => {
  t = await createAuthTestServices();
  emailUser = await addOperator(t.services, { firmId: 1, userName: 'mail.user', password: 'mail user passphrase', email: 'Mail.User@Example.com' });
  smsUser = await addOperator(t.services, { firmId: 1, userName: 'sms.user', password: 'sms user passphrase', phone: '905551112233', language: 'en' });
});
afterAll(async () => {
  await t.cleanup();
});
// Each test reads the outbox messages its own requests caused: notices left by the previous test go out first.
beforeEach(async () => {
  await deliverPending();
});

/** Sends every pending notification through the worker's use case and returns what landed in the outbox since. */
async function deliverPending(): Promise<{ to: string; text: string; subject?: string }[]> {
  const pending = await t.services.db.selectFrom('WhatsApp_Notifications').select(['FirmId', 'Id']).where('Status', '=', 'pending').execute();
  const written: string[] = [];
  for (const row of pending) {
    const outcome = await deliverNotification(t.services, { firmId: row.FirmId, notificationId: row.Id });
    if (outcome.status === 'sent' && outcome.receipt.outboxPath) written.push(outcome.receipt.outboxPath);
  }
  return written.map((file) => JSON.parse(readFileSync(file, 'utf8')) as { to: string; text: string; subject?: string });
}


async function resetRows(operatorId: string) {
  return t.services.db.selectFrom('WhatsApp_PasswordResetTokens').selectAll().where('OperatorId', '=', operatorId).execute();
}

describe('L5 password reset requests and secrets', () => {
  let cases = 0;
  afterAll(() => console.log(`L5: ${cases}/5 cases passed (same timing, 4th request per hour limited, link once, link expiry, SMS code dead after 5 wrong / 10 min)`));

  it('takes the same time for an existing and an unknown e-mail or phone (never before the floor)', async () => {
    const samples: Record<string, number[]> = { existingEmail: [], unknownEmail: [], existingPhone: [], unknownPhone: [] };
    // Each round's times divided by the round's mean (as L3 does): a change of machine load between rounds (another
    // test file starting processes beside this one) cancels out; a difference between the kinds does not.
    const relative: Record<string, number[]> = { existingEmail: [], unknownEmail: [], existingPhone: [], unknownPhone: [] };
    const identifiers = {
      existingEmail: { email: 'mail.user@example.com' },
      unknownEmail: { email: 'nobody@example.com' },
      existingPhone: { phone: '+90 555 111 22 33' },
      unknownPhone: { phone: '905559998877' },
    } as const;
    for (let round = 0; round < 10; round += 1) {
      const roundTimes: [string, number][] = [];
      for (const [name, identifier] of Object.entries(identifiers)) {
        const started = performance.now();
        await requestPasswordReset(t.services, { identifier, channel: 'phone' in identifier ? 'sms' : 'email', origin: freshOrigin() });
        roundTimes.push([name, performance.now() - started]);
      }
      const mean = roundTimes.reduce((sum, [, ms]) => sum + ms, 0) / roundTimes.length;
      for (const [name, ms] of roundTimes) {
        samples[name]?.push(ms);
        relative[name]?.push(ms / mean);
      }
    }
    const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    const values = Object.values(medians);
    const relativeMedians = Object.values(relative).map(median);
    const spread = (Math.max(...relativeMedians) - Math.min(...relativeMedians)) / Math.min(...relativeMedians);
    console.log(`L5 timing: medians ${JSON.stringify(Object.fromEntries(Object.entries(medians).map(([k, v]) => [k, Math.round(v)])))} ms, spread of load-paired medians ${(spread * 100).toFixed(1)} %`);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(RESET_REQUEST_FLOOR_MS - 5);
    expect(spread).toBeLessThan(0.1);
    // Only three of the ten requests per account sent anything (the per-account limit).
    expect((await resetRows(emailUser.Id)).length).toBe(3);
    expect((await resetRows(smsUser.Id)).length).toBe(3);
    expect((await deliverPending()).length).toBe(6);
    cases += 2;
  }, 120_000);

  it('a link works once, and a later link replaces an earlier one', async () => {
    t.clock.advance(61 * 60_000); // a new hour: the per-account limit has room again
    await requestPasswordReset(t.services, { identifier: { userName: 'mail.user' }, channel: 'email', origin: freshOrigin() });
    const [mail] = await deliverPending();
    if (!mail) throw new Error('no e-mail was written');
    expect(mail.to).toBe('Mail.User@Example.com');
    const token = resetTokenIn(mail.text);
    expect(await codeOf(confirmPasswordReset(t.services, { token, newPassword: 'mail user second passphrase', origin: freshOrigin() }))).toBe('ok');
    expect(await codeOf(confirmPasswordReset(t.services, { token, newPassword: 'mail user third passphrase', origin: freshOrigin() }))).toBe('PasswordResetInvalid');
    expect((await signIn(t.services, { userName: 'mail.user', password: 'mail user second passphrase', origin: freshOrigin() })).operator.id).toBe(emailUser.Id);
    cases += 1;
  });

  it('a link expires after Security__PasswordResetTokenExpiryHours (1 h)', async () => {
    t.clock.advance(61 * 60_000);
    await requestPasswordReset(t.services, { identifier: { email: 'MAIL.USER@example.com' }, channel: 'email', origin: freshOrigin() });
    const [mail] = await deliverPending();
    const token = resetTokenIn(mail?.text ?? '');
    t.clock.advance(60 * 60_000 + 1_000);
    expect(await codeOf(confirmPasswordReset(t.services, { token, newPassword: 'mail user late passphrase', origin: freshOrigin() }))).toBe('PasswordResetInvalid');
    cases += 1;
  });

  it('an SMS code dies after 5 wrong guesses, and expires after 10 minutes', async () => {
    t.clock.advance(61 * 60_000);
    await requestPasswordReset(t.services, { identifier: { userName: 'sms.user' }, channel: 'sms', origin: freshOrigin() });
    const [sms] = await deliverPending();
    expect(sms?.to).toBe('905551112233');
    expect(sms?.text).toContain('password reset code'); // the operator prefers English
    const code = resetCodeIn(sms?.text ?? '');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      expect(await codeOf(confirmPasswordReset(t.services, { code: wrong, userName: 'sms.user', newPassword: 'sms user new passphrase', origin: freshOrigin() }))).toBe('PasswordResetInvalid');
    }
    expect(await codeOf(confirmPasswordReset(t.services, { code, userName: 'sms.user', newPassword: 'sms user new passphrase', origin: freshOrigin() }))).toBe('PasswordResetInvalid');
    await requestPasswordReset(t.services, { identifier: { phone: '905551112233' }, channel: 'sms', origin: freshOrigin() });
    const [second] = await deliverPending();
    t.clock.advance(10 * 60_000 + 1_000);
    expect(await codeOf(confirmPasswordReset(t.services, { code: resetCodeIn(second?.text ?? ''), userName: 'sms.user', newPassword: 'sms user new passphrase', origin: freshOrigin() }))).toBe('PasswordResetInvalid');
    cases += 1;
  });

  it('refuses a new password that breaks the policy without spending the code', async () => {
    t.clock.advance(61 * 60_000);
    await deliverPending();
    await requestPasswordReset(t.services, { identifier: { userName: 'sms.user' }, channel: 'sms', origin: freshOrigin() });
    const [sms] = await deliverPending();
    const code = resetCodeIn(sms?.text ?? '');
    expect(await codeOf(confirmPasswordReset(t.services, { code, userName: 'sms.user', newPassword: 'short', origin: freshOrigin() }))).toBe('PasswordPolicyViolation');
    expect(await codeOf(confirmPasswordReset(t.services, { code, userName: 'sms.user', newPassword: 'sms user fine passphrase', origin: freshOrigin() }))).toBe('ok');
  });
});

describe('L6 what a completed reset does', () => {
  it('revokes every session, rejects old access tokens, clears the lockout, notifies and audits', async () => {
    t.clock.advance(61 * 60_000);
    const user = await addOperator(t.services, { firmId: 1, userName: 'reset.six', password: 'reset six passphrase', email: 'six@example.com' });
    const sessions = [
      await signIn(t.services, { userName: 'reset.six', password: 'reset six passphrase', origin: freshOrigin() }),
      await signIn(t.services, { userName: 'reset.six', password: 'reset six passphrase', origin: freshOrigin() }),
    ];
    for (let i = 0; i < 5; i += 1) await codeOf(signIn(t.services, { userName: 'reset.six', password: `bad guess ${i}`, origin: freshOrigin() }));
    const locked = await t.services.db.selectFrom('WhatsApp_Operators').select('LockoutUntil').where('Id', '=', user.Id).executeTakeFirstOrThrow();
    expect(locked.LockoutUntil).not.toBeNull();

    // The lock does not block the reset.
    await deliverPending();
    await requestPasswordReset(t.services, { identifier: { userName: 'reset.six' }, channel: 'email', origin: freshOrigin() });
    const [mail] = await deliverPending();
    await confirmPasswordReset(t.services, { token: resetTokenIn(mail?.text ?? ''), newPassword: 'reset six fresh passphrase', origin: freshOrigin() });

    let passed = 0;
    const families = await t.services.db.selectFrom('WhatsApp_RefreshTokens').select(['RevokedAt', 'RevokedReason']).where('OperatorId', '=', user.Id).execute();
    if (families.length >= 2 && families.every((f) => f.RevokedAt !== null && f.RevokedReason === 'password-reset')) passed += 1;
    const refreshed = await Promise.all(sessions.map((s) => codeOf(refreshSession(t.services, s.refreshToken, freshOrigin()))));
    const accessed = await Promise.all(sessions.map((s) => resolveActor(t.services, s.accessToken)));
    if (refreshed.every((c) => c === 'RefreshTokenInvalid') && accessed.every((a) => a === undefined)) passed += 1;
    const after = await t.services.db.selectFrom('WhatsApp_Operators').select(['LockoutUntil', 'FailedLoginCount']).where('Id', '=', user.Id).executeTakeFirstOrThrow();
    if (after.LockoutUntil === null && after.FailedLoginCount === 0) passed += 1;
    const notices = await deliverPending();
    if (notices.some((n) => n.to === 'six@example.com' && /değiştirildi|sıfırlandı/.test(n.text))) passed += 1;
    const audit = (await auditRows(t.services, 1)).filter((r) => r.EntityId === user.Id && r.Action === 'authn_password_reset_complete');
    if (audit.length === 1 && audit[0]?.IpAddress) passed += 1;
    console.log(`L6: ${passed}/5 (sessions revoked, old tokens refused, lockout cleared, operator notified, audited)`);
    expect(passed).toBe(5);
    expect((await signIn(t.services, { userName: 'reset.six', password: 'reset six fresh passphrase', origin: freshOrigin() })).operator.id).toBe(user.Id);
  }, 60_000);

  it('keeps secrets out of the database: only hashes and sealed values', async () => {
    const files = readdirSync(outboxDirectory(t.services.config)).map((f) => JSON.parse(readFileSync(path.join(outboxDirectory(t.services.config), f), 'utf8')) as Record<string, unknown>);
    const secrets = files.flatMap((mail) => Object.values(mail).flatMap((field) => (typeof field === 'string' ? resetSecretsIn(field) : [])));
    expect(secrets.length).toBeGreaterThan(0);
    const tables = ['WhatsApp_PasswordResetTokens', 'WhatsApp_Notifications', 'WhatsApp_AuditLogs', 'WhatsApp_RefreshTokens'] as const;
    for (const table of tables) {
      const dump = JSON.stringify(await t.services.db.selectFrom(table).selectAll().execute());
      for (const secret of secrets) expect(dump.includes(secret)).toBe(false);
    }
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
