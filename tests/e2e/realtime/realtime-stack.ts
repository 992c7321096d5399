// The local stack for real-time tests: the app on the local host (dist/), the Web PubSub emulator started as `npm start`
// starts it, the Graph simulator posting signed webhooks, two firms, and operators' WebPubSubClients recording events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebPubSubClient, WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import { createOperator } from '../../../src/admin/create-operator';
import { loadConfig } from '../../../src/config';
import { startGraphSimulator } from '../../../src/devhost/graph-simulator/graph-simulator';
import type { GraphSimulator } from '../../../src/devhost/graph-simulator/graph-simulator';
import { startLocalRealtime, type LocalRealtime } from '../../../src/devhost/start-local-realtime';
import { RealtimeClientEventSchema, type RealtimeClientEvent } from '../../../src/realtime/realtime-events.schemas';
import { systemClock } from '../../../src/shared/clock';
import { startTestHost, type TestHost } from '../../support/local-host';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { testStorageConnectionString } from '../../support/test-storage';
import { seedFirm } from '../../support/webhook-fixtures';

const repositoryRoot = path.resolve(__dirname, '..', '..', '..');

export const APP_SECRET = 'realtime-test-app-secret-9d2f';
export const PASSWORD = 'Realtime-Test-Password-2026';
export const PHONES = {
  1: { phoneNumberId: '100000000000001', displayPhoneNumber: '15550000001', wabaId: '200000000000001' },
  2: { phoneNumberId: '100000000000002', displayPhoneNumber: '15550000002', wabaId: '200000000000002' },
} as const;

/** A signed-in operator. */
export interface TestOperator {
  readonly id: string;
  readonly firmId: number;
  readonly role: 'Admin' | 'Agent';
  readonly userName: string;
  readonly accessToken: string;
}

/** A connected WebPubSubClient and every server event it received, parsed with the published schemas. */
export interface OperatorClient {
  readonly operator: TestOperator;
  readonly client: WebPubSubClient;
  readonly events: RealtimeClientEvent[];
  /** Data that did not parse as a catalogue event (must stay empty). */
  readonly malformed: unknown[];
  readonly arrivals: number[];
  connectionId: string;
  disconnected: boolean;
}

export interface RealtimeStack {
  readonly host: TestHost;
  readonly realtime: LocalRealtime;
  readonly simulator: GraphSimulator;
  readonly database: TestDatabase;
  readonly baseUrl: string;
  /** Creates an operator in a firm and signs it in through POST /api/auth/login. */
  createOperator(firmId: number, role: 'Admin' | 'Agent', name: string): Promise<TestOperator>;
  /** POST /api/realtime/negotiate with the operator's access token. */
  negotiate(operator: TestOperator): Promise<Response>;
  /**
   * Negotiates and starts a WebPubSubClient (reliable JSON protocol, as clients use it; `reliable: false` for the
   * plain one, whose close ends the connection at once instead of after the 30 s recovery window); resolves once connected.
   */
  connect(operator: TestOperator, options?: { reliable?: boolean }): Promise<OperatorClient>;
  api(pathAndQuery: string, init?: RequestInit & { token?: string }): Promise<Response>;
  stop(): Promise<void>;
}

const settingNames = [
  'Jwt__Key', 'Database__SqlitePath', 'LOCAL_DATA_DIR', 'AzureWebJobsStorage', 'WhatsApp__AppSecret', 'WhatsApp__AccessToken', 'WhatsApp__PhoneNumberId',
  'WhatsApp__BusinessAccountId', 'WhatsApp__GraphBaseUrl', 'WhatsApp__VerifyToken', 'Bootstrap__FirmId', 'Bootstrap__AdminPassword', 'WebPubSubConnectionString', 'WebPubSub__Hub',
] as const;

/** Starts everything; `settings` are extra app settings (set in process.env, which the app reads). */
export async function startRealtimeStack(settings: Record<string, string> = {}): Promise<RealtimeStack> {
  const saved = new Map(settingNames.map((name) => [name, process.env[name]]));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ustad-realtime-'));
  const database = await createTestDatabase();
  await seedFirm(database.db, 1, [PHONES[1].phoneNumberId], { businessAccountId: PHONES[1].wabaId });
  await seedFirm(database.db, 2, [PHONES[2].phoneNumberId], { businessAccountId: PHONES[2].wabaId });
  const simulator = await startGraphSimulator({
    accessToken: 'EAA-realtime-test-token-0123456789',
    appSecret: APP_SECRET,
    phoneNumbers: [PHONES[1], PHONES[2]],
    webhookRetryDelaysMs: [50, 200],
  });
  Object.assign(process.env, {
    Jwt__Key: 'realtime-tests-jwt-key-0123456789-abcdefghijklmnop',
    Database__SqlitePath: database.location,
    LOCAL_DATA_DIR: dataDir,
    AzureWebJobsStorage: testStorageConnectionString(),
    WhatsApp__AppSecret: APP_SECRET,
    WhatsApp__AccessToken: 'EAA-realtime-test-token-0123456789',
    WhatsApp__PhoneNumberId: PHONES[1].phoneNumberId,
    WhatsApp__BusinessAccountId: PHONES[1].wabaId,
    WhatsApp__GraphBaseUrl: simulator.baseUrl,
    WhatsApp__VerifyToken: 'realtime-verify-token',
    Bootstrap__FirmId: '1',
    Bootstrap__AdminPassword: PASSWORD,
    ...settings,
  });
  delete process.env['WebPubSubConnectionString'];
  const realtime = await startLocalRealtime(process.env);
  const host = await startTestHost({ appDir: repositoryRoot });
  await realtime.useAppBaseUrl(host.baseUrl);
  simulator.setWebhookUrl(`${host.baseUrl}/webhook`);
  const config = loadConfig(process.env);
  const clients: WebPubSubClient[] = [];

  const api: RealtimeStack['api'] = (pathAndQuery, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return fetch(`${host.baseUrl}${pathAndQuery}`, { ...init, headers });
  };

  const negotiate: RealtimeStack['negotiate'] = (operator) => api('/realtime/negotiate', { method: 'POST', token: operator.accessToken });

  return {
    host,
    realtime,
    simulator,
    database,
    baseUrl: host.baseUrl,
    api,
    negotiate,
    async createOperator(firmId, role, name) {
      const userName = `${name.replace(/\s+/g, '.')}.${firmId}`.toLowerCase();
      const row = await createOperator({ db: database.db, clock: systemClock, config }, { firmId, userName, fullName: name, role, password: PASSWORD });
      const response = await api('/auth/login', { method: 'POST', body: JSON.stringify({ userName, password: PASSWORD }) });
      if (response.status !== 200) throw new Error(`login of ${userName} failed: ${response.status} ${await response.text()}`);
      const { accessToken } = (await response.json()) as { accessToken: string };
      return { id: row.Id, firmId, role, userName, accessToken };
    },
    async connect(operator, options = {}) {
      const response = await negotiate(operator);
      if (response.status !== 200) throw new Error(`negotiate failed: ${response.status} ${await response.text()}`);
      const { url } = (await response.json()) as { url: string };
      const client = new WebPubSubClient(url, { autoReconnect: false, ...(options.reliable === false ? { protocol: WebPubSubJsonProtocol() } : {}) });
      clients.push(client);
      const recording: OperatorClient = { operator, client, events: [], malformed: [], arrivals: [], connectionId: '', disconnected: false };
      client.on('server-message', ({ message }) => {
        recording.arrivals.push(performance.now());
        const parsed = RealtimeClientEventSchema.safeParse(message.data);
        if (parsed.success) recording.events.push(parsed.data);
        else recording.malformed.push(message.data);
      });
      client.on('disconnected', () => {
        recording.disconnected = true;
      });
      const connected = new Promise<string>((resolve) => client.on('connected', (e) => resolve(e.connectionId)));
      await client.start();
      recording.connectionId = await connected;
      return recording;
    },
    async stop() {
      for (const client of clients) client.stop();
      await host.stop();
      await realtime.stop();
      await simulator.stop();
      await database.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

/** Polls until `check` holds, or fails naming `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Decodes a JWT's payload without verifying it (the test checks claims, the emulator checks signatures). */
export function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
