// The local stack for sending, real-time and presence tests: the app on the local host (dist/) with its own Azurite (so
// no other test file's workers take its queue messages), the Web PubSub emulator, the Graph simulator posting signed
// webhooks, two firms, signed-in operators and their recording WebPubSubClients.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WebPubSubClient } from '@azure/web-pubsub-client';
import { createOperator } from '../../src/admin/create-operator';
import { loadConfig } from '../../src/config';
import { startAzurite, type RunningAzurite } from '../../src/devhost/azurite';
import { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from '../../src/devhost/graph-simulator/graph-simulator';
import { startLocalRealtime, type LocalRealtime } from '../../src/devhost/start-local-realtime';
import { sealFirmSecret } from '../../src/firms/firm-secrets';
import { systemClock } from '../../src/shared/clock';
import { fetchAnswer } from './http-answer';
import { startTestHost, type TestHost } from './local-host';
import { connectRecordingClient, type RecordingClient } from './recording-client';
import { createTestDatabase, type TestDatabase } from './test-database';
import { seedFirm } from './webhook-fixtures';

const repositoryRoot = path.resolve(__dirname, '..', '..');

export const STACK_APP_SECRET = 'test-stack-app-secret-5c1e';
export const STACK_ACCESS_TOKEN = 'EAA-test-stack-token-0123456789';
export const STACK_PASSWORD = 'Test-Stack-Password-2026';
/** The Meta numbers of firm 1 (the bootstrap firm, from settings) and firm 2. */
export const PHONES = {
  1: { phoneNumberId: '110000000000001', displayPhoneNumber: '15551110001', wabaId: '210000000000001' },
  2: { phoneNumberId: '110000000000002', displayPhoneNumber: '15551110002', wabaId: '210000000000002' },
} as const;

/** A signed-in operator. */
export interface StackOperator {
  readonly id: string;
  readonly firmId: number;
  readonly role: 'Admin' | 'Agent';
  readonly userName: string;
  readonly accessToken: string;
}

/** An operator's connected client and what it received. */
export interface OperatorClient extends RecordingClient {
  readonly operator: StackOperator;
}

/** An answer of the app; `body` is the parsed JSON (undefined when empty or not JSON). */
export interface StackAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

type OperatorSpec = readonly [firmId: number, role: 'Admin' | 'Agent', name: string];

export interface TestStack {
  readonly host: TestHost;
  readonly simulator: GraphSimulator;
  readonly realtime: LocalRealtime;
  readonly database: TestDatabase;
  readonly azurite: RunningAzurite;
  readonly baseUrl: string;
  /** Creates an operator in a firm and signs it in through POST /api/auth/login. */
  createOperator(firmId: number, role: 'Admin' | 'Agent', name: string): Promise<StackOperator>;
  /** Several `createOperator` at once, answered in the order asked. */
  createOperators<const T extends readonly OperatorSpec[]>(...specs: T): Promise<{ -readonly [K in keyof T]: StackOperator }>;
  /** POST /api/realtime/negotiate with the operator's access token. */
  negotiate(operator: StackOperator): Promise<StackAnswer>;
  /** Negotiates and connects a recording WebPubSubClient (see `connectRecordingClient` for `reliable`). */
  connect(operator: StackOperator, options?: { reliable?: boolean }): Promise<OperatorClient>;
  /** `/api` + `pathAndQuery`; `token` becomes the bearer header, `json` the JSON body. */
  api(pathAndQuery: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<StackAnswer>;
  /** A customer message through the simulator's signed webhook; answers the conversation id it landed in. */
  inbound(firmId: 1 | 2, from: string, text: string): Promise<{ conversationId: string; wamid: string; messageId: string }>;
  /** Syncs templates for a firm through the admin endpoint. */
  syncTemplates(admin: StackOperator): Promise<void>;
  stop(): Promise<void>;
}

/** What a stack may change: extra app settings, extra simulator options, the functions to run (default all). */
export interface TestStackOptions {
  readonly settings?: Record<string, string>;
  readonly simulator?: Partial<GraphSimulatorOptions>;
  readonly functions?: string[];
}

const settingNames = [
  'Jwt__Key', 'Database__SqlitePath', 'LOCAL_DATA_DIR', 'AzureWebJobsStorage', 'WhatsApp__AppSecret', 'WhatsApp__AccessToken', 'WhatsApp__PhoneNumberId',
  'WhatsApp__BusinessAccountId', 'WhatsApp__GraphBaseUrl', 'WhatsApp__VerifyToken', 'Bootstrap__FirmId', 'Bootstrap__AdminPassword', 'WebPubSubConnectionString',
  'WebPubSub__Hub', 'WhatsApp__SendTimeoutSeconds', 'WhatsApp__MessagesPerSecond',
] as const;

/** Starts everything; app settings go to process.env (which the app reads) and are restored by `stop()`. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const saved = new Map(settingNames.map((name) => [name, process.env[name]]));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ustad-stack-'));
  const azurite = await startAzurite({ inMemory: true, ports: { blob: 0, queue: 0, table: 0 } });
  const database = await createTestDatabase();
  await seedFirm(database.db, 1, [PHONES[1].phoneNumberId], { businessAccountId: PHONES[1].wabaId });
  await seedFirm(database.db, 2, [PHONES[2].phoneNumberId], { businessAccountId: PHONES[2].wabaId });
  const simulator = await startGraphSimulator({
    accessToken: STACK_ACCESS_TOKEN,
    appSecret: STACK_APP_SECRET,
    phoneNumbers: [PHONES[1], PHONES[2]],
    webhookRetryDelaysMs: [50, 200, 1000],
    ...options.simulator,
  });
  Object.assign(process.env, {
    Jwt__Key: 'test-stack-jwt-key-0123456789-abcdefghijklmnop',
    Database__SqlitePath: database.location,
    LOCAL_DATA_DIR: dataDir,
    AzureWebJobsStorage: azurite.connectionString,
    WhatsApp__AppSecret: STACK_APP_SECRET,
    WhatsApp__AccessToken: STACK_ACCESS_TOKEN,
    WhatsApp__PhoneNumberId: PHONES[1].phoneNumberId,
    WhatsApp__BusinessAccountId: PHONES[1].wabaId,
    WhatsApp__GraphBaseUrl: simulator.baseUrl,
    WhatsApp__VerifyToken: 'test-stack-verify-token',
    Bootstrap__FirmId: '1',
    Bootstrap__AdminPassword: STACK_PASSWORD,
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
  await database.db.updateTable('WhatsApp_FirmSettings').set({ AccessTokenEncrypted: sealFirmSecret(config, 2, 'AccessToken', STACK_ACCESS_TOKEN) }).where('FirmId', '=', 2).execute();
  const clients: WebPubSubClient[] = [];

  const api: TestStack['api'] = async (pathAndQuery, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const answer = await fetchAnswer(`${host.baseUrl}${pathAndQuery}`, { ...init, headers, body });
    return { status: answer.status, body: answer.json, text: answer.text };
  };
  const negotiate: TestStack['negotiate'] = (operator) => api('/realtime/negotiate', { method: 'POST', token: operator.accessToken });
  const createStackOperator: TestStack['createOperator'] = async (firmId, role, name) => {
    const userName = `${name.replace(/\s+/g, '.')}.${firmId}`.toLowerCase();
    const row = await createOperator({ db: database.db, clock: systemClock, config }, { firmId, userName, fullName: name, role, password: STACK_PASSWORD });
    const answer = await api('/auth/login', { method: 'POST', json: { userName, password: STACK_PASSWORD } });
    if (answer.status !== 200) throw new Error(`login of ${userName} failed: ${answer.status} ${answer.text}`);
    return { id: row.Id, firmId, role, userName, accessToken: (answer.body as { accessToken: string }).accessToken };
  };

  return {
    host,
    simulator,
    realtime,
    database,
    azurite,
    baseUrl: host.baseUrl,
    api,
    negotiate,
    createOperator: createStackOperator,
    async createOperators(...specs) {
      // The mapped tuple type cannot be inferred from Array.prototype.map, hence the cast.
      return (await Promise.all(specs.map(([firmId, role, name]) => createStackOperator(firmId, role, name)))) as { -readonly [K in keyof typeof specs]: StackOperator };
    },
    async connect(operator, connectOptions = {}) {
      const answer = await negotiate(operator);
      if (answer.status !== 200) throw new Error(`negotiate failed: ${answer.status} ${answer.text}`);
      const recording = await connectRecordingClient((answer.body as { url: string }).url, connectOptions);
      clients.push(recording.client);
      return Object.assign(recording, { operator });
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

/** Builds a multipart body for POST /api/uploads. */
export function uploadForm(bytes: Uint8Array, mimeType: string, fileName: string, type?: string): FormData {
  const form = new FormData();
  form.set('file', new Blob([bytes], { type: mimeType }), fileName);
  if (type) form.set('type', type);
  return form;
}

/** The smallest valid PNG (1×1, RGBA), for image uploads. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
