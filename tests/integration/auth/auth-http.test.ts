// The /auth endpoints through the local host over real sockets: old body shape, SECURITY.md §9 J1 (forged tokens),
// L3 (enumeration: status, body, timing), L4 (per-IP throttle before hashing), reset answers, bad input.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthHttpHost, type AuthHttpHost } from '../../support/auth-http-host';

let app: AuthHttpHost;
let adminToken: string;

const ip = () => `172.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

beforeAll(async () => {
  app = await startAuthHttpHost();
  const login = await app.call('POST', 'auth/login', { body: { UserName: 'admin', Password: app.adminPassword }, ip: ip() });
  expect(login.status).toBe(200);
  adminToken = (login.json as { accessToken: string }).accessToken;
  for (const userName of ['l3.wrong', 'l3.locked', 'l3.disabled']) {
    const created = await app.call('POST', 'admin/operators', { token: adminToken, body: { userName, fullName: userName, role: 'Agent', password: `long passphrase of ${userName.slice(3)}` }, ip: ip() });
    expect(created.status).toBe(201);
  }
  const far = new Date(Date.now() + 24 * 3_600_000);
  await app.database.db.updateTable('WhatsApp_Operators').set({ LockoutUntil: far, FailedLoginCount: 5 }).where('UserName', '=', 'l3.locked').execute();
  await app.database.db.updateTable('WhatsApp_Operators').set({ IsActive: false }).where('UserName', '=', 'l3.disabled').execute();
}, 60_000);

afterAll(async () => {
  await app.stop();
});

describe('sign-in over HTTP', () => {
  it('accepts the old API body shape and returns the documented answer', async () => {
    const res = await app.call('POST', 'auth/login', { body: { UserName: 'Admin', Password: app.adminPassword }, ip: ip() });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, operator: { userName: 'admin', role: 'Admin', firmId: 1 } });
    const me = await app.call('GET', 'auth/me', { token: (res.json as { accessToken: string }).accessToken });
    expect(me.json).toMatchObject({ userName: 'admin', role: 'Admin' });
    expect(me.text).not.toContain('pbkdf2');
  });

  it('L3: unknown user, wrong password, locked and disabled get the same status, body and time', async () => {
    const kinds = {
      unknown: { userName: 'l3.nobody', password: 'some password here' },
      wrong: { userName: 'l3.wrong', password: 'not the passphrase' },
      locked: { userName: 'l3.locked', password: 'long passphrase of locked' },
      disabled: { userName: 'l3.disabled', password: 'long passphrase of disabled' },
    };
    const answers = new Set<string>();
    /**
     * Each round times the four kinds back to back, in random order, and divides by the round's mean, so a change of
     * machine load between rounds (other test files share the CPU) cancels out; a real difference between kinds does not.
     */
    async function measure(rounds: number) {
      const times: Record<string, number[]> = { unknown: [], wrong: [], locked: [], disabled: [] };
      const relative: Record<string, number[]> = { unknown: [], wrong: [], locked: [], disabled: [] };
      for (let round = 0; round < rounds; round += 1) {
        const roundTimes: [string, number][] = [];
        for (const [kind, body] of Object.entries(kinds).sort(() => Math.random() - 0.5)) {
          const res = await app.call('POST', 'auth/login', { body, ip: ip() });
          answers.add(`${res.status} ${res.text}`);
          roundTimes.push([kind, res.ms]);
        }
        const mean = roundTimes.reduce((sum, [, ms]) => sum + ms, 0) / roundTimes.length;
        for (const [kind, ms] of roundTimes) {
          times[kind]?.push(ms);
          relative[kind]?.push(ms / mean);
        }
        // Keep the wrong-password account below its lockout so every sample is a plain wrong password.
        await app.database.db.updateTable('WhatsApp_Operators').set({ FailedLoginCount: 0 }).where('UserName', '=', 'l3.wrong').execute();
      }
      const medians = Object.fromEntries(Object.entries(times).map(([kind, values]) => [kind, Math.round(median(values))]));
      const relativeMedians = Object.values(relative).map(median);
      return { medians, spread: (Math.max(...relativeMedians) - Math.min(...relativeMedians)) / Math.min(...relativeMedians) };
    }
    // A leak (a path without the hash) differs by the whole hash, ≥ 50 %, in every attempt; noise from a busy
    // machine does not repeat, so up to three attempts are allowed and the best one is reported.
    const attempts: { medians: Record<string, number>; spread: number }[] = [];
    while (attempts.length < 3 && !attempts.some((a) => a.spread < 0.1)) attempts.push(await measure(20));
    for (const a of attempts) console.log(`L3: 20 requests of each kind; medians ${JSON.stringify(a.medians)} ms; spread of load-paired medians ${(a.spread * 100).toFixed(1)} %`);
    expect([...answers]).toEqual([`401 ${JSON.stringify({ error: { code: 'InvalidCredentials', message: 'Kullanıcı adı veya parola hatalı.' } })}`]);
    expect(Math.min(...attempts.map((a) => a.spread))).toBeLessThan(0.1);
    expect(Math.max(...attempts.map((a) => a.spread))).toBeLessThan(0.5);
  }, 240_000);

  it('L4: 25 failures from one IP over 25 accounts: the 21st and later get 429 with Retry-After, before any hash', async () => {
    const address = ip();
    const results: { status: number; ms: number; retryAfter: string | null }[] = [];
    for (let i = 0; i < 25; i += 1) {
      const res = await app.call('POST', 'auth/login', { body: { userName: `spray.target.${i}`, password: 'Summer2026!' }, ip: address });
      results.push({ status: res.status, ms: res.ms, retryAfter: res.headers.get('retry-after') });
    }
    const refused = results.filter((r) => r.status === 401);
    const limited = results.filter((r) => r.status === 429);
    console.log(
      `L4: ${refused.length} × 401 (median ${Math.round(median(refused.map((r) => r.ms)))} ms, hashed), ${limited.length} × 429 (median ${Math.round(median(limited.map((r) => r.ms)))} ms, Retry-After ${limited[0]?.retryAfter} s)`,
    );
    expect(results.slice(0, 20).every((r) => r.status === 401)).toBe(true);
    expect(results.slice(20).every((r) => r.status === 429 && Number(r.retryAfter) > 0 && Number(r.retryAfter) <= 900)).toBe(true);
    // A PBKDF2 verification alone costs ≥ 100 ms here (P4); a 429 answered that fast computed none.
    expect(median(limited.map((r) => r.ms))).toBeLessThan(Math.min(100, median(refused.map((r) => r.ms)) / 2));
    // Another address is not affected.
    expect((await app.call('POST', 'auth/login', { body: { userName: 'admin', password: app.adminPassword }, ip: ip() })).status).toBe(200);
  }, 60_000);
});

describe('J1 forged and broken access tokens', () => {
  it('answers every one with the same 401', async () => {
    const login = await app.call('POST', 'auth/login', { body: { userName: 'admin', password: app.adminPassword }, ip: ip() });
    const valid = (login.json as { accessToken: string }).accessToken;
    const claims = jwt.decode(valid) as Record<string, unknown>;
    const key = Buffer.from(app.jwtKey, 'utf8');
    const now = Math.floor(Date.now() / 1000);
    const base = { firmId: claims['firmId'], role: claims['role'], ver: claims['ver'], sid: claims['sid'] };
    const opts = { issuer: 'ustad-whatsapp', audience: 'ustad-whatsapp-clients', subject: String(claims['sub']) };
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' });
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const flipped = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const cases: Record<string, string> = {
      'alg:none': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      HS512: jwt.sign(base, key, { ...opts, algorithm: 'HS512', expiresIn: '15m' }),
      'RS256 signed with a private key': jwt.sign(base, privateKey, { ...opts, algorithm: 'RS256', expiresIn: '15m' }),
      'HS256 keyed with the RSA public key': jwt.sign(base, Buffer.from(publicPem as string), { ...opts, algorithm: 'HS256', expiresIn: '15m' }),
      'wrong audience': jwt.sign(base, key, { ...opts, audience: 'someone-else', algorithm: 'HS256', expiresIn: '15m' }),
      'wrong issuer': jwt.sign(base, key, { ...opts, issuer: 'evil', algorithm: 'HS256', expiresIn: '15m' }),
      'expired 31 s ago': jwt.sign({ ...base, iat: now - 600, exp: now - 31 }, key, { ...opts, algorithm: 'HS256' }),
      'not before in the future': jwt.sign({ ...base, nbf: now + 120 }, key, { ...opts, algorithm: 'HS256', expiresIn: '15m' }),
      'tampered payload byte': `${header}.${flipped(payload, 10)}.${signature}`,
      truncated: valid.slice(0, valid.length - 5),
      '10 kB': `${valid}${'A'.repeat(10_240)}`,
      'claims of the wrong types': jwt.sign({ ...base, firmId: String(base.firmId), sid: 42 }, key, { ...opts, algorithm: 'HS256', expiresIn: '15m' }),
      'another firm': jwt.sign({ ...base, firmId: 2 }, key, { ...opts, algorithm: 'HS256', expiresIn: '15m' }),
      'wrong key': jwt.sign(base, randomBytes(48), { ...opts, algorithm: 'HS256', expiresIn: '15m' }),
    };
    const answers = new Map<string, string>();
    for (const [name, token] of Object.entries(cases)) {
      const res = await app.call('GET', 'auth/me', { token });
      answers.set(name, `${res.status} ${res.text}`);
    }
    const expected = `401 ${JSON.stringify({ error: { code: 'Unauthenticated', message: 'Oturum açmanız gerekiyor.' } })}`;
    const passed = [...answers.values()].filter((a) => a === expected).length;
    console.log(`J1: ${passed}/${answers.size} forged or broken tokens refused with the same 401`);
    expect(Object.fromEntries(answers)).toEqual(Object.fromEntries([...answers.keys()].map((k) => [k, expected])));
    expect((await app.call('GET', 'auth/me', { token: valid })).status).toBe(200);
    expect((await app.call('GET', 'auth/me', { headers: { authorization: `Basic ${valid}` } })).status).toBe(401);
    expect((await app.call('GET', 'auth/me')).status).toBe(401);
  });
});

describe('password reset over HTTP', () => {
  it('answers 202 with the same body for an existing and an unknown account, in either language', async () => {
    const existing = await app.call('POST', 'auth/password-reset', { body: { UserName: 'l3.wrong', Channel: 'email' }, ip: ip() });
    const unknown = await app.call('POST', 'auth/password-reset', { body: { userName: 'no.such.user', channel: 'email' }, ip: ip() });
    const byPhone = await app.call('POST', 'auth/password-reset', { body: { phone: '905550000000' }, ip: ip() });
    expect(existing.status).toBe(202);
    expect(existing.text).toBe(unknown.text);
    expect(byPhone.text).toBe(unknown.text);
    const english = await app.call('POST', 'auth/password-reset', { body: { email: 'x@example.com' }, ip: ip(), headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(english.json).toEqual({ status: 'accepted', message: 'If an account matches, a password reset link or code has been sent.' });
  });

  it('limits reset requests per IP with 429 and Retry-After', async () => {
    const address = ip();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await app.call('POST', 'auth/password-reset', { body: { userName: `who.${i}` }, ip: address })).status);
    expect(statuses.slice(0, 10).every((s) => s === 202)).toBe(true);
    expect(statuses[10]).toBe(429);
  }, 30_000);

  it('refuses a confirmation with a bad token or code with one 400', async () => {
    const token = await app.call('POST', 'auth/password-reset/confirm', { body: { token: randomBytes(32).toString('base64url'), newPassword: 'a long enough passphrase' }, ip: ip() });
    const code = await app.call('POST', 'auth/password-reset/confirm', { body: { code: '123456', userName: 'l3.wrong', newPassword: 'a long enough passphrase' }, ip: ip() });
    expect(token.status).toBe(400);
    expect(code.text).toBe(token.text);
    expect((token.json as { error: { code: string } }).error.code).toBe('PasswordResetInvalid');
  });
});

describe('bad input', () => {
  it('answers wrong types, missing fields, huge and hostile values with a 4xx and an error code, never a 5xx', async () => {
    const bodies: unknown[] = [
      {},
      { userName: 'admin' },
      { userName: 42, password: true },
      { userName: ['admin'], password: { $ne: null } },
      { userName: 'a'.repeat(1024 * 1024), password: 'x' },
      { userName: 'ad\u0000min\r\n\u001b[31m', password: 'p\u0000w' },
      'not json at all',
      '{"userName": "admin", "password": ',
      null,
      [1, 2, 3],
    ];
    for (const body of bodies) {
      const res = await app.call('POST', 'auth/login', { body: body === null ? 'null' : body, ip: ip() });
      expect(res.status, JSON.stringify(body)?.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect((res.json as { error?: { code?: string } }).error?.code).toMatch(/^[A-Z][A-Za-z]+$/);
    }
    const wrongType = await app.call('POST', 'auth/login', { body: 'userName=admin', ip: ip(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(wrongType.status).toBe(415);
    for (const route of ['auth/refresh', 'auth/password-reset', 'auth/password-reset/confirm']) {
      for (const body of [{}, { refreshToken: 5, token: [], code: {}, userName: 1 }, { refreshToken: 'x'.repeat(100_000) }]) {
        const res = await app.call('POST', route, { body, ip: ip() });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    }
  }, 60_000);
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
