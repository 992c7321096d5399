// `npm run bench:realtime`: webhook-to-client latency through the whole local stack (the app under `npm start`, the
// Web PubSub emulator in a process of its own as the service is, Microsoft's WebPubSubClient), beside a bare
// WebSocket broadcast measured the same way in the same run.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import WebSocket, { WebSocketServer } from 'ws';
import { signWebhookBody } from '../src/devhost/graph-simulator/sign-webhook-body';
import { startWebPubSubEmulator } from '../src/devhost/web-pubsub-emulator';
import type { LocalHostReadyMessage } from '../src/devhost/start';
import { postJson } from './post-json';

const repositoryRoot = path.resolve(__dirname, '..', '..');
const APP_SECRET = 'bench-realtime-app-secret-0001';
const PHONE = '100000000000077';
const PASSWORD = 'Bench-Realtime-Password-2026';
const OPERATORS = 10;
const CUSTOMERS = 100;

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    /** Seconds at the same rate before measuring: a fresh app, database and emulator are slower at first (JIT, growing files). */
    warmup: { type: 'string', default: '10' },
    /** Internal: this process serves the Web PubSub emulator for the bench (started by the bench itself). */
    'serve-web-pubsub': { type: 'boolean', default: false },
  },
});
const clientCount = Number(values.clients);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const total = Math.round(rate * seconds);
const warmupTotal = Math.round(rate * Number(values.warmup));

/** Latencies of one measurement and how many of the expected deliveries arrived. */
interface Run {
  readonly latencies: number[];
  readonly expected: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function row(name: string, run: Run): string {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const ms = (v: number) => `${v.toFixed(1)} ms`.padStart(12);
  return `  ${name.padEnd(26)}${ms(percentile(sorted, 50))}${ms(percentile(sorted, 99))}${ms(sorted.at(-1) ?? Number.NaN)}   ${run.latencies.length}/${run.expected}`;
}

/** Calls `send(i)` for i = 0…count-1 at `rate` per second (catching up after a late timer), then waits for them. */
async function paced(send: (i: number) => Promise<void>, count = total): Promise<void> {
  const pending: Promise<void>[] = [];
  const started = performance.now();
  let next = 0;
  while (next < count) {
    const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (next < due) pending.push(send(next++));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
}

/** Keep-alive connections for the load generator's POSTs (see post-json.ts). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A port free right now (the app's settings refuse PORT=0; the race with another process is harmless here). */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs as the Web PubSub process: starts the emulator, reports its connection string, ends with its parent. */
async function serveWebPubSub(): Promise<void> {
  const emulator = await startWebPubSubEmulator();
  process.send?.({ connectionString: emulator.connectionString });
  const stop = () => void emulator.stop().then(() => process.exit(0));
  process.once('disconnect', stop);
  process.once('SIGTERM', stop);
}

async function startWebPubSubProcess(): Promise<{ child: ChildProcess; connectionString: string }> {
  const child = fork(__filename, ['--serve-web-pubsub'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const connectionString = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: unknown) => resolve((message as { connectionString: string }).connectionString));
    child.once('exit', (code) => reject(new Error(`the Web PubSub process exited with ${code}`)));
  });
  return { child, connectionString };
}

async function startApp(dataDir: string, webPubSubConnectionString: string): Promise<{ child: ChildProcess; ready: LocalHostReadyMessage }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(await freePort()),
    WebPubSubConnectionString: webPubSubConnectionString,
    LOCAL_DATA_DIR: dataDir,
    Jwt__Key: 'bench-realtime-jwt-key-0123456789-abcdefghijklmnop',
    WhatsApp__AppSecret: APP_SECRET,
    WhatsApp__AccessToken: 'EAA-bench-realtime',
    WhatsApp__PhoneNumberId: PHONE,
    Bootstrap__FirmId: '1',
    Bootstrap__AdminUserName: 'admin',
    Bootstrap__AdminPassword: PASSWORD,
  };
  for (const name of ['AzureWebJobsStorage', 'ConnectionStrings__DefaultConnection', 'Database__SqlitePath']) delete env[name];
  const child = fork(path.join(repositoryRoot, 'dist', 'src', 'devhost', 'start.js'), ['--azurite-ports', '0', '--azurite-in-memory'], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = await new Promise<LocalHostReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start within 60 s:\n${output}`)), 60_000);
    child.on('message', (message: unknown) => {
      if ((message as { type?: unknown }).type === 'ustad-local-host-ready') {
        clearTimeout(timer);
        resolve(message as LocalHostReadyMessage);
      }
    });
    child.once('exit', (code) => reject(new Error(`the app exited with ${code}:\n${output}`)));
  });
  return { child, ready };
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function login(api: string, userName: string): Promise<string> {
  const body = JSON.stringify({ userName, password: PASSWORD });
  const { accessToken } = await json<{ accessToken: string }>(await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }), `login ${userName}`);
  return accessToken;
}

/** Signs in an admin and agents, and connects `clientCount` WebPubSubClients spread over them. */
async function connectClients(api: string, onCreated: (wamid: string) => void): Promise<WebPubSubClient[]> {
  const adminToken = await login(api, 'admin');
  const tokens = [adminToken];
  for (let i = 1; i < OPERATORS; i += 1) {
    const userName = `bench.agent.${i}`;
    const body = JSON.stringify({ userName, fullName: `Bench Agent ${i}`, role: 'Agent', password: PASSWORD });
    await json(await fetch(`${api}/admin/operators`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body }), `create ${userName}`);
    tokens.push(await login(api, userName));
  }
  const clients: WebPubSubClient[] = [];
  for (let i = 0; i < clientCount; i += 1) {
    const token = tokens[i % tokens.length] ?? adminToken;
    const { url } = await json<{ url: string }>(await fetch(`${api}/realtime/negotiate`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }), 'negotiate');
    const client = new WebPubSubClient(url, { autoReconnect: false });
    client.on('server-message', ({ message }) => {
      const event = message.data as { type?: string; message?: { whatsAppMessageId?: string } };
      if (event.type === 'message.created' && event.message?.whatsAppMessageId) onCreated(event.message.whatsAppMessageId);
    });
    await client.start();
    clients.push(client);
  }
  return clients;
}

function webhookBody(i: number, prefix: string): string {
  const from = `90555${String(i % CUSTOMERS).padStart(7, '0')}`;
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '200000000000077',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000077', phone_number_id: PHONE },
              contacts: [{ profile: { name: `Bench Customer ${i % CUSTOMERS}` }, wa_id: from }],
              messages: [{ from, id: `wamid.${prefix}-${i}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: `bench message ${i}` } }],
            },
          },
        ],
      },
    ],
  });
}

async function benchStack(): Promise<{ run: Run; webhook: Run; warmup: Run }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ustad-bench-realtime-'));
  const webPubSub = await startWebPubSubProcess();
  const { child, ready } = await startApp(dataDir, webPubSub.connectionString);
  let clients: WebPubSubClient[] = [];
  try {
    const api = ready.baseUrl;
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const warmupLatencies: number[] = [];
    clients = await connectClients(api, (wamid) => {
      const at = sentAt.get(wamid);
      if (at === undefined) return;
      if (wamid.startsWith('wamid.bench-')) latencies.push(performance.now() - at);
      else if (wamid.startsWith('wamid.warmup-')) warmupLatencies.push(performance.now() - at);
    });
    const post = async (i: number, prefix: string) => {
      const body = webhookBody(i, prefix);
      const signature = signWebhookBody(APP_SECRET, body);
      const started = performance.now();
      sentAt.set(`wamid.${prefix}-${i}`, started);
      const status = await postJson(agent, `${api}/webhook`, body, { 'x-hub-signature-256': signature });
      if (status !== 200) throw new Error(`webhook answered ${status}`);
      return performance.now() - started;
    };
    const failures: string[] = [];
    // Warm-up: customers, conversations and connections exist, then the same load runs --warmup seconds unmeasured.
    for (let i = 0; i < CUSTOMERS; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => post(i + k, 'warm')));
    await paced(async (i) => void (await post(i, 'warmup').catch(() => undefined)), warmupTotal);
    await waitUntil(() => warmupLatencies.length >= warmupTotal * clientCount, 10_000);

    const webhookTimes: number[] = [];
    await paced(async (i) => {
      // A webhook the app could not take (refused, timed out) is counted, not fatal: the figures show the overload.
      await post(i, 'bench').then(
        (ms) => void webhookTimes.push(ms),
        (error: unknown) => void failures.push(error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)),
      );
    });
    const delivered = total - failures.length;
    await waitUntil(() => latencies.length >= delivered * clientCount, 30_000);
    if (failures.length > 0) console.log(`  ${failures.length} webhook(s) failed, e.g. ${failures[0]}`);
    return { run: { latencies, expected: total * clientCount }, webhook: { latencies: webhookTimes, expected: total }, warmup: { latencies: warmupLatencies, expected: warmupTotal * clientCount } };
  } finally {
    for (const client of clients) client.stop();
    for (const running of [child, webPubSub.child]) {
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The floor: an HTTP POST that a bare `ws` server broadcasts to `clientCount` plain WebSocket clients. */
async function benchBareWebSocket(): Promise<Run> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      for (const socket of wss.clients) socket.send(payload);
      res.writeHead(200).end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const sockets = await Promise.all(
    Array.from(
      { length: clientCount },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}`);
          socket.on('message', (data: Buffer) => {
            const at = sentAt.get((JSON.parse(data.toString('utf8')) as { i: number }).i);
            if (at !== undefined) latencies.push(performance.now() - at);
          });
          socket.once('open', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  try {
    await paced(async (i) => {
      sentAt.set(i, performance.now());
      await postJson(agent, `http://127.0.0.1:${port}/`, JSON.stringify({ i, text: `bench message ${i}` }));
    });
    await waitUntil(() => latencies.length >= total * clientCount, 10_000);
    return { latencies, expected: total * clientCount };
  } finally {
    for (const socket of sockets) socket.close();
    wss.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function main(): Promise<void> {
  console.log(`bench:realtime — ${clientCount} clients, ${rate} webhooks/s for ${seconds} s (${total} messages) after ${values.warmup} s of warm-up, Node ${process.version}, ${os.cpus().length} CPU(s), load ${os.loadavg()[0]?.toFixed(2)}`);
  const bare = await benchBareWebSocket();
  const { run, webhook, warmup } = await benchStack();
  agent.destroy();
  console.log(`\n  ${''.padEnd(26)}${'p50'.padStart(12)}${'p99'.padStart(12)}${'max'.padStart(12)}   delivered`);
  console.log(row('webhook → WebPubSubClient', run));
  console.log(row('bare WebSocket broadcast', bare));
  console.log(row('webhook HTTP response', webhook));
  if (warmup.expected > 0) console.log(row(`warm-up (first ${values.warmup} s)`, warmup) + '   (not measured: a fresh app, database and emulator)');
  const p99 = percentile([...run.latencies].sort((a, b) => a - b), 99);
  const complete = run.latencies.length === run.expected;
  console.log(`\n  target p99 < 100 ms: ${p99 < 100 && complete ? 'met' : 'NOT met'} (${p99.toFixed(1)} ms${complete ? '' : `, ${run.expected - run.latencies.length} deliveries missing`})`);
}

(values['serve-web-pubsub'] ? serveWebPubSub() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
