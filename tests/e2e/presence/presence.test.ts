// Presence end to end: the emulator's signed connected/disconnected events reach /api/realtime/events, several
// connections count once, colleagues get operator.presence, GET /api/operators/online lists who is online; forged
// events change nothing; closing an operator's connections takes them offline.
import { createHmac } from 'node:crypto';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeOperatorConnections } from '../../../src/realtime/close-operator-connections';
import { startTestStack, type OperatorClient, type StackOperator, type TestStack } from '../../support/test-stack';
import { waitUntil } from '../../support/wait-until';

let stack: TestStack;
let admin1: StackOperator;
let agent1: StackOperator;
let admin2: StackOperator;
let watcher: OperatorClient;
let otherFirmWatcher: OperatorClient;

interface OnlineList {
  operators: { id: string; fullName: string; role: string; onlineSince: string }[];
}

async function online(as: StackOperator): Promise<string[]> {
  const response = await stack.api('/operators/online', { token: as.accessToken });
  expect(response.status).toBe(200);
  return (response.body as OnlineList).operators.map((o) => o.id);
}

const presenceOf = (client: OperatorClient, operatorId: string) =>
  client.events.flatMap((e) => (e.type === 'operator.presence' && e.operatorId === operatorId ? [e.online] : []));

function accessKey(): string {
  const key = /AccessKey=([^;]+)/.exec(process.env['WebPubSubConnectionString'] ?? '')?.[1];
  if (!key) throw new Error('no emulator key');
  return key;
}

function postEvent(headers: Record<string, string>): Promise<Response> {
  return fetch(`${stack.baseUrl}/realtime/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
}

beforeAll(async () => {
  stack = await startTestStack();
  [admin1, agent1, admin2] = await stack.createOperators([1, 'Admin', 'Presence Admin'], [1, 'Agent', 'Presence Agent'], [2, 'Admin', 'Presence Other']);
  watcher = await stack.connect(admin1);
  otherFirmWatcher = await stack.connect(admin2);
  await waitUntil('the watchers online', async () => (await online(admin1)).includes(admin1.id) && (await online(admin2)).includes(admin2.id));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('presence', () => {
  it('counts several connections once and tells the firm (only) when the operator comes and goes', async () => {
    expect(await online(admin1)).toEqual([admin1.id]);
    const first = await stack.connect(agent1, { reliable: false });
    await waitUntil('agent online', () => presenceOf(watcher, agent1.id).length === 1);
    expect(await online(admin1)).toEqual(expect.arrayContaining([admin1.id, agent1.id]));
    // An agent sees who is online too; another firm does not.
    expect((await online(agent1)).sort()).toEqual([admin1.id, agent1.id].sort());
    expect(await online(admin2)).toEqual([admin2.id]);

    const second = await stack.connect(agent1, { reliable: false });
    first.client.stop();
    await waitUntil('first connection closed', () => first.disconnected);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await online(admin1)).toContain(agent1.id);
    expect(presenceOf(watcher, agent1.id)).toEqual([true]);

    second.client.stop();
    await waitUntil('agent offline', () => presenceOf(watcher, agent1.id).length === 2);
    expect(presenceOf(watcher, agent1.id)).toEqual([true, false]);
    expect(await online(admin1)).toEqual([admin1.id]);
    expect(presenceOf(otherFirmWatcher, agent1.id)).toEqual([]);
    const presence = watcher.events.find((e) => e.type === 'operator.presence' && e.operatorId === agent1.id);
    expect(presence).toMatchObject({ firmId: 1, fullName: 'Presence Agent', online: true });
  });

  it('closeOperatorConnections ends every connection of the operator and takes them offline', async () => {
    const a = await stack.connect(agent1);
    const b = await stack.connect(agent1);
    await waitUntil('agent online', async () => (await online(admin1)).includes(agent1.id));
    const config = { webPubSub: { connectionString: process.env['WebPubSubConnectionString'], hub: 'inbox' } };
    expect(await closeOperatorConnections({ config }, 1, agent1.id, 'deactivated')).toBe(true);
    await waitUntil('both connections closed', () => a.disconnected && b.disconnected);
    await waitUntil('agent offline', async () => !(await online(admin1)).includes(agent1.id));
    expect(watcher.disconnected).toBe(false);
  });

  it('closes, instead of counting, a connection of an operator deactivated after negotiating', async () => {
    const late = await stack.createOperator(1, 'Agent', 'Late Leaver');
    const { url } = (await stack.negotiate(late)).body as { url: string };
    await stack.database.db.updateTable('WhatsApp_Operators').set({ IsActive: false }).where('Id', '=', late.id).execute();
    const client = new WebPubSubClient(url, { autoReconnect: false });
    let disconnected = false;
    client.on('disconnected', () => {
      disconnected = true;
    });
    try {
      await client.start();
      await waitUntil('the server to close the connection', () => disconnected);
      expect(await online(admin1)).not.toContain(late.id);
      expect(presenceOf(watcher, late.id)).toEqual([]);
    } finally {
      client.stop();
    }
  });

  it('GET /api/operators/online needs a signed-in operator', async () => {
    expect((await stack.api('/operators/online')).status).toBe(401);
    expect((await stack.api('/operators/online', { token: 'not-a-token' })).status).toBe(401);
  });
});

describe('the event handler endpoint', () => {
  it('answers the abuse-protection handshake for its own Web PubSub only', async () => {
    const ok = await fetch(`${stack.baseUrl}/realtime/events`, { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': '127.0.0.1' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('webhook-allowed-origin')).toBe('127.0.0.1');
    const other = await fetch(`${stack.baseUrl}/realtime/events`, { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': 'evil.webpubsub.azure.com' } });
    expect(other.status).toBe(400);
    expect(other.headers.get('webhook-allowed-origin')).toBeNull();
  });

  it('refuses unsigned and forged events with 401 and records nothing', async () => {
    const before = await online(admin1);
    const seen = presenceOf(watcher, agent1.id).length;
    const connectionId = 'forged-connection-1';
    const base = {
      'ce-specversion': '1.0',
      'ce-awpsversion': '1.0',
      'ce-type': 'azure.webpubsub.sys.connected',
      'ce-hub': 'inbox',
      'ce-eventName': 'connected',
      'ce-connectionId': connectionId,
      'ce-userId': `1:${agent1.id}`,
    };
    const sign = (key: string, id = connectionId) => `sha256=${createHmac('sha256', Buffer.from(key, 'utf8')).update(id).digest('hex')}`;
    const attempts: Record<string, string>[] = [
      base,
      { ...base, 'ce-signature': '' },
      { ...base, 'ce-signature': 'sha256=' + '0'.repeat(64) },
      { ...base, 'ce-signature': sign('some-other-access-key-0123456789abcdef') },
      { ...base, 'ce-signature': sign(accessKey(), 'another-connection') },
      { ...base, 'ce-signature': sign(accessKey()).replace('sha256=', 'sha1=') },
    ];
    for (const headers of attempts) expect((await postEvent(headers)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await online(admin1)).toEqual(before);
    expect(presenceOf(watcher, agent1.id)).toHaveLength(seen);

    // The same event signed with the real key (any of several comma-separated values, any hex case) is taken.
    const signed = `sha256=${'ab'.repeat(32)}, ${sign(accessKey()).toUpperCase().replace('SHA256=', 'sha256=')}`;
    expect((await postEvent({ ...base, 'ce-signature': signed })).status).toBe(204);
    await waitUntil('agent online through the signed event', async () => (await online(admin1)).includes(agent1.id));
    expect((await postEvent({ ...base, 'ce-type': 'azure.webpubsub.sys.disconnected', 'ce-eventName': 'disconnected', 'ce-signature': sign(accessKey()) })).status).toBe(204);
    await waitUntil('agent offline again', async () => !(await online(admin1)).includes(agent1.id));
  });
});
