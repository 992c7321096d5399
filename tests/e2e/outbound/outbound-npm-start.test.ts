// `npm start` without a WhatsApp access token starts the Graph simulator beside the app: a customer writes (through the
// simulator's control API), an operator replies, and the simulator's status webhooks take the reply to `read`.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnLocalHostWithDataDir, type SpawnedHostWithData } from '../../support/local-host';
import { testStorageConnectionString } from '../../support/test-storage';
import { waitUntil } from '../../support/wait-until';

const PASSWORD = 'npm-start-outbound-passphrase-1';
let host: SpawnedHostWithData;

beforeAll(async () => {
  // Nothing about WhatsApp is configured: the local stack fills it in and stands the simulator up.
  host = await spawnLocalHostWithDataDir('ustad-outbound-start-', {
    env: {
      AzureWebJobsStorage: testStorageConnectionString(),
      Bootstrap__AdminPassword: PASSWORD,
      Database__SqlitePath: '',
      WhatsApp__AccessToken: '',
      WhatsApp__GraphBaseUrl: '',
      WhatsApp__AppSecret: '',
      WhatsApp__VerifyToken: '',
      WhatsApp__PhoneNumberId: '',
      WhatsApp__BusinessAccountId: '',
      WebPubSubConnectionString: '',
      GraphSimulator__Url: 'http://127.0.0.1:0',
    },
    timeoutMs: 60_000,
  });
}, 90_000);

afterAll(async () => {
  await host?.stop();
});

it('starts the Graph simulator and sends a reply through it to read', async () => {
  const simulatorUrl = /Graph API\s+(http:\/\/127\.0\.0\.1:\d+) \(local Graph simulator/.exec(host.output())?.[1];
  expect(simulatorUrl, host.output()).toBeDefined();
  const sim = (route: string, init?: RequestInit) => fetch(`${simulatorUrl}/_sim/${route}`, init).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));
  const api = (route: string, init: RequestInit & { token?: string; json?: unknown } = {}) =>
    fetch(`${host.ready.baseUrl}${route}`, {
      ...init,
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => undefined)) as unknown }));

  const login = await api('/auth/login', { method: 'POST', json: { userName: 'admin', password: PASSWORD } });
  expect(login.status).toBe(200);
  const token = (login.body as { accessToken: string }).accessToken;

  const inbound = await sim('inbound', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '905370000001', name: 'Yerel Müşteri', text: 'Merhaba' }) });
  expect(inbound.status).toBe(200);
  const list = await api('/conversations', { token });
  const conversationId = (list.body as { items?: { id: string }[]; conversations?: { id: string }[] }).items?.[0]?.id ?? (list.body as { conversations?: { id: string }[] }).conversations?.[0]?.id;
  expect(conversationId, JSON.stringify(list.body)).toBeDefined();

  const sent = await api(`/conversations/${conversationId}/messages`, { method: 'POST', token, json: { clientMessageId: 'npm-start-1', type: 'text', text: 'Merhaba, yardımcı olalım.' } });
  expect(sent.status).toBe(202);
  const messageId = (sent.body as { message: { id: string } }).message.id;
  await waitUntil('the simulator accepted the reply', async () => ((await sim('messages')).body as { data: { bizOpaqueCallbackData?: string }[] }).data.some((m) => m.bizOpaqueCallbackData === messageId), 20_000);
  await waitUntil('read', async () => {
    const history = await api(`/conversations/${conversationId}/messages`, { token });
    const items = (history.body as { items?: { id: string; status: string }[] }).items ?? [];
    return items.some((m) => m.id === messageId && m.status === 'read');
  }, 20_000);
}, 60_000);
