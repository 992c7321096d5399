// SECURITY.md §9 T4 through the local host: tokens from POST /api/realtime/negotiate for 1,000 random operators carry
// their firm in the user id, only their firm's groups, no role claim and a 15-minute life; the emulator refuses joins
// and publishes from such a client.
import { SendMessageError, WebPubSubClient } from '@azure/web-pubsub-client';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/auth/password-hash';
import { startSession } from '../../../src/auth/sessions';
import { loadConfig } from '../../../src/config';
import type { OperatorRow } from '../../../src/db/tables';
import { newId } from '../../../src/shared/ids';
import { seededRandom } from '../../../scripts/seeded-random';
import { startTestStack, type StackOperator, type TestStack } from '../../support/test-stack';
import { seedFirm } from '../../support/webhook-fixtures';

const USERS = 1000;
const FIRMS = [1, 2, 3, 4, 5];

let stack: TestStack;
let operators: StackOperator[];

beforeAll(async () => {
  stack = await startTestStack();
  const db = stack.database.db;
  for (const firmId of FIRMS.slice(2)) await seedFirm(db, firmId, []);
  const config = loadConfig(process.env);
  const passwordHash = await hashPassword('unused-password-for-t4', 1000);
  // Seeded, so a failing draw can be replayed.
  const next = seededRandom(20260601);
  const now = new Date();
  const rows: OperatorRow[] = Array.from({ length: USERS }, (_, i) => {
    const id = newId();
    return {
      Id: id,
      FirmId: FIRMS[Math.floor(next() * FIRMS.length)] ?? 1,
      UserName: `t4-user-${i}`,
      UserNameNormalized: `t4-user-${i}`,
      FullName: `T4 User ${i}`,
      Email: null,
      EmailNormalized: null,
      Phone: null,
      Role: next() < 0.3 ? 'Admin' : 'Agent',
      PasswordHash: passwordHash,
      IsActive: true,
      FailedLoginCount: 0,
      LockoutUntil: null,
      LastLoginAt: null,
      LastLoginIp: null,
      TokenVersion: 0,
      PasswordChangedAt: now,
      PreferredLanguage: 'tr',
      CreatedAt: now,
      UpdatedAt: now,
    };
  });
  for (let i = 0; i < rows.length; i += 100) await db.insertInto('WhatsApp_Operators').values(rows.slice(i, i + 100)).execute();
  operators = [];
  // Sessions as sign-in starts them (1,000 sign-ins would spend their time hashing passwords), in one commit.
  await db.transaction().execute(async (trx) => {
    for (const row of rows) {
      const pair = await startSession({ config }, trx, row, { ip: '127.0.0.1', userAgent: 't4' }, now);
      operators.push({ id: row.Id, firmId: row.FirmId, role: row.Role as 'Admin' | 'Agent', userName: row.UserName, accessToken: pair.accessToken });
    }
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('T4: negotiated Web PubSub tokens', () => {
  it(`are scoped to the caller for ${USERS} random operators`, async () => {
    const endpoint = /Endpoint=([^;]+)/.exec(process.env['WebPubSubConnectionString'] ?? '')?.[1] ?? '';
    const accessKey = /AccessKey=([^;]+)/.exec(process.env['WebPubSubConnectionString'] ?? '')?.[1] ?? '';
    const failures: string[] = [];
    let checked = 0;
    for (let i = 0; i < operators.length; i += 25) {
      await Promise.all(
        operators.slice(i, i + 25).map(async (operator) => {
          const response = await stack.negotiate(operator);
          if (response.status !== 200) {
            failures.push(`${operator.userName}: HTTP ${response.status}`);
            return;
          }
          const { url } = response.body as { url: string };
          const parsed = new URL(url);
          const token = parsed.searchParams.get('access_token') ?? '';
          const claims = jwtPayload(token);
          const firmPrefix = `firm.${operator.firmId}`;
          const groups = claims['webpubsub.group'];
          const expected = [firmPrefix, `${firmPrefix}.${operator.role === 'Admin' ? 'admins' : 'agents'}`];
          const problems = [
            parsed.origin + parsed.pathname === `${endpoint.replace(/^http/, 'ws')}/client/hubs/inbox` ? '' : `url ${parsed.origin}${parsed.pathname}`,
            'role' in claims ? `role claim ${JSON.stringify(claims['role'])}` : '',
            JSON.stringify(groups) === JSON.stringify(expected) ? '' : `groups ${JSON.stringify(groups)}`,
            Array.isArray(groups) && groups.every((g) => g === firmPrefix || String(g).startsWith(`${firmPrefix}.`)) ? '' : 'a group outside the firm',
            claims['sub'] === `${operator.firmId}:${operator.id}` ? '' : `sub ${String(claims['sub'])}`,
            Number(claims['exp']) - Number(claims['iat']) === 900 ? '' : `lifetime ${Number(claims['exp']) - Number(claims['iat'])} s`,
            claims['aud'] === `${endpoint}/client/hubs/inbox` ? '' : `aud ${String(claims['aud'])}`,
            verifies(token, accessKey) ? '' : 'not signed with the AccessKey',
          ].filter(Boolean);
          if (problems.length > 0) failures.push(`${operator.userName}: ${problems.join('; ')}`);
          else checked += 1;
        }),
      );
    }
    console.log(`T4: ${checked}/${USERS} negotiated tokens scoped to their caller (firm in userId, own groups, no roles, 900 s)`);
    expect(failures).toEqual([]);
    expect(checked).toBe(USERS);
  });

  it('give a client that can neither join another group nor publish, and /negotiate needs a live session', async () => {
    const agent = operators.find((o) => o.firmId === 1 && o.role === 'Agent');
    if (!agent) throw new Error('no firm-1 agent drawn');
    const { url } = (await stack.negotiate(agent)).body as { url: string };
    const client = new WebPubSubClient(url, { autoReconnect: false, messageRetryOptions: { maxRetries: 0 } });
    try {
      await client.start();
      await expect(client.joinGroup('firm.2')).rejects.toBeInstanceOf(SendMessageError);
      await expect(client.joinGroup('firm.1.admins')).rejects.toBeInstanceOf(SendMessageError);
      await expect(client.sendToGroup('firm.1', { hello: 'colleagues' }, 'json')).rejects.toBeInstanceOf(SendMessageError);
    } finally {
      client.stop();
    }

    expect((await stack.api('/realtime/negotiate', { method: 'POST' })).status).toBe(401);
    await stack.database.db.updateTable('WhatsApp_Operators').set({ IsActive: false }).where('Id', '=', agent.id).execute();
    expect((await stack.negotiate(agent)).status).toBe(401);
  });
});

/** Decodes a JWT's payload without verifying it (the test checks claims, the emulator checks signatures). */
function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function verifies(token: string, key: string): boolean {
  try {
    jwt.verify(token, key, { algorithms: ['HS256'] });
    return true;
  } catch {
    return false;
  }
}
