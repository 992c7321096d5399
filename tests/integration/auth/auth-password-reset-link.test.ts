// The reset e-mail's link (App__PasswordResetUrl) against real SQLite, Azurite and the local outbox: the token rides in
// the link's fragment and stays in the text, the page's own query string survives, the link resets once; SMS keeps its code.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmPasswordReset, requestPasswordReset } from '../../../src/auth/password-reset';
import { ConfigError, loadConfig } from '../../../src/config';
import { deliverNotification } from '../../../src/notifications/deliver-notification';
import { addOperator, createAuthTestServices, freshOrigin, type AuthTestServices } from '../../support/auth-test-services';

const RESET_PAGE = 'https://app.ustad.example/reset-password?tenant=ustad&lang=tr';

interface OutboxMessage {
  readonly to: string;
  readonly text: string;
  readonly subject?: string;
  readonly html?: string;
}

let linked: AuthTestServices;
let plain: AuthTestServices;

beforeAll(async () => {
  linked = await createAuthTestServices({ App__PasswordResetUrl: RESET_PAGE });
  plain = await createAuthTestServices();
  for (const t of [linked, plain]) {
    await addOperator(t.services, { firmId: 1, userName: 'link.user', password: 'link user passphrase', email: 'link.user@example.com', phone: '905551230000' });
  }
}, 60_000);

afterAll(async () => {
  await linked.cleanup();
  await plain.cleanup();
});

/** Requests a reset and sends what it queued through the worker's use case; answers the outbox copy. */
async function resetMessage(t: AuthTestServices, channel: 'email' | 'sms'): Promise<OutboxMessage> {
  await requestPasswordReset(t.services, { identifier: { userName: 'link.user' }, channel, origin: freshOrigin() });
  const rows = await t.services.db
    .selectFrom('WhatsApp_Notifications')
    .select(['FirmId', 'Id'])
    .where('Status', '=', 'pending')
    .where('Kind', 'in', ['password-reset-link', 'password-reset-code'])
    .execute();
  expect(rows).toHaveLength(1);
  const row = rows[0];
  if (!row) throw new Error('no notification');
  const outcome = await deliverNotification(t.services, { firmId: row.FirmId, notificationId: row.Id });
  if (outcome.status !== 'sent' || !outcome.receipt.outboxPath) throw new Error(`not sent to the outbox: ${JSON.stringify(outcome)}`);
  return JSON.parse(readFileSync(outcome.receipt.outboxPath, 'utf8')) as OutboxMessage;
}

describe('password-reset e-mail link', () => {
  it('links to the reset page with the token in the fragment, keeps the page query, and still gives the token', async () => {
    const mail = await resetMessage(linked, 'email');
    const link = mail.text.split('\n').find((line) => line.startsWith('https://'));
    if (!link) throw new Error(`no link in ${mail.text}`);
    const url = new URL(link);
    expect(url.origin + url.pathname).toBe('https://app.ustad.example/reset-password');
    expect(Object.fromEntries(url.searchParams)).toEqual({ tenant: 'ustad', lang: 'tr' });
    const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link).toBe(`${RESET_PAGE}#token=${token}`);
    expect(mail.text.split('\n')).toContain(token);
    expect(mail.html).toContain(`<a href="${RESET_PAGE.replace('&', '&amp;')}#token=${token}">`);
    // The link's token resets the password, once.
    await confirmPasswordReset(linked.services, { token, newPassword: 'a new link passphrase', origin: freshOrigin() });
    await expect(confirmPasswordReset(linked.services, { token, newPassword: 'another link passphrase', origin: freshOrigin() })).rejects.toMatchObject({ code: 'PasswordResetInvalid' });
  });

  it('keeps the SMS a short code without a link', async () => {
    const sms = await resetMessage(linked, 'sms');
    expect(sms.text).toMatch(/\b\d{6}\b/);
    expect(sms.text).not.toMatch(/https?:|token=/);
  });

  it('without the setting, gives the bare token and no link', async () => {
    const mail = await resetMessage(plain, 'email');
    expect(mail.text).toMatch(/^[A-Za-z0-9_-]{43}$/m);
    expect(mail.text).not.toMatch(/https?:\/\//);
  });

  it('refuses a setting that is not an http(s) URL or that has a fragment, naming it', () => {
    const base = { Jwt__Key: 'k'.repeat(48) };
    for (const bad of ['ftp://app.ustad.example/reset', 'app.ustad.example/reset', 'https://app.ustad.example/reset#x']) {
      expect(() => loadConfig({ ...base, App__PasswordResetUrl: bad }), bad).toThrow(ConfigError);
      try {
        loadConfig({ ...base, App__PasswordResetUrl: bad });
      } catch (error) {
        expect((error as ConfigError).problems.join('\n')).toContain('App__PasswordResetUrl');
      }
    }
    expect(loadConfig({ ...base, App__PasswordResetUrl: ' ' }).app.passwordResetUrl).toBeUndefined();
    expect(loadConfig({ ...base, App__PasswordResetUrl: RESET_PAGE }).app.passwordResetUrl).toBe(RESET_PAGE);
  });
});
