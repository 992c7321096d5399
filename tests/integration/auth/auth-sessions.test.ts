// Sessions against real SQLite and Azurite: SECURITY.md §9 R1t (rotation and reuse), R2t (idle and absolute limits,
// fake clock), J2 (fuzzed tokens into the authentication step), logout and revocation on password change.
import { HttpRequest } from '@azure/functions';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changePassword } from '../../../src/auth/change-password';
import { resolveActor } from '../../../src/auth/resolve-actor';
import { endSession, refreshSession, type TokenPair } from '../../../src/auth/sessions';
import { signIn } from '../../../src/auth/sign-in';
import { authenticateRequest } from '../../../src/http/authenticate';
import { AppError } from '../../../src/shared/app-error';
import { addOperator, auditRows, codeOf, createAuthTestServices, freshOrigin, type AuthTestServices } from '../../support/auth-test-services';

let t: AuthTestServices;

beforeAll(async () => {
  t = await createAuthTestServices();
  await addOperator(t.services, { firmId: 1, userName: 'session.user', password: 'session user passphrase', email: 'session.user@example.com' });
});
afterAll(async () => {
  await t.cleanup();
});

const HOUR = 3_600_000;

function login(services = t.services): Promise<TokenPair> {
  return signIn(services, { userName: 'session.user', password: 'session user passphrase', origin: freshOrigin() });
}

describe('R1t refresh rotation and reuse', () => {
  it('rotates on every use; reusing a rotated token revokes the family, signs both parties out and is audited', async () => {
    const first = await login();
    const second = await refreshSession(t.services, first.refreshToken, freshOrigin());
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await resolveActor(t.services, second.accessToken)).toMatchObject({ userName: 'session.user' });
    // The attacker (or a second tab) presents the rotated token again.
    expect(await codeOf(refreshSession(t.services, first.refreshToken, freshOrigin()))).toBe('RefreshTokenInvalid');
    // Both parties are out: the legitimate refresh token and both access tokens are dead.
    expect(await codeOf(refreshSession(t.services, second.refreshToken, freshOrigin()))).toBe('RefreshTokenInvalid');
    expect(await resolveActor(t.services, second.accessToken)).toBeUndefined();
    expect(await resolveActor(t.services, first.accessToken)).toBeUndefined();
    const reuse = (await auditRows(t.services, 1)).filter((r) => r.Action === 'authn_token_reuse');
    expect(reuse).toHaveLength(1);
    expect(reuse[0]).toMatchObject({ ActorUserName: 'session.user', EntityType: 'session' });
    const hashes = await t.services.db.selectFrom('WhatsApp_RefreshTokens').select('TokenHash').execute();
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h.TokenHash))).toBe(true);
    expect(hashes.some((h) => h.TokenHash === first.refreshToken)).toBe(false);
    console.log('R1t: pass (reuse → family revoked, both parties 401, authn_token_reuse audited)');
  });

  it('lets only one of two racing refreshes of the same token win', async () => {
    const pair = await login();
    const results = await Promise.all([refreshSession(t.services, pair.refreshToken, freshOrigin()), refreshSession(t.services, pair.refreshToken, freshOrigin())].map((p) => codeOf(p)));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
  });

  it('logout ends the session: its refresh token and its access tokens stop working, other sessions do not', async () => {
    const a = await login();
    const b = await login();
    const actor = await resolveActor(t.services, a.accessToken);
    if (!actor) throw new Error('expected a valid token');
    await endSession(t.services, actor, freshOrigin());
    expect(await resolveActor(t.services, a.accessToken)).toBeUndefined();
    expect(await codeOf(refreshSession(t.services, a.refreshToken, freshOrigin()))).toBe('RefreshTokenInvalid');
    expect(await resolveActor(t.services, b.accessToken)).toBeDefined();
  });

  it('a password change rejects every token issued before it and returns a fresh pair', async () => {
    const other = await login();
    const mine = await login();
    const actor = await resolveActor(t.services, mine.accessToken);
    if (!actor) throw new Error('expected a valid token');
    const fresh = await changePassword(t.services, { actor, currentPassword: 'session user passphrase', newPassword: 'session user new passphrase', origin: freshOrigin() });
    expect(await resolveActor(t.services, mine.accessToken)).toBeUndefined();
    expect(await resolveActor(t.services, other.accessToken)).toBeUndefined();
    expect(await codeOf(refreshSession(t.services, other.refreshToken, freshOrigin()))).toBe('RefreshTokenInvalid');
    expect(await resolveActor(t.services, fresh.accessToken)).toBeDefined();
    const back = await resolveActor(t.services, fresh.accessToken);
    if (!back) throw new Error('expected a valid token');
    await changePassword(t.services, { actor: back, currentPassword: 'session user new passphrase', newPassword: 'session user passphrase', origin: freshOrigin() });
  });
});

describe('R2t refresh limits (fake clock)', () => {
  it('ends every session at Jwt__ExpiresMinutes (480) however often it is refreshed, and access tokens at 15 minutes', async () => {
    const start = t.clock.now();
    let pair = await login();
    t.clock.advance(15 * 60_000 + 31_000);
    expect(await resolveActor(t.services, pair.accessToken)).toBeUndefined();
    for (const at of [3 * HOUR, 6 * HOUR, 8 * HOUR - 60_000]) {
      t.clock.set(new Date(start.getTime() + at));
      pair = await refreshSession(t.services, pair.refreshToken, freshOrigin());
    }
    t.clock.set(new Date(start.getTime() + 8 * HOUR));
    expect(await codeOf(refreshSession(t.services, pair.refreshToken, freshOrigin()))).toBe('RefreshTokenInvalid');
    expect(await resolveActor(t.services, pair.accessToken)).toBeUndefined();
    console.log('R2t: pass (480-minute absolute limit; refreshed at 3 h, 6 h, 7 h 59 min, refused at 8 h)');
  });

  it('with a 7-day session: refused after 12 h idle, and at 7 days however active', async () => {
    const week = await createAuthTestServices({ Jwt__ExpiresMinutes: String(7 * 24 * 60) });
    try {
      await addOperator(week.services, { firmId: 1, userName: 'session.user', password: 'session user passphrase' });
      const start = week.clock.now();
      let pair = await login(week.services);
      week.clock.advance(12 * HOUR - 60_000);
      pair = await refreshSession(week.services, pair.refreshToken, freshOrigin());
      week.clock.advance(12 * HOUR);
      expect(await codeOf(refreshSession(week.services, pair.refreshToken, freshOrigin()))).toBe('RefreshTokenInvalid');
      pair = await login(week.services);
      const sessionStart = week.clock.now();
      while (week.clock.now().getTime() + 11 * HOUR < sessionStart.getTime() + 7 * 24 * HOUR) {
        week.clock.advance(11 * HOUR);
        pair = await refreshSession(week.services, pair.refreshToken, freshOrigin());
      }
      week.clock.set(new Date(sessionStart.getTime() + 7 * 24 * HOUR));
      expect(await codeOf(refreshSession(week.services, pair.refreshToken, freshOrigin()))).toBe('RefreshTokenInvalid');
      console.log(`R2t: pass (idle 12 h refused; absolute 7 days refused after ${Math.round((week.clock.now().getTime() - start.getTime()) / HOUR)} h of fake time)`);
    } finally {
      await week.cleanup();
    }
  });
});

describe('J2 fuzzed tokens into authentication', () => {
  it('accepts a token only when byte-identical to a valid one, and never throws anything but Unauthenticated (10,000 runs)', async () => {
    const valid = (await login()).accessToken;
    const mutate = fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.tuple(fc.nat(valid.length - 1), fc.constantFrom(...'ABCabc0123-_.=+/ ')).map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1)),
      fc.nat(valid.length - 1).map((i) => valid.slice(0, i) + valid.slice(i + 1)),
      fc.nat(valid.length).map((i) => valid.slice(0, i)),
      fc.tuple(fc.nat(valid.length), fc.string({ minLength: 1, maxLength: 4 })).map(([i, s]) => valid.slice(0, i) + s + valid.slice(i)),
      fc.constantFrom(valid.split('.').reverse().join('.'), `${valid}.`, `${valid} `, ` ${valid}`, valid.toUpperCase(), valid.replace(/\./g, '')),
    );
    let runs = 0;
    let accepted = 0;
    let wrongAccepts = 0;
    let unsendable = 0;
    await fc.assert(
      fc.asyncProperty(mutate, async (token) => {
        runs += 1;
        let request: HttpRequest;
        try {
          request = new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/auth/me', headers: { authorization: `Bearer ${token}` } });
        } catch {
          unsendable += 1; // not a valid HTTP header value (NUL, CR, LF…): no request can carry it
          return true;
        }
        // HTTP carries a field value without surrounding whitespace (RFC 9110 §5.5; fetch's Headers strip it), so
        // `<valid> ` arrives as the valid token itself: what counts is the token the server receives.
        const received = request.headers.get('authorization')?.slice('Bearer '.length);
        try {
          await authenticateRequest(t.services, request);
          accepted += 1;
          if (received !== valid) wrongAccepts += 1;
          return received === valid;
        } catch (error) {
          return error instanceof AppError && error.code === 'Unauthenticated';
        }
      }),
      { numRuns: 10_000 },
    );
    console.log(`J2: ${runs} fuzzed tokens (${unsendable} not sendable as a header), ${wrongAccepts} accepted that were not the valid token (${accepted} identical copies accepted)`);
    expect(wrongAccepts).toBe(0);
  }, 120_000);
});
