// Admin endpoints through the local host over real sockets: role guard, SECURITY.md §9 T1 (tenant matrix) and T2
// (firm smuggling), operator management, token revocation on role change and deactivation, the audit log API.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperator } from '../../../src/admin/create-operator';
import { loadConfig } from '../../../src/config';
import { systemClock } from '../../../src/shared/clock';
import { startAuthHttpHost, type AuthHttpHost } from '../../support/auth-http-host';

let app: AuthHttpHost;
const ip = () => `192.0.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

interface Principal {
  name: string;
  firmId: number;
  role: 'Admin' | 'Agent';
  token: string;
  id: string;
}
const principals: Record<string, Principal> = {};
const targets: Record<'A' | 'B', string> = { A: '', B: '' };

async function login(userName: string, password: string): Promise<{ token: string; id: string; refreshToken: string }> {
  const res = await app.call('POST', 'auth/login', { body: { userName, password }, ip: ip() });
  expect(res.status, `${userName}: ${res.text}`).toBe(200);
  const json = res.json as { accessToken: string; refreshToken: string; operator: { id: string } };
  return { token: json.accessToken, id: json.operator.id, refreshToken: json.refreshToken };
}

beforeAll(async () => {
  app = await startAuthHttpHost();
  const deps = { db: app.database.db, clock: systemClock, config: loadConfig(process.env) };
  const now = new Date();
  await app.database.db.insertInto('WhatsApp_FirmSettings').values({ FirmId: 2, DisplayName: 'Firm B', CreatedAt: now, UpdatedAt: now }).execute();
  const seed = [
    { name: 'A-Agent', firmId: 1, role: 'Agent' as const, userName: 'a.agent' },
    { name: 'B-Admin', firmId: 2, role: 'Admin' as const, userName: 'b.admin' },
    { name: 'B-Agent', firmId: 2, role: 'Agent' as const, userName: 'b.agent' },
  ];
  for (const p of seed) await createOperator(deps, { firmId: p.firmId, userName: p.userName, fullName: p.name, role: p.role, language: 'tr', password: 'tenant matrix passphrase' });
  const a = await login('admin', app.adminPassword);
  principals['A-Admin'] = { name: 'A-Admin', firmId: 1, role: 'Admin', ...a };
  for (const p of seed) principals[p.name] = { name: p.name, firmId: p.firmId, role: p.role, ...(await login(p.userName, 'tenant matrix passphrase')) };
  const targetA = await createOperator(deps, { firmId: 1, userName: 'target.a', fullName: 'Target A', email: 'target.a@example.com', role: 'Agent', language: 'tr', password: 'tenant matrix passphrase' });
  const targetB = await createOperator(deps, { firmId: 2, userName: 'target.b', fullName: 'Target B', email: 'target.b@example.com', role: 'Agent', language: 'tr', password: 'tenant matrix passphrase' });
  targets.A = targetA.Id;
  targets.B = targetB.Id;
}, 60_000);

afterAll(async () => {
  await app.stop();
});

async function snapshot() {
  const db = app.database.db;
  return JSON.stringify({
    operators: await db.selectFrom('WhatsApp_Operators').selectAll().where('Id', 'in', [targets.A, targets.B]).orderBy('Id').execute(),
    resets: await db.selectFrom('WhatsApp_PasswordResetTokens').select(['Id', 'OperatorId']).orderBy('Id').execute(),
  });
}

describe('T1 tenant and role matrix', () => {
  it('other firm ⇒ 404 and nothing changes; Agent ⇒ 403; same-firm Admin ⇒ success', async () => {
    const endpoints = [
      { verb: 'GET', path: (id: string) => `admin/operators/${id}`, ok: 200 },
      { verb: 'PATCH', path: (id: string) => `admin/operators/${id}`, ok: 200, body: (who: string) => ({ fullName: `Renamed by ${who}` }) },
      { verb: 'POST', path: (id: string) => `admin/operators/${id}/unlock`, ok: 200 },
      { verb: 'POST', path: (id: string) => `admin/operators/${id}/password-reset`, ok: 202, body: () => ({ channel: 'email' }) },
    ];
    let cells = 0;
    const leaks: string[] = [];
    for (const endpoint of endpoints) {
      for (const principal of Object.values(principals)) {
        for (const [firm, targetId] of Object.entries(targets)) {
          cells += 1;
          const before = await snapshot();
          const res = await app.call(endpoint.verb, endpoint.path(targetId), { token: principal.token, body: endpoint.body?.(principal.name), ip: ip() });
          const sameFirm = (firm === 'A') === (principal.firmId === 1);
          const expected = principal.role === 'Agent' ? 403 : sameFirm ? endpoint.ok : 404;
          const cell = `${endpoint.verb} ${endpoint.path('{id}')} as ${principal.name} on firm ${firm}`;
          if (res.status !== expected) leaks.push(`${cell}: ${res.status} ${res.text.slice(0, 120)}`);
          if (expected !== endpoint.ok && (await snapshot()) !== before) leaks.push(`${cell}: changed data`);
          if (expected === 404 && res.text.includes(targetId)) leaks.push(`${cell}: echoed the other firm's object`);
        }
      }
    }
    for (const principal of Object.values(principals)) {
      for (const route of ['admin/operators', 'admin/audit-logs?limit=200']) {
        cells += 1;
        const res = await app.call('GET', route, { token: principal.token, ip: ip() });
        if (principal.role === 'Agent') {
          if (res.status !== 403) leaks.push(`GET ${route} as ${principal.name}: ${res.status}`);
          continue;
        }
        const items = (res.json as { items: { firmId?: number; id: string; entityId?: string }[] }).items;
        const foreign = principal.firmId === 1 ? targets.B : targets.A;
        if (res.status !== 200 || items.some((i) => (i.firmId !== undefined && i.firmId !== principal.firmId) || i.id === foreign || i.entityId === foreign)) {
          leaks.push(`GET ${route} as ${principal.name}: shows another firm's rows`);
        }
      }
    }
    console.log(`T1: ${cells} endpoint × principal × object cells, ${leaks.length} leaks`);
    expect(leaks).toEqual([]);
  }, 120_000);

  it('audits every 403 with firm, actor, IP, user agent and time', async () => {
    const agent = principals['B-Agent'];
    if (!agent) throw new Error('seed missing');
    const res = await app.call('GET', 'admin/operators', { token: agent.token, ip: '198.51.100.7', headers: { 'user-agent': 'matrix-test/1.0' } });
    expect(res.status).toBe(403);
    const row = await app.database.db
      .selectFrom('WhatsApp_AuditLogs')
      .selectAll()
      .where('Action', '=', 'authz_fail')
      .where('IpAddress', '=', '198.51.100.7')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ FirmId: 2, ActorOperatorId: agent.id, UserAgent: 'matrix-test/1.0' });
    expect(Math.abs(row.CreatedAt.getTime() - Date.now())).toBeLessThan(60_000);
  });
});

describe('T2 firm smuggling', () => {
  it('ignores a firm id in the body, query or headers, and refuses unknown fields on update', async () => {
    const admin = principals['A-Admin'];
    if (!admin) throw new Error('seed missing');
    const created = await app.call('POST', 'admin/operators?firmId=2', {
      token: admin.token,
      body: { userName: 'smuggled', fullName: 'Smuggled', role: 'Agent', password: 'smuggling attempt passphrase', firmId: 2, FirmId: 2 },
      headers: { 'x-firm-id': '2' },
      ip: ip(),
    });
    expect(created.status).toBe(201);
    expect((created.json as { firmId: number }).firmId).toBe(1);
    const patched = await app.call('PATCH', `admin/operators/${(created.json as { id: string }).id}`, { token: admin.token, body: { fullName: 'x', firmId: 2 }, ip: ip() });
    expect(patched.status).toBe(400);
    const mismatch = await app.call('PATCH', `admin/operators/${targets.A}`, { token: admin.token, body: { id: targets.B, fullName: 'Mismatch' }, ip: ip() });
    expect(mismatch.status).toBe(400);
    console.log('T2: 3/3 cases passed (body/query/header firm ignored on create, unknown fields and id in body refused on update)');
  });
});

describe('operator management', () => {
  it('creates an Agent who signs in and is refused admin routes; duplicate names are 409', async () => {
    const admin = principals['A-Admin'];
    if (!admin) throw new Error('seed missing');
    const res = await app.call('POST', 'admin/operators', { token: admin.token, body: { UserName: 'New.Agent', FullName: 'Yeni Ajan', Role: 'Agent', Password: 'yeni ajan parolası uzun' }, ip: ip() });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ userName: 'New.Agent', role: 'Agent', isActive: true, firmId: 1 });
    const agent = await login('new.agent', 'yeni ajan parolası uzun');
    expect((await app.call('GET', 'admin/operators', { token: agent.token, ip: ip() })).status).toBe(403);
    const again = await app.call('POST', 'admin/operators', { token: admin.token, body: { userName: 'NEW.AGENT', fullName: 'Twin', role: 'Agent', password: 'another long passphrase' }, ip: ip() });
    expect(again.status).toBe(409);
    const weak = await app.call('POST', 'admin/operators', { token: admin.token, body: { userName: 'weak.one', fullName: 'Weak', role: 'Agent', password: 'password' }, ip: ip() });
    expect(weak.status).toBe(422);
    expect((weak.json as { error: { rules: string[] } }).error.rules).toEqual(['TooShort', 'Common']);
  });

  it('a role change or a deactivation rejects the operator’s tokens on the next request', async () => {
    const admin = principals['A-Admin'];
    if (!admin) throw new Error('seed missing');
    const created = await app.call('POST', 'admin/operators', { token: admin.token, body: { userName: 'promote.me', fullName: 'Promote Me', role: 'Agent', password: 'promotion passphrase' }, ip: ip() });
    const id = (created.json as { id: string }).id;
    const before = await login('promote.me', 'promotion passphrase');
    expect((await app.call('GET', 'auth/me', { token: before.token })).status).toBe(200);
    const promoted = await app.call('PATCH', `admin/operators/${id}`, { token: admin.token, body: { role: 'Admin' }, ip: ip() });
    expect(promoted.json).toMatchObject({ role: 'Admin' });
    expect((await app.call('GET', 'auth/me', { token: before.token })).status).toBe(401);
    expect((await app.call('POST', 'auth/refresh', { body: { refreshToken: before.refreshToken }, ip: ip() })).status).toBe(401);
    const after = await login('promote.me', 'promotion passphrase');
    expect((await app.call('GET', 'admin/operators', { token: after.token, ip: ip() })).status).toBe(200);
    await app.call('PATCH', `admin/operators/${id}`, { token: admin.token, body: { isActive: false }, ip: ip() });
    expect((await app.call('GET', 'auth/me', { token: after.token })).status).toBe(401);
    expect((await app.call('POST', 'auth/login', { body: { userName: 'promote.me', password: 'promotion passphrase' }, ip: ip() })).status).toBe(401);
    const actions = (await app.database.db.selectFrom('WhatsApp_AuditLogs').select('Action').where('EntityId', '=', id).execute()).map((r) => r.Action);
    expect(actions).toEqual(expect.arrayContaining(['user_created', 'privilege_permissions_changed', 'user_archived', 'user_updated']));
  });

  it('refuses to let an admin demote or deactivate themselves', async () => {
    const admin = principals['A-Admin'];
    if (!admin) throw new Error('seed missing');
    expect((await app.call('PATCH', `admin/operators/${admin.id}`, { token: admin.token, body: { role: 'Agent' }, ip: ip() })).status).toBe(409);
    expect((await app.call('PATCH', `admin/operators/${admin.id}`, { token: admin.token, body: { isActive: false }, ip: ip() })).status).toBe(409);
  });

  it('unlocks a locked operator', async () => {
    const admin = principals['A-Admin'];
    if (!admin) throw new Error('seed missing');
    await app.database.db.updateTable('WhatsApp_Operators').set({ LockoutUntil: new Date(Date.now() + 600_000), FailedLoginCount: 5 }).where('Id', '=', targets.A).execute();
    expect((await app.call('POST', 'auth/login', { body: { userName: 'target.a', password: 'tenant matrix passphrase' }, ip: ip() })).status).toBe(401);
    const res = await app.call('POST', `admin/operators/${targets.A}/unlock`, { token: admin.token, ip: ip() });
    expect(res.json).toMatchObject({ lockedUntil: null, failedLoginCount: 0 });
    expect((await app.call('POST', 'auth/login', { body: { userName: 'target.a', password: 'tenant matrix passphrase' }, ip: ip() })).status).toBe(200);
  });

  it('creates an operator without a password and sends a reset instead', async () => {
    const admin = principals['A-Admin'];
    if (!admin) throw new Error('seed missing');
    const res = await app.call('POST', 'admin/operators', { token: admin.token, body: { userName: 'invited.one', fullName: 'Invited', role: 'Agent', phone: '905551234567', language: 'en' }, ip: ip() });
    expect(res.status).toBe(201);
    const id = (res.json as { id: string }).id;
    const notes = await app.database.db.selectFrom('WhatsApp_Notifications').select(['Kind', 'Channel', 'Recipient', 'Language']).where('OperatorId', '=', id).execute();
    expect(notes).toEqual([{ Kind: 'password-reset-code', Channel: 'sms', Recipient: '905551234567', Language: 'en' }]);
    const neither = await app.call('POST', 'admin/operators', { token: admin.token, body: { userName: 'no.way', fullName: 'No Way', role: 'Agent' }, ip: ip() });
    expect(neither.status).toBe(400);
  });

  it('answers malformed ids and bodies with 4xx, never 5xx', async () => {
    const admin = principals['A-Admin'];
    if (!admin) throw new Error('seed missing');
    for (const [verb, path, body] of [
      ['GET', 'admin/operators/not-an-id', undefined],
      ['GET', `admin/operators/${'9'.repeat(36)}`, undefined],
      ['PATCH', `admin/operators/${targets.A}`, { role: 'Owner' }],
      ['PATCH', `admin/operators/${targets.A}`, {}],
      ['PATCH', `admin/operators/${targets.A}`, { email: 'not-an-email' }],
      ['POST', 'admin/operators', { userName: 'x\u0000y', fullName: 'a'.repeat(10_000), role: 'Agent', password: 'long enough passphrase' }],
      ['GET', 'admin/audit-logs?limit=0', undefined],
      ['GET', 'admin/audit-logs?cursor=%%%', undefined],
      ['GET', 'admin/audit-logs?from=yesterday', undefined],
    ] as const) {
      const res = await app.call(verb, path, { token: admin.token, body, ip: ip() });
      expect(res.status, `${verb} ${path}: ${res.text}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});

describe('audit log API', () => {
  it('pages the firm’s rows newest first and filters by action and operator', async () => {
    const admin = principals['A-Admin'];
    if (!admin) throw new Error('seed missing');
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `admin/audit-logs?limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await app.call('GET', query, { token: admin.token, ip: ip() });
      expect(res.status).toBe(200);
      const page = res.json as { items: { sequence: number }[]; nextCursor: string | null };
      seen.push(...page.items.map((i) => i.sequence));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.at(-1)).toBe(1);
    const logins = await app.call('GET', `admin/audit-logs?action=authn_login_success&operatorId=${admin.id}`, { token: admin.token, ip: ip() });
    const items = (logins.json as { items: { action: string; actorOperatorId: string; ipAddress: string; createdAt: string }[] }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.action === 'authn_login_success' && i.actorOperatorId === admin.id && i.ipAddress && i.createdAt.endsWith('Z'))).toBe(true);
  });
});
