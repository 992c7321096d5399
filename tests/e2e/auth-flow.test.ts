// The issue's end-to-end flow through the real local host (`node dist/src/devhost/start.js`, its own Azurite) over
// real sockets, plus SECURITY.md §9 A1 (audit coverage), A2 (no secret in any log or row) and J3 (short key refused).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/database';
import { runLocalHostToExit, spawnLocalHostWithDataDir, type SpawnedHostWithData } from '../support/local-host';
import { resetTokenIn, resetTokensIn } from '../support/reset-secrets';

let host: SpawnedHostWithData;
/** Every secret the flow handles; none may appear in the host's output or in any database row. */
const secrets: Record<string, string> = {
  adminPassword: `boss-pw-${randomBytes(9).toString('hex')}`,
  agentPassword: `agent-pw-${randomBytes(9).toString('hex')}`,
  agentNewPassword: `agent-new-${randomBytes(9).toString('hex')}`,
  agentResetPassword: `agent-reset-${randomBytes(9).toString('hex')}`,
  wrongPassword: `wrong-pw-${randomBytes(9).toString('hex')}`,
  jwtKey: randomBytes(48).toString('base64'),
};

async function call(method: string, route: string, options: { token?: string; body?: unknown; ip?: string } = {}) {
  const headers: Record<string, string> = { 'x-forwarded-for': options.ip ?? '203.0.113.10', 'user-agent': 'e2e-auth-flow/1.0' };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${host.ready.baseUrl}/${route}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { accessToken: string; refreshToken: string }, text };
}

beforeAll(async () => {
  host = await spawnLocalHostWithDataDir('ustad-e2e-auth-', {
    args: ['--azurite-ports', '0', '--azurite-in-memory'],
    env: {
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      Jwt__Key: secrets.jwtKey,
      Bootstrap__AdminPassword: secrets.adminPassword,
      Bootstrap__AdminUserName: 'admin',
    },
    timeoutMs: 60_000,
  });
}, 90_000);

afterAll(async () => {
  await host?.stop();
});

function outboxText(file: string): string {
  return (JSON.parse(file) as { text: string }).text;
}

async function waitForOutbox(match: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const folder = path.join(host.dataDir, 'outbox');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let files: string[] = [];
    try {
      files = readdirSync(folder);
    } catch {
      files = [];
    }
    for (const file of files) {
      const text = readFileSync(path.join(folder, file), 'utf8');
      if (match(text)) return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('no matching outbox message arrived');
}

describe('the issue’s flow through the running local host', () => {
  it('admin (old body shape) creates an Agent; the Agent signs in, is refused admin routes, refreshes; reuse signs both out', async () => {
    const admin = await call('POST', 'auth/login', { body: { UserName: 'admin', Password: secrets.adminPassword } });
    expect(admin.status).toBe(200);
    const created = await call('POST', 'admin/operators', {
      token: admin.json.accessToken,
      body: { userName: 'agent.ayse', fullName: 'Ayşe Yılmaz', email: 'ayse@example.com', role: 'Agent', password: secrets.agentPassword },
    });
    expect(created.status).toBe(201);
    const agent = await call('POST', 'auth/login', { body: { userName: 'agent.ayse', password: secrets.agentPassword }, ip: '203.0.113.20' });
    expect(agent.status).toBe(200);
    expect((agent.json as unknown as { operator: { role: string } }).operator.role).toBe('Agent');
    expect((await call('GET', 'admin/operators', { token: agent.json.accessToken, ip: '203.0.113.20' })).status).toBe(403);
    const refreshed = await call('POST', 'auth/refresh', { body: { refreshToken: agent.json.refreshToken }, ip: '203.0.113.20' });
    expect(refreshed.status).toBe(200);
    expect((await call('GET', 'auth/me', { token: refreshed.json.accessToken })).status).toBe(200);
    const reuse = await call('POST', 'auth/refresh', { body: { refreshToken: agent.json.refreshToken }, ip: '198.51.100.66' });
    expect(reuse.status).toBe(401);
    expect((await call('POST', 'auth/refresh', { body: { refreshToken: refreshed.json.refreshToken }, ip: '203.0.113.20' })).status).toBe(401);
    expect((await call('GET', 'auth/me', { token: refreshed.json.accessToken })).status).toBe(401);
    expect((await call('GET', 'auth/me', { token: agent.json.accessToken })).status).toBe(401);
    // The admin's own session is untouched.
    expect((await call('GET', 'auth/me', { token: admin.json.accessToken })).status).toBe(200);
  }, 60_000);

  it('resets a password by e-mail through the notifications queue worker and the local outbox', async () => {
    const accepted = await call('POST', 'auth/password-reset', { body: { email: 'AYSE@example.com' }, ip: '203.0.113.21' });
    expect(accepted.status).toBe(202);
    const mail = await waitForOutbox((text) => text.includes('ayse@example.com') && resetTokensIn(outboxText(text)).length > 0);
    const token = resetTokenIn(outboxText(mail));
    secrets['resetToken'] = token;
    const confirmed = await call('POST', 'auth/password-reset/confirm', { body: { token, newPassword: secrets.agentResetPassword }, ip: '203.0.113.21' });
    expect(confirmed.status).toBe(204);
    await waitForOutbox((text) => text.includes('ayse@example.com') && text.includes('sıfırlandı'));
    const agent = await call('POST', 'auth/login', { body: { userName: 'agent.ayse', password: secrets.agentResetPassword }, ip: '203.0.113.22' });
    expect(agent.status).toBe(200);
    const changed = await call('POST', 'auth/password', { token: agent.json.accessToken, body: { currentPassword: secrets.agentResetPassword, newPassword: secrets.agentNewPassword }, ip: '203.0.113.22' });
    expect(changed.status).toBe(200);
    expect((await call('GET', 'auth/me', { token: agent.json.accessToken })).status).toBe(401);
    expect((await call('POST', 'auth/logout', { token: changed.json.accessToken, ip: '203.0.113.22' })).status).toBe(204);
    expect((await call('GET', 'auth/me', { token: changed.json.accessToken })).status).toBe(401);
    for (const token of [agent.json.accessToken, agent.json.refreshToken, changed.json.accessToken, changed.json.refreshToken]) secrets[`token${Object.keys(secrets).length}`] = token;
  }, 60_000);

  it('A1: every expected event is in the audit log with firm, actor, IP and UTC time', async () => {
    const admin = await call('POST', 'auth/login', { body: { userName: 'admin', password: secrets.adminPassword } });
    secrets['adminToken'] = admin.json.accessToken;
    for (let i = 0; i < 5; i += 1) await call('POST', 'auth/login', { body: { userName: 'agent.ayse', password: secrets.wrongPassword }, ip: `203.0.113.${30 + i}` });
    const list = await call('GET', 'admin/operators', { token: admin.json.accessToken });
    const ayse = (list.json as unknown as { items: { id: string; userName: string }[] }).items.find((o) => o.userName === 'agent.ayse');
    if (!ayse) throw new Error('agent missing');
    await call('POST', `admin/operators/${ayse.id}/unlock`, { token: admin.json.accessToken });
    await call('PATCH', `admin/operators/${ayse.id}`, { token: admin.json.accessToken, body: { role: 'Admin' } });
    await call('PATCH', `admin/operators/${ayse.id}`, { token: admin.json.accessToken, body: { isActive: false } });
    const rows: { action: string; actorOperatorId: string | null; ipAddress: string | null; createdAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `admin/audit-logs?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.json.accessToken });
      const body = page.json as unknown as { items: typeof rows; nextCursor: string | null };
      rows.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    const expected = [
      'user_created',
      'authn_login_success',
      'authn_login_fail',
      'authn_login_lock',
      'user_unlocked',
      'authz_fail',
      'authn_token_reuse',
      'session_logout',
      'authn_password_change',
      'authn_password_reset_request',
      'authn_password_reset_complete',
      'privilege_permissions_changed',
      'user_archived',
      'user_updated',
    ];
    const found = expected.filter((action) =>
      rows.some((r) => r.action === action && r.actorOperatorId && r.ipAddress && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(r.createdAt)),
    );
    console.log(`A1: ${found.length}/${expected.length} expected events found with firm, actor, IP and UTC time (${rows.length} rows in firm 1)`);
    expect(found).toEqual(expected);
  }, 60_000);

  it('A2: no password, token, code or key in the host output or in any database row', async () => {
    const output = host.output();
    const database = createDatabase({ kind: 'sqlite', path: path.join(host.dataDir, 'inbox.db') });
    let dump = '';
    try {
      for (const table of ['WhatsApp_Operators', 'WhatsApp_AuditLogs', 'WhatsApp_RefreshTokens', 'WhatsApp_PasswordResetTokens', 'WhatsApp_Notifications'] as const) {
        dump += JSON.stringify(await database.db.selectFrom(table).selectAll().execute());
      }
    } finally {
      await database.close();
    }
    const hits = Object.entries(secrets).filter(([, value]) => value.length >= 16 && (output.includes(value) || dump.includes(value)));
    const bearer = /Bearer\s+ey/i.test(output) || /authorization/i.test(output);
    console.log(`A2: ${Object.keys(secrets).length} seeded secrets × (host output ${output.length} chars + ${dump.length} chars of rows): ${hits.length} hits${bearer ? ', Authorization header seen' : ''}`);
    expect(hits.map(([name]) => name)).toEqual([]);
    expect(bearer).toBe(false);
  });
});

describe('J3 key guard', () => {
  it('refuses to start with a 31-byte Jwt__Key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ustad-e2e-key-'));
    try {
      const result = await runLocalHostToExit({
        args: ['--azurite-ports', '0', '--azurite-in-memory'],
        env: { LOCAL_DATA_DIR: dir, AzureWebJobsStorage: 'UseDevelopmentStorage=true', Jwt__Key: 'k'.repeat(31) },
        timeoutMs: 60_000,
      });
      console.log(`J3: exit code ${result.code}; ${/Jwt__Key/.test(result.output) ? 'names Jwt__Key' : 'does not name the setting'}`);
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/Jwt__Key must be at least 32 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
