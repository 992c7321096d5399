// `npm start` (the compiled dev host as its own process) with no WebPubSubConnectionString: it starts the Web PubSub
// emulator, points the event handler at the app, and a signed webhook reaches a signed-in admin's WebPubSubClient.
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { expect, test } from 'vitest';
import { signWebhookBody } from '../../../src/devhost/graph-simulator/sign-webhook-body';
import { RealtimeClientEventSchema, type RealtimeClientEvent } from '../../../src/realtime/realtime-events.schemas';
import { spawnLocalHostWithDataDir } from '../../support/local-host';
import { testStorageConnectionString } from '../../support/test-storage';
import { waitUntil } from '../../support/wait-until';
import { messagesBody, textMessage } from '../../support/webhook-fixtures';

const APP_SECRET = 'npm-start-realtime-secret-77';
const PHONE = '100000000000009';
const PASSWORD = 'Npm-Start-Realtime-2026';

test('npm start wires the Web PubSub emulator: webhook → WebPubSubClient, connected → /api/operators/online', async () => {
  const host = await spawnLocalHostWithDataDir('ustad-realtime-npm-', {
    env: {
      AzureWebJobsStorage: testStorageConnectionString(),
      ConnectionStrings__DefaultConnection: undefined,
      Database__SqlitePath: undefined,
      WebPubSubConnectionString: undefined,
      WebPubSub__Hub: undefined,
      Jwt__Key: 'npm-start-realtime-jwt-key-0123456789abcdefghij',
      WhatsApp__AppSecret: APP_SECRET,
      WhatsApp__AccessToken: 'EAA-npm-start-realtime',
      WhatsApp__PhoneNumberId: PHONE,
      Bootstrap__FirmId: '1',
      Bootstrap__AdminUserName: 'admin',
      Bootstrap__AdminPassword: PASSWORD,
    },
    timeoutMs: 30_000,
  });
  const client: { current?: WebPubSubClient } = {};
  try {
    expect(host.output()).toMatch(/Web PubSub\s+http:\/\/127\.0\.0\.1:\d+ \(local emulator, hub inbox\)/);
    const api = host.ready.baseUrl;
    const login = await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName: 'admin', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const { accessToken, operator } = (await login.json()) as { accessToken: string; operator: { id: string } };
    const auth = { authorization: `Bearer ${accessToken}` };

    const negotiated = await fetch(`${api}/realtime/negotiate`, { method: 'POST', headers: auth });
    expect(negotiated.status).toBe(200);
    const { url } = (await negotiated.json()) as { url: string };
    const events: RealtimeClientEvent[] = [];
    client.current = new WebPubSubClient(url, { autoReconnect: false });
    client.current.on('server-message', ({ message }) => events.push(RealtimeClientEventSchema.parse(message.data)));
    await client.current.start();

    await waitUntil('the admin listed online', async () => {
      const response = await fetch(`${api}/operators/online`, { headers: auth });
      return ((await response.json()) as { operators: { id: string }[] }).operators.some((o) => o.id === operator.id);
    });
    await waitUntil('own presence event', () => events.some((e) => e.type === 'operator.presence' && e.operatorId === operator.id && e.online));

    const body = messagesBody(PHONE, { contacts: [{ profile: { name: 'Npm Customer' }, wa_id: '905551112233' }], messages: [textMessage('wamid.npm-start-1', '905551112233', 'npm start merhaba', Math.floor(Date.now() / 1000))] });
    const webhook = await fetch(`${api}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(APP_SECRET, body) }, body });
    expect(webhook.status).toBe(200);
    await waitUntil('message.created', () => events.some((e) => e.type === 'message.created'));
    expect(events.find((e) => e.type === 'message.created')).toMatchObject({ firmId: 1, message: { text: 'npm start merhaba', direction: 'inbound' } });
  } finally {
    client.current?.stop();
    expect(await host.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }
}, 60_000);
