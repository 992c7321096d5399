// POST/GET /api/webhook and GET /api/media through the local Functions host, its queues (Azurite) and the Graph simulator.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOperator } from '../../../src/admin/create-operator';
import { loadConfig } from '../../../src/config';
import { createDatabase, type DatabaseHandle } from '../../../src/db/database';
import { startAzurite, type RunningAzurite } from '../../../src/devhost/azurite';
import { startGraphSimulator, type GraphSimulator } from '../../../src/devhost/graph-simulator/graph-simulator';
import { systemClock } from '../../../src/shared/clock';
import { signWebhookBody } from '../../../src/webhook/verify-signature';
import { startTestHost, type TestHost } from '../../support/local-host';
import { readWebhookCorpus } from '../../support/webhook-corpus';
import { CORPUS_PHONE_NUMBER_IDS, clearWebhookRows, expectCorpusRows, readWebhookRows } from '../../support/webhook-corpus-expectations';
import { messagesBody, seedFirm, textMessage } from '../../support/webhook-fixtures';

const repositoryRoot = path.resolve(__dirname, '..', '..', '..');
const PHONE = CORPUS_PHONE_NUMBER_IDS[0];
const APP_SECRET = 'host-test-app-secret-0123456789';
const VERIFY_TOKEN = 'host-test-verify-token';
const ACCESS_TOKEN = 'host-test-access-token';
const ADMIN_PASSWORD = 'correct-horse-battery-staple-42';

let azurite: RunningAzurite;
let simulator: GraphSimulator;
let host: TestHost;
let dataDir: string;
let database: DatabaseHandle;
let sqlitePath: string;

async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${host.logText().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${host.baseUrl}/webhook`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: response.status, text: await response.text() };
}

const signed = (body: string | Buffer, secret = APP_SECRET) => post(body, { 'x-hub-signature-256': signWebhookBody(body, secret) });

/** Raw node:http so a header can be sent twice (fetch would join the values itself). */
function postWithHeaderLines(body: string, headerLines: [string, string][]): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${host.baseUrl}/webhook`);
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    for (const [name, value] of [['content-type', 'application/json'], ['content-length', String(Buffer.byteLength(body))], ...headerLines] as [string, string][]) {
      // setHeader would replace; an array value writes one header line per element.
      const existing = req.getHeader(name);
      req.setHeader(name, existing === undefined ? value : [...(Array.isArray(existing) ? existing : [String(existing)]), value]);
    }
    req.end(body);
  });
}

async function messageCount(): Promise<number> {
  const row = await database.db.selectFrom('WhatsApp_Messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function login(userName: string, password: string): Promise<string> {
  const response = await fetch(`${host.baseUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName, password }) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true, ports: { blob: 0, queue: 0, table: 0 } });
  dataDir = mkdtempSync(path.join(tmpdir(), 'webhook-host-'));
  sqlitePath = path.join(dataDir, 'inbox.db');
  simulator = await startGraphSimulator({
    accessToken: ACCESS_TOKEN,
    appSecret: APP_SECRET,
    phoneNumbers: [{ phoneNumberId: PHONE, displayPhoneNumber: '15550783881', wabaId: '102290129340398' }],
    webhookRetryDelaysMs: [],
  });
  const settings = {
    LOCAL_DATA_DIR: dataDir,
    Database__SqlitePath: sqlitePath,
    AzureWebJobsStorage: azurite.connectionString,
    Jwt__Key: 'webhook-host-test-jwt-key-0123456789abcdef',
    WhatsApp__PhoneNumberId: PHONE,
    WhatsApp__BusinessAccountId: '102290129340398',
    WhatsApp__AccessToken: ACCESS_TOKEN,
    WhatsApp__AppSecret: APP_SECRET,
    WhatsApp__VerifyToken: VERIFY_TOKEN,
    WhatsApp__GraphBaseUrl: simulator.baseUrl,
    Bootstrap__AdminPassword: ADMIN_PASSWORD,
  };
  Object.assign(process.env, settings);
  const hostJson = JSON.parse(readFileSync(path.join(repositoryRoot, 'host.json'), 'utf8')) as { extensions: { queues: Record<string, unknown> } };
  hostJson.extensions.queues = { ...hostJson.extensions.queues, visibilityTimeout: '00:00:01', maxPollingInterval: '00:00:00.200' };
  host = await startTestHost({ appDir: repositoryRoot, developmentStorage: azurite.connectionString, settings, hostJson });
  simulator.setWebhookUrl(`${host.baseUrl}/webhook`);
  database = createDatabase({ kind: 'sqlite', path: sqlitePath });
  await seedFirm(database.db, 1, CORPUS_PHONE_NUMBER_IDS.slice(1));
}, 60_000);

afterAll(async () => {
  await host?.stop();
  await database?.close();
  await simulator?.stop();
  await azurite?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /api/webhook (verification handshake)', () => {
  it('echoes hub.challenge as text/plain for the configured token, 403 otherwise', async () => {
    const ok = await fetch(`${host.baseUrl}/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    for (const query of ['hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1', 'hub.mode=unsubscribe&hub.verify_token=' + VERIFY_TOKEN + '&hub.challenge=1', 'hub.challenge=1', '']) {
      expect((await fetch(`${host.baseUrl}/webhook?${query}`)).status, query).toBe(403);
    }
  });
});

describe('POST /api/webhook: signature and bad input (W1, W2, W5)', () => {
  beforeEach(async () => clearWebhookRows(database.db));

  it('refuses a missing, wrong, truncated, mis-prefixed or repeated signature with 401 and stores nothing', async () => {
    const body = readWebhookCorpus().find((f) => f.name === 'meta_text_plain.json')!.bytes.toString('utf8');
    const good = signWebhookBody(body, APP_SECRET);
    expect((await post(body)).status).toBe(401);
    expect((await signed(body, 'another-app-secret-xyz')).status).toBe(401);
    expect((await post(body, { 'x-hub-signature-256': good.slice(0, -2) })).status).toBe(401);
    expect((await post(body, { 'x-hub-signature-256': good.replace('sha256=', 'sha1=') })).status).toBe(401);
    expect((await post(body, { 'x-hub-signature-256': good.slice('sha256='.length) })).status).toBe(401);
    expect((await post(`${body} `, { 'x-hub-signature-256': good })).status).toBe(401);
    expect(await postWithHeaderLines(body, [['x-hub-signature-256', good], ['x-hub-signature-256', good]])).toBe(401);
    expect(await messageCount()).toBe(0);
    expect((await readWebhookRows(database.db)).events).toEqual([]);
    expect((await post(body, { 'x-hub-signature-256': good })).status).toBe(200);
    expect(await messageCount()).toBe(1);
  });

  it('answers 400 to signed malformed JSON and 200 to signed JSON of an unknown shape (kept raw)', async () => {
    expect((await signed('{"entry": [')).status).toBe(400);
    expect((await signed('{"hello":"world"}')).status).toBe(200);
    const rows = await readWebhookRows(database.db);
    expect(rows.messages).toEqual([]);
    expect(rows.events.map((e) => [e.Field, e.State, e.PayloadJson])).toEqual([['unknown', 'ignored', '{"hello":"world"}']]);
  });

  it('W5: refuses a 4 MB body with 413 before reading it, and stores all 1,000 changes of one POST', async () => {
    const huge = Buffer.alloc(4 * 1024 * 1024, 0x20);
    expect((await post(huge, { 'x-hub-signature-256': signWebhookBody(huge, APP_SECRET) })).status).toBe(413);
    const changes = Array.from({ length: 1000 }, (_, i) => ({
      field: 'messages',
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '15550783881', phone_number_id: PHONE },
        contacts: [{ profile: { name: `W5 ${i % 7}` }, wa_id: `9055500${String(i % 7).padStart(5, '0')}` }],
        messages: [textMessage(`wamid.W5-${i}`, `9055500${String(i % 7).padStart(5, '0')}`, `w5 ${i}`, 1750000000 + i)],
      },
    }));
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes }] });
    expect((await signed(body)).status).toBe(200);
    expect(await messageCount()).toBe(1000);
  });

  it('W2 over HTTP: random bodies and headers never give a 5xx and never store a forged body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.oneof(fc.constant(undefined), fc.string({ maxLength: 80 }), fc.stringMatching(/^sha256=[0-9a-f]{64}$/)), async (body, signature) => {
        const { status } = await post(body, signature === undefined ? {} : { 'x-hub-signature-256': signature });
        expect(status).toBe(401);
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (json) => {
        const { status } = await signed(JSON.stringify(json));
        expect(status).toBe(200);
      }),
      { numRuns: 100 },
    );
    expect(await messageCount()).toBe(0);
  });
});

describe('every corpus body, signed, through the host', () => {
  for (const file of readWebhookCorpus()) {
    it(`${file.name} → 200 and stored field by field`, async () => {
      await clearWebhookRows(database.db);
      const response = await signed(file.bytes);
      expect(response).toEqual({ status: 200, text: 'OK' });
      expectCorpusRows(file.name, await readWebhookRows(database.db));
    });
  }
});

describe('nothing accepted is lost', () => {
  beforeEach(async () => clearWebhookRows(database.db));

  it('keeps a delivery on the inbound-webhooks queue while the database is locked, and the replay stores it once', async () => {
    const body = messagesBody(PHONE, { contacts: [{ wa_id: '905550001111', profile: { name: 'Kilit' } }], messages: [textMessage('wamid.locked-1', '905550001111', 'while locked', 1750000100)] });
    const blocker = new BetterSqlite3(sqlitePath);
    blocker.pragma('busy_timeout = 0');
    blocker.exec('BEGIN IMMEDIATE');
    let response: { status: number; text: string };
    try {
      response = await signed(body);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    expect(response).toEqual({ status: 200, text: 'OK' });
    await waitFor(async () => (await messageCount()) === 1, 30_000, 'the replay to store the message');
    expect(host.logText()).toMatch(/inbound-webhooks-replay .*Executed \(Succeeded/);
    // Meta's own retry of the same delivery, and the queue's, never add a second row.
    expect((await signed(body)).status).toBe(200);
    expect(await messageCount()).toBe(1);
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('inbound-webhooks');
    await waitFor(async () => (await queue.getProperties()).approximateMessagesCount === 0, 10_000, 'the queue to drain');
  }, 60_000);
});

describe('media', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

  it('downloads an inbound image into Blob storage with its sha256 and serves it only to the firm’s operators', async () => {
    const inbound = await simulator.sendInbound({ from: '905551234567', name: 'Ayşe', image: { bytes: png, mimeType: 'image/png', caption: 'ödev' } });
    expect(inbound.delivery.attempts.at(-1)?.status).toBe(200);
    const message = await waitFor(
      async () => database.db.selectFrom('WhatsApp_Messages').selectAll().where('WhatsAppMessageId', '=', inbound.messageId).where('MediaState', '=', 'ready').executeTakeFirst(),
      20_000,
      'the media to be stored',
    );
    expect(message).toMatchObject({ Type: 'image', Text: 'ödev', MediaMimeType: 'image/png', MediaSize: png.length, MediaError: null });
    expect(message.MediaBlobPath).toBe(`1/${message.ConversationId}/${message.Id}/image-${message.MediaId}.png`);
    const blob = await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('media').getBlockBlobClient(message.MediaBlobPath!).downloadToBuffer();
    expect(createHash('sha256').update(blob).digest('hex')).toBe(createHash('sha256').update(png).digest('hex'));

    const adminToken = await login('admin', ADMIN_PASSWORD);
    const served = await fetch(`${host.baseUrl}/media/${message.Id}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('content-disposition')).toContain(`filename="image-${message.MediaId}.png"`);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);

    expect((await fetch(`${host.baseUrl}/media/${message.Id}`)).status).toBe(401);
    await seedFirm(database.db, 2, []);
    const config = loadConfig(process.env);
    await createOperator({ db: database.db, clock: systemClock, config }, { firmId: 2, userName: 'firm2-agent', fullName: 'Other Firm', role: 'Agent', password: 'other-firm-passphrase-42' });
    const otherToken = await login('firm2-agent', 'other-firm-passphrase-42');
    const refused = await fetch(`${host.baseUrl}/media/${message.Id}`, { headers: { authorization: `Bearer ${otherToken}` } });
    expect(refused.status).toBe(404);

    await database.db.updateTable('WhatsApp_Messages').set({ MediaState: 'pending' }).where('Id', '=', message.Id).execute();
    const pending = await fetch(`${host.baseUrl}/media/${message.Id}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(pending.status).toBe(409);
    expect(((await pending.json()) as { error: { code: string } }).error.code).toBe('MediaNotReady');
    await database.db.updateTable('WhatsApp_Messages').set({ MediaState: 'failed' }).where('Id', '=', message.Id).execute();
    const failed = await fetch(`${host.baseUrl}/media/${message.Id}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(failed.status).toBe(409);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe('MediaUnavailable');
  }, 60_000);

  it('retries a failing download and, after the last attempt, shows media failed while the message and caption stay', async () => {
    const fault = simulator.injectFault({ match: { path: '/whatsapp_business/attachments' }, action: { kind: 'http-status', status: 503 } });
    try {
      const inbound = await simulator.sendInbound({ from: '905551234568', name: 'Can', image: { bytes: png, mimeType: 'image/png', caption: 'kayıp' } });
      const message = await waitFor(
        async () => database.db.selectFrom('WhatsApp_Messages').selectAll().where('WhatsAppMessageId', '=', inbound.messageId).where('MediaState', '=', 'failed').executeTakeFirst(),
        40_000,
        'the media to be marked failed',
      );
      expect(message).toMatchObject({ Text: 'kayıp', MediaError: 'media download answered 503' });
      expect(simulator.faults().find((f) => f.id === fault.id)?.fired).toBe(5);
      const poison = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('media-downloads-poison');
      await waitFor(async () => ((await poison.getProperties()).approximateMessagesCount ?? 0) >= 1, 10_000, 'the poison queue');
    } finally {
      simulator.removeFault(fault.id);
    }
  }, 60_000);
});
