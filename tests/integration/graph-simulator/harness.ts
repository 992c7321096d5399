// Test harness for the Graph simulator: a real webhook receiver, fixed credentials, corpus paths.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from '../../../src/devhost/graph-simulator/graph-simulator';

export const accessToken = 'EAAtest-simulator-token-0123456789';
export const appSecret = 'test-app-secret-4f1c2d';
export const phone = { phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881', wabaId: '102290129340398' };
export const corpusDir = path.resolve(__dirname, '..', '..', 'fixtures', 'whatsapp-corpus');

export function startSimulator(overrides: Partial<GraphSimulatorOptions> = {}): Promise<GraphSimulator> {
  return startGraphSimulator({
    accessToken,
    appSecret,
    phoneNumbers: [phone],
    webhookRetryDelaysMs: [20, 50],
    statuses: { delaysMs: { sent: 5, delivered: 15, read: 25 } },
    ...overrides,
  });
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json: unknown;
}

/** A real HTTP endpoint standing in for the app's /api/webhook. */
export interface WebhookReceiver {
  url: string;
  hooks: ReceivedWebhook[];
  /** Answer with this status from now on (200 by default). */
  answer(status: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const hooks: ReceivedWebhook[] = [];
  let status = 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      hooks.push({ headers: req.headers, raw, json: JSON.parse(raw.toString('utf8')) as unknown });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/webhook`,
    hooks,
    answer(next) {
      status = next;
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (hooks.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhooks, got ${hooks.length}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return hooks;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Verifies X-Hub-Signature-256 the way the app must: HMAC of the raw bytes, constant-time. */
export function signatureVerifies(hook: ReceivedWebhook, secret = appSecret): boolean {
  const header = hook.headers['x-hub-signature-256'];
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(hook.raw).digest('hex'));
  const given = Buffer.from(header.slice('sha256='.length));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** POST JSON to the simulator's Graph API with the bearer token (or another). */
export async function graphPost(sim: GraphSimulator, pathName: string, body: unknown, token: string | null = accessToken): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${sim.baseUrl}${pathName}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

export async function graphGet(sim: GraphSimulator, pathName: string, token: string | null = accessToken): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${sim.baseUrl}${pathName}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  return { status: response.status, json: await response.json() };
}

/** The set of key paths of a JSON value, to compare shapes (not values) with corpus examples. */
export function shapeOf(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => shapeOf(v, `${prefix}[]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...shapeOf(v, `${prefix}.${k}`)]);
  }
  return [`${prefix}:${typeof value}`];
}

export function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
