// The local stack for sending tests: the app on the local host (dist/) with its own Azurite (so no other test file's
// workers take its queue messages), the Web PubSub emulator, the Graph simulator, two firms, signed-in operators.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { createOperator } from '../../src/admin/create-operator';
import { loadConfig } from '../../src/config';
import { startAzurite, type RunningAzurite } from '../../src/devhost/azurite';
import { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from '../../src/devhost/graph-simulator/graph-simulator';
import { startLocalRealtime, type LocalRealtime } from '../../src/devhost/start-local-realtime';
import { RealtimeClientEventSchema, type RealtimeClientEvent } from '../../src/realtime/realtime-events.schemas';
import { systemClock } from '../../src/shared/clock';
import { sealFirmSecret } from '../../src/webhook/firm-secrets';
import { startTestHost, type TestHost } from './local-host';
import { createTestDatabase, type TestDatabase } from './test-database';
import { seedFirm } from './webhook-fixtures';

const repositoryRoot = path.resolve(__dirname, '..', '..');

export const OUTBOUND_APP_SECRET = 'outbound-test-app-secret-5c1e';
export const OUTBOUND_TOKEN = 'EAA-outbound-test-token-0123456789';
export const PASSWORD = 'Outbound-Test-Password-2026';
export const PHONES = {
  1: { phoneNumberId: '110000000000001', displayPhoneNumber: '15551110001', wabaId: '210000000000001' },
  2: { phoneNumberId: '110000000000002', displayPhoneNumber: '15551110002', wabaId: '210000000000002' },
} as const;

export interface StackOperator {
  readonly id: string;
  readonly firmId: number;
  readonly role: 'Admin' | 'Agent';
  readonly userName: string;
  readonly accessToken: string;
}

export interface RecordingClient {
  readonly client: WebPubSubClient;
  readonly events: RealtimeClientEvent[];
}

export interface OutboundStack {
  readonly host: TestHost;
  readonly simulator: GraphSimulator;
  readonly realtime: LocalRealtime;
  readonly database: TestDatabase;
  readonly azurite: RunningAzurite;
  readonly baseUrl: string;
  createOperator(firmId: number, role: 'Admin' | 'Agent', name: string): Promise<StackOperator>;
  connect(operator: StackOperator): Promise<RecordingClient>;
  api(pathAndQuery: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<{ status: number; body: unknown; text: string }>;
  /** A customer message through the simulator's signed webhook; answers the conversation id it landed in. */
  inbound(firmId: 1 | 2, from: string, text: string): Promise<{ conversationId: string; wamid: string; messageId: string }>;
  /** Syncs templates for a firm through the admin endpoint. */
  syncTemplates(admin: StackOperator): Promise<void>;
  stop(): Promise<void>;
}

const settingNames = [
  'Jwt__Key', 'Database__SqlitePath', 'LOCAL_DATA_DIR', 'AzureWebJobsStorage', 'WhatsApp__AppSecret', 'WhatsApp__AccessToken', 'WhatsApp__PhoneNumberId',
  'WhatsApp__BusinessAccountId', 'WhatsApp__GraphBaseUrl', 'WhatsApp__VerifyToken', 'Bootstrap__FirmId', 'Bootstrap__AdminPassword', 'WebPubSubConnectionString',
  'WebPubSub__Hub', 'WhatsApp__SendTimeoutSeconds', 'WhatsApp__MessagesPerSecond',
] as const;

/** Starts everything; `settings` are extra app settings, `simulator` extra simulator options. */
export async function startOutboundStack(options: { settings?: Record<string, string>; simulator?: Partial<GraphSimulatorOptions>; functions?: string[] } = {}): Promise<OutboundStack> {
  const saved = new Map(settingNames.map((name) => [name, process.env[name]]));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ustad-outbound-'));
  const azurite = await startAzurite({ inMemory: true, ports: { blob: 0, queue: 0, table: 0 } });
  const database = await createTestDatabase();
  await seedFirm(database.db, 1, [PHONES[1].phoneNumberId], { businessAccountId: PHONES[1].wabaId });
  await seedFirm(database.db, 2, [PHONES[2].phoneNumberId], { businessAccountId: PHONES[2].wabaId });
  const simulator = await startGraphSimulator({
    accessToken: OUTBOUND_TOKEN,
    appSecret: OUTBOUND_APP_SECRET,
    phoneNumbers: [PHONES[1], PHONES[2]],
    webhookRetryDelaysMs: [50, 200, 1000],
    ...options.simulator,
  });
  Object.assign(process.env, {
    Jwt__Key: 'outbound-tests-jwt-key-0123456789-abcdefghijklmnop',
    Database__SqlitePath: database.location,
    LOCAL_DATA_DIR: dataDir,
    AzureWebJobsStorage: azurite.connectionString,
    WhatsApp__AppSecret: OUTBOUND_APP_SECRET,
    WhatsApp__AccessToken: OUTBOUND_TOKEN,
    WhatsApp__PhoneNumberId: PHONES[1].phoneNumberId,
    WhatsApp__BusinessAccountId: PHONES[1].wabaId,
    WhatsApp__GraphBaseUrl: simulator.baseUrl,
    WhatsApp__VerifyToken: 'outbound-verify-token',
    Bootstrap__FirmId: '1',
    Bootstrap__AdminPassword: PASSWORD,
    ...options.settings,
  });
  delete process.env['WebPubSubConnectionString'];
  const realtime = await startLocalRealtime(process.env);
  const host = await startTestHost({
    appDir: repositoryRoot,
    developmentStorage: azurite.connectionString,
    settings: { AzureWebJobsStorage: azurite.connectionString },
    ...(options.functions ? { functions: options.functions } : {}),
  });
  await realtime.useAppBaseUrl(host.baseUrl);
  simulator.setWebhookUrl(`${host.baseUrl}/webhook`);
  const config = loadConfig(process.env);
  // Firm 1 takes its token from the settings (bootstrap firm); firm 2 has its own, sealed in its settings row.
  await database.db.updateTable('WhatsApp_FirmSettings').set({ AccessTokenEncrypted: sealFirmSecret(config, 2, 'AccessToken', OUTBOUND_TOKEN) }).where('FirmId', '=', 2).execute();
  const clients: WebPubSubClient[] = [];

  const api: OutboundStack['api'] = async (pathAndQuery, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const response = await fetch(`${host.baseUrl}${pathAndQuery}`, { ...init, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text };
  };

  return {
    host,
    simulator,
    realtime,
    database,
    azurite,
    baseUrl: host.baseUrl,
    api,
    async createOperator(firmId, role, name) {
      const userName = `${name.replace(/\s+/g, '.')}.${firmId}`.toLowerCase();
      const row = await createOperator({ db: database.db, clock: systemClock, config }, { firmId, userName, fullName: name, role, password: PASSWORD });
      const answer = await api('/auth/login', { method: 'POST', json: { userName, password: PASSWORD } });
      if (answer.status !== 200) throw new Error(`login of ${userName} failed: ${answer.status} ${answer.text}`);
      return { id: row.Id, firmId, role, userName, accessToken: (answer.body as { accessToken: string }).accessToken };
    },
    async connect(operator) {
      const answer = await api('/realtime/negotiate', { method: 'POST', token: operator.accessToken });
      if (answer.status !== 200) throw new Error(`negotiate failed: ${answer.status} ${answer.text}`);
      const client = new WebPubSubClient((answer.body as { url: string }).url, { autoReconnect: false });
      clients.push(client);
      const recording: RecordingClient = { client, events: [] };
      client.on('server-message', ({ message }) => {
        const parsed = RealtimeClientEventSchema.safeParse(message.data);
        if (parsed.success) recording.events.push(parsed.data);
      });
      const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
      await client.start();
      await connected;
      return recording;
    },
    async inbound(firmId, from, text) {
      const result = await simulator.sendInbound({ phoneNumberId: PHONES[firmId].phoneNumberId, from, name: `Customer ${from}`, text });
      if (result.delivery.attempts.at(-1)?.status !== 200) throw new Error(`inbound webhook was not accepted: ${JSON.stringify(result.delivery.attempts)}`);
      const row = await database.db.selectFrom('WhatsApp_Messages').select(['Id', 'ConversationId']).where('WhatsAppMessageId', '=', result.messageId).executeTakeFirstOrThrow();
      return { conversationId: row.ConversationId, wamid: result.messageId, messageId: row.Id };
    },
    async syncTemplates(admin) {
      const answer = await api('/admin/templates/sync', { method: 'POST', token: admin.accessToken });
      if (answer.status !== 200) throw new Error(`template sync failed: ${answer.status} ${answer.text}`);
    },
    async stop() {
      for (const client of clients) client.stop();
      await host.stop();
      await realtime.stop();
      await simulator.stop();
      await database.cleanup();
      await azurite.stop();
      rmSync(dataDir, { recursive: true, force: true });
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

/** Polls until `check` holds, or fails naming `what`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Builds a multipart body for POST /api/uploads. */
export function uploadForm(bytes: Uint8Array, mimeType: string, fileName: string, type?: string): FormData {
  const form = new FormData();
  form.set('file', new Blob([bytes], { type: mimeType }), fileName);
  if (type) form.set('type', type);
  return form;
}

/** The smallest valid PNG (1×1, RGBA), for image uploads. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
