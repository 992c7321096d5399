// `npm run bench:sending`: the outbound pipeline (queue → worker → Graph simulator) for one business number with pacing
// on — sustained sends per second and 130429s — and its per-message overhead beside a bare loop calling the simulator.
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { startAzurite } from '../src/devhost/azurite';
import { startLocalHost } from '../src/devhost/functions-host/start-local-host';
import { startGraphSimulator, type RecordedRequest } from '../src/devhost/graph-simulator/graph-simulator';
import { enqueueOutbound } from '../src/outbound/outbound.queries';
import { WhatsAppCloudClient } from '../src/outbound/whatsapp-cloud.client';
import { newId } from '../src/shared/ids';
import { createStorageClients } from '../src/storage/storage-clients';

const TOKEN = 'EAA-bench-sending-token-0123456789';
const PHONE = { phoneNumberId: '120000000000001', displayPhoneNumber: '15551200001', wabaId: '220000000000001' };
const repositoryRoot = path.resolve(__dirname, '..', '..');

const { values } = parseArgs({ options: { messages: { type: 'string', default: '1600' }, bare: { type: 'string', default: '800' }, 'simulator-child': { type: 'boolean' }, disk: { type: 'boolean' } } });
const MESSAGES = Number(values.messages);
const BARE = Number(values.bare);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

type Command = { cmd: 'received'; sinceSeq: number } | { cmd: 'unlimited' } | { cmd: 'stop' };
type SimulatorCommand = Command & { id: number };

/**
 * The simulator runs in its own process, as Meta is remote: its clock and event loop are not stalled by the app's
 * synchronous SQLite commits, so what it measures per second is what left the app.
 */
async function simulatorChild(): Promise<void> {
  const simulator = await startGraphSimulator({ accessToken: TOKEN, appSecret: 'bench-sending-app-secret-1', phoneNumbers: [PHONE], statuses: { auto: false }, pairRateLimit: { intervalMs: 6000, burst: 45 } });
  process.on('message', (message: SimulatorCommand) => {
    if (message.cmd === 'received') process.send?.({ id: message.id, result: simulator.received({ sinceSeq: message.sinceSeq, method: 'POST', pathIncludes: '/messages' }) });
    else if (message.cmd === 'unlimited') {
      simulator.setThroughputLimit(null);
      simulator.setPairRateLimit(null);
      process.send?.({ id: message.id, result: true });
    } else void simulator.stop().then(() => process.exit(0));
  });
  process.send?.({ id: 0, result: simulator.baseUrl });
}

function startSimulatorProcess(): Promise<{ baseUrl: string; call<T>(command: Command): Promise<T>; stop(): void }> {
  const child = fork(__filename, ['--simulator-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: { id: number; result: unknown }) => {
      if (message.id === 0) {
        resolve({
          baseUrl: String(message.result),
          call: <T>(command: Command) =>
            new Promise<T>((done) => {
              const id = next++;
              waiting.set(id, done as (result: unknown) => void);
              child.send({ ...command, id });
            }),
          stop: () => child.send({ id: -1, cmd: 'stop' }),
        });
      } else waiting.get(message.id)?.(message.result);
    });
  });
}

async function main(): Promise<void> {
  // On a RAM disk when there is one: the numbers then show the pipeline, not this machine's fsync latency (SQLite commits
  // with synchronous=FULL block the event loop; production's SQL Server does not). `--disk` keeps it on disk.
  const ramDisk = !values.disk && existsSync('/dev/shm');
  const dataDir = mkdtempSync(path.join(ramDisk ? '/dev/shm' : tmpdir(), 'ustad-bench-sending-'));
  const azurite = await startAzurite({ inMemory: true, ports: { blob: 0, queue: 0, table: 0 } });
  const simulator = await startSimulatorProcess();
  const received = async (sinceSeq: number) => simulator.call<RecordedRequest[]>({ cmd: 'received', sinceSeq });
  const dbPath = path.join(dataDir, 'inbox.db');
  const database = createDatabase({ kind: 'sqlite', path: dbPath });
  await migrateToLatest(database.db);
  Object.assign(process.env, {
    Jwt__Key: 'bench-sending-jwt-key-0123456789-abcdefghijklmnop',
    Database__SqlitePath: dbPath,
    LOCAL_DATA_DIR: dataDir,
    AzureWebJobsStorage: azurite.connectionString,
    WhatsApp__AccessToken: TOKEN,
    WhatsApp__PhoneNumberId: PHONE.phoneNumberId,
    WhatsApp__BusinessAccountId: PHONE.wabaId,
    WhatsApp__GraphBaseUrl: simulator.baseUrl,
    Bootstrap__FirmId: '1',
  });
  delete process.env['WebPubSubConnectionString'];
  const host = await startLocalHost({ appDir: repositoryRoot, port: 0, developmentStorage: azurite.connectionString, functions: ['outbound-send'], logger: () => {} });
  const storage = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  const services = { db: database.db, storage };
  try {
    // The host's first request runs migrations and the bootstrap (firm 1 with the number); wait for it.
    for (let i = 0; i < 100; i++) {
      if (await database.db.selectFrom('WhatsApp_PhoneNumbers').select('Id').where('PhoneNumberId', '=', PHONE.phoneNumberId).executeTakeFirst()) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    /**
     * Seeds `count` conversations (one customer each, window open) with one queued text each, and enqueues them
     * invisible for `hiddenSeconds`: the bench's own writes and enqueues share the worker's event loop (this is one
     * process) and must be over before the worker sees the first message, or they show up as pauses in what is
     * measured. Enqueued faster than they are sent, the messages then make a backlog from the first second on.
     */
    const seedAndQueue = async (count: number, label: string, hiddenSeconds: number) => {
      const now = new Date();
      const ids: string[] = [];
      const rows = { customers: [] as object[], conversations: [] as object[], messages: [] as object[] };
      for (let i = 0; i < count; i++) {
        const customer = newId();
        const conversation = newId();
        const id = newId();
        ids.push(id);
        rows.customers.push({ Id: customer, FirmId: 1, WaId: `90${label}${String(i).padStart(8, '0')}`, CreatedAt: now, UpdatedAt: now });
        rows.conversations.push({ Id: conversation, FirmId: 1, PhoneNumberId: PHONE.phoneNumberId, CustomerId: customer, LastInboundAt: now, LastMessageAt: now, CreatedAt: now, UpdatedAt: now });
        rows.messages.push({ Id: id, FirmId: 1, ConversationId: conversation, Direction: 'outbound', Type: 'text', Text: `Bench ${i}`, Status: 'queued', StatusRank: 1, MessageAt: now, BizOpaqueCallbackData: id, EnqueuedAt: now, CreatedAt: now, UpdatedAt: now });
      }
      await database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < count; i += 200) {
          await trx.insertInto('WhatsApp_Customers').values(rows.customers.slice(i, i + 200) as never).execute();
          await trx.insertInto('WhatsApp_Conversations').values(rows.conversations.slice(i, i + 200) as never).execute();
          await trx.insertInto('WhatsApp_Messages').values(rows.messages.slice(i, i + 200) as never).execute();
        }
      });
      let next = 0;
      const visibleFrom = Date.now() + hiddenSeconds * 1000;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < ids.length) await enqueueOutbound(services, 1, ids[next++] ?? '', new Date(), hiddenSeconds, true);
      }));
      if (hiddenSeconds > 0 && Date.now() > visibleFrom) console.log(`  (enqueueing took longer than the ${hiddenSeconds} s the messages stay hidden: the figures include it)`);
      return { ids, queuedAt: visibleFrom };
    };
    const waitAllSent = async () => {
      for (;;) {
        const pending = Number((await database.db.selectFrom('WhatsApp_Messages').select((eb) => eb.fn.countAll().as('n')).where('Status', 'in', ['queued', 'sending']).executeTakeFirstOrThrow()).n);
        if (pending === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    // 0. Warm-up, not measured: the worker's first sends (cold code, new connections) reach the simulator late. Fewer
    // than a second's worth, so that they cannot be throttled (a 130429 would widen the pacer's margin for minutes).
    await seedAndQueue(40, '0', 0);
    await waitAllSent();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const seqBefore = (await received(0)).at(-1)?.seq ?? 0;

    // 1. Paced: one number at its default 80 messages/s, a backlog well above what one second can take.
    const paced = await seedAndQueue(MESSAGES, '1', 8);
    await waitAllSent();
    const sends = await received(seqBefore);
    const accepted = sends.filter((r) => r.response?.status === 200).map((r) => Date.parse(r.at)).sort((a, b) => a - b);
    const throttled = sends.filter((r) => (r.response?.body as { error?: { code?: number } } | undefined)?.error?.code === 130429).length;
    const first = accepted[0] ?? 0;
    const last = accepted.at(-1) ?? 0;
    // Steady state: drop the first and last second (queue warm-up, the tail).
    const steady = accepted.filter((t) => t >= first + 1000 && t <= last - 1000);
    const steadyRate = steady.length / (((steady.at(-1) ?? 0) - (steady[0] ?? 0)) / 1000);
    // Where the steady state loses time: pauses between consecutive departures well above the paced spacing.
    const gaps = steady.slice(1).map((t, i) => t - (steady[i] ?? t)).filter((gap) => gap > 50);
    let maxInSecond = 0;
    for (let i = 0, j = 0; i < accepted.length; i++) {
      while ((accepted[i] ?? 0) - (accepted[j] ?? 0) >= 1000) j++;
      maxInSecond = Math.max(maxInSecond, i - j + 1);
    }
    const latencies = (await database.db.selectFrom('WhatsApp_Messages').select(['SentAt']).where('Id', 'in', paced.ids.slice(0, 500)).execute())
      .map((r) => (r.SentAt?.getTime() ?? 0) - paced.queuedAt)
      .sort((a, b) => a - b);

    // 2. Unpaced pipeline vs a bare loop: the simulator's limit off, the number allowed 1,000/s.
    await simulator.call({ cmd: 'unlimited' });
    await database.db.updateTable('WhatsApp_PhoneNumbers').set({ MessagesPerSecond: 1000 }).execute();
    const unpaced = await seedAndQueue(BARE, '2', 6);
    await waitAllSent();
    const unpacedSeconds = (Date.now() - unpaced.queuedAt) / 1000;

    const client = new WhatsAppCloudClient(simulator.baseUrl, PHONE.phoneNumberId, TOKEN, { apiVersion: 'v21.0' });
    const sequentialStart = performance.now();
    for (let i = 0; i < 200; i++) await client.sendTextMessage(`+9031${String(i).padStart(8, '0')}`, `bare ${i}`, { bizOpaqueCallbackData: newId() });
    const sequentialMs = (performance.now() - sequentialStart) / 200;
    const concurrency = 16 + 8 * cpus().length;
    const bareStart = performance.now();
    let sent = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (sent < BARE) {
        const i = sent++;
        await client.sendTextMessage(`+9032${String(i).padStart(8, '0')}`, `bare ${i}`, { bizOpaqueCallbackData: newId() });
      }
    }));
    const bareSeconds = (performance.now() - bareStart) / 1000;

    console.log(`\nbench:sending — one business number, SQLite ${ramDisk ? 'on a RAM disk' : 'on disk'}, Azurite queue, local host, simulator in its own process (${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(1)})`);
    console.log(`  paced (setting 80/s): ${MESSAGES} messages, ${accepted.length} accepted by the simulator`);
    console.log(`    sustained ${steadyRate.toFixed(1)} msg/s (steady state; the pacer spaces sends 4 % under the limit against arrival jitter), max ${maxInSecond} in any 1 s window, 130429 answers: ${throttled}`);
    console.log(`    pauses over 50 ms between departures: ${gaps.length}, ${gaps.reduce((a, b) => a + b, 0)} ms in all (longest ${Math.max(0, ...gaps)} ms)`);
    console.log(`    visible→sent for the first 500 of the backlog: p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms (backlog waits for its pace)`);
    console.log(`  unpaced pipeline: ${BARE} messages in ${unpacedSeconds.toFixed(2)} s = ${(BARE / unpacedSeconds).toFixed(0)} msg/s → ${((unpacedSeconds * 1000) / BARE).toFixed(2)} ms per message`);
    console.log(`  bare loop, same simulator: ${concurrency} concurrent → ${(BARE / bareSeconds).toFixed(0)} msg/s = ${((bareSeconds * 1000) / BARE).toFixed(2)} ms per message; one at a time ${sequentialMs.toFixed(2)} ms per call`);
    console.log(`  pipeline overhead per message (queue, claim, SQLite writes, pacing bookkeeping): ${((unpacedSeconds * 1000) / BARE - (bareSeconds * 1000) / BARE).toFixed(2)} ms of wall time at full load`);
    if (throttled > 0 || steadyRate < 75) process.exitCode = 1;
  } finally {
    await host.stop();
    simulator.stop();
    await database.close();
    await azurite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

(values['simulator-child'] ? simulatorChild() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
