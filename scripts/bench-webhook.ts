// `npm run bench:webhook`: signed webhook throughput and latency through the local host (SQLite, full processing), on
// production's Node.js and on this machine's (bench-host-runtime.ts), and the same load against a bare node:http server
// that only verifies the signature, for comparison.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { QueueServiceClient } from '@azure/storage-queue';
import BetterSqlite3 from 'better-sqlite3';
import { signWebhookBody, verifyWebhookSignature } from '../src/webhook/verify-signature';
import { machineRuntime, productionNodeMajor, productionRuntime, type HostRuntime } from './bench-host-runtime';
import type { HostFullGc } from './host-gc-probe';
import { postJson } from './post-json';

const APP_SECRET = 'bench-app-secret-0123456789abcdef';
const PHONE_NUMBER_ID = '106540352242922';
const CUSTOMERS = 200;
/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux build Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

interface PhaseResult {
  readonly label: string;
  readonly messages: number;
  readonly posts: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
  /** POSTs not answered 200. */
  readonly failures: number;
  readonly messagesPerPost: number;
  /** The host's CPU time during the phase (Linux /proc), ms per message: its main thread, and all its threads. */
  readonly hostCpu?: { readonly mainMsPerMessage: number; readonly processMsPerMessage: number };
  /** Full GCs of the host's main thread during the phase (host-gc-probe.ts), and the longest pause. */
  readonly hostFullGcs?: { readonly count: number; readonly longestMs: number };
}

/** Full GCs the host's main thread reported (host-gc-probe.ts), in order. */
const hostFullGcs: HostFullGc[] = [];

let sequence = 0;

/** One signed POST body with `count` inbound text messages from rotating customers, each with a new wamid. */
function signedBody(count: number): { body: string; signature: string; ids: string[] } {
  const messages = [];
  const contacts = [];
  for (let i = 0; i < count; i++) {
    const n = sequence++;
    const waId = `9055510${String(n % CUSTOMERS).padStart(5, '0')}`;
    contacts.push({ profile: { name: `Bench ${n % CUSTOMERS}` }, wa_id: waId });
    messages.push({ from: waId, id: `wamid.bench-${process.pid}-${n}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: `Merhaba, mesaj ${n}` } });
  }
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID }, contacts, messages } }] }],
  });
  return { body, signature: signWebhookBody(body, APP_SECRET), ids: messages.map((m) => m.id) };
}

/** Why POSTs did not get a 200: `status 503`, `ECONNRESET`, … (Meta would deliver those again). */
const failureKinds = new Map<string, number>();

/** Message ids the host answered 200 for: each must end up stored exactly once. */
const acceptedIds = new Set<string>();

/**
 * Where POSTs go: the URL, over keep-alive connections, at most `--sockets` open at once (Meta delivers over a bounded
 * set of connections; an unbounded client would measure its own connection storms).
 */
interface Target {
  readonly url: string;
  readonly agent: Agent;
}

async function postOnce(target: Target, item: { body: string; signature: string; ids: string[] }): Promise<boolean> {
  let kind: string;
  try {
    const status = await postJson(target.agent, target.url, item.body, { 'x-hub-signature-256': item.signature });
    if (status === 200) {
      for (const id of item.ids) acceptedIds.add(id);
      return true;
    }
    kind = `status ${status}`;
  } catch (error) {
    kind = (error as { code?: string }).code ?? String(error);
  }
  failureKinds.set(kind, (failureKinds.get(kind) ?? 0) + 1);
  return false;
}

/**
 * Open loop: POSTs leave at a fixed rate whatever the answers do, and each latency is measured from the moment
 * the POST was due (so a stalled server shows up as latency, not as a politely slower client).
 */
async function openLoop(label: string, target: Target, messagesPerSecond: number, messagesPerPost: number, seconds: number): Promise<PhaseResult> {
  const postsPerSecond = messagesPerSecond / messagesPerPost;
  const total = Math.round(postsPerSecond * seconds);
  const items = Array.from({ length: total }, () => signedBody(messagesPerPost));
  const latenciesMs: number[] = [];
  let failures = 0;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / postsPerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const item = items[i]!;
    // From when it was due, or from when it left if the timer let it leave up to 1 ms early.
    const from = Math.min(due, performance.now());
    const p = postOnce(target, item).then((ok) => {
      latenciesMs.push(performance.now() - from);
      if (!ok) failures++;
      inFlight.delete(p);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  return { label, messages: total * messagesPerPost, posts: total, seconds: elapsed, latenciesMs, failures, messagesPerPost };
}

/** Closed loop: `connections` senders each POST again as soon as the last answer came; shows capacity. */
async function closedLoop(label: string, target: Target, connections: number, seconds: number): Promise<PhaseResult> {
  const latenciesMs: number[] = [];
  let failures = 0;
  let posts = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const item = signedBody(1);
        const t = performance.now();
        if (!(await postOnce(target, item))) failures++;
        latenciesMs.push(performance.now() - t);
        posts++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { label, messages: posts, posts, seconds: elapsed, latenciesMs, failures, messagesPerPost: 1 };
}

/** CPU time (user + system) of a process or one of its threads, in ms, from /proc; undefined where there is no /proc. */
function cpuMs(statFile: string): number | undefined {
  try {
    // Fields after the command name (which may contain spaces): utime is the 12th, stime the 13th.
    const stat = readFileSync(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * Runs a host phase and notes the host's CPU per message: the main thread is the one event loop every webhook passes
 * through, so its ms per message bounds the capacity (1,000 / ms); the process figure adds GC helpers and the
 * emulators' threads. Also counts the main thread's full GCs in the phase (each pauses every request in flight).
 */
async function withHostUsage(pid: number | undefined, phase: () => Promise<PhaseResult>): Promise<PhaseResult> {
  if (pid === undefined) return phase();
  const main = `/proc/${pid}/task/${pid}/stat`;
  const all = `/proc/${pid}/stat`;
  const before = { main: cpuMs(main), all: cpuMs(all), at: Date.now() };
  const phaseResult = await phase();
  const after = { main: cpuMs(main), all: cpuMs(all), at: Date.now() };
  const gcs = hostFullGcs.filter((gc) => gc.at >= before.at && gc.at < after.at);
  const result = { ...phaseResult, hostFullGcs: { count: gcs.length, longestMs: Math.max(0, ...gcs.map((gc) => gc.pauseMs)) } };
  if (before.main === undefined || after.main === undefined || before.all === undefined || after.all === undefined) return result;
  return { ...result, hostCpu: { mainMsPerMessage: (after.main - before.main) / result.messages, processMsPerMessage: (after.all - before.all) / result.messages } };
}

/** Fixed CPU work (HMAC and JSON, as a webhook does): its time tells runs on a slowed-down machine from the others. */
function referenceLoopMs(): number {
  const key = Buffer.alloc(32, 1);
  const started = performance.now();
  let sink = 0;
  for (let i = 0; i < 200_000; i++) {
    sink += createHmac('sha256', key).update(`reference ${i}`).digest()[0] ?? 0;
    sink += (JSON.parse(JSON.stringify({ i, text: `mesaj ${i}`, list: [1, 2, 3] })) as { i: number }).i;
  }
  // Using the sum keeps the work from being optimised away.
  return sink < 0 ? NaN : performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function row(result: PhaseResult): string {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const cells = [
    result.label.padEnd(52),
    (result.messages / result.seconds).toFixed(0).padStart(7),
    (result.posts / result.seconds).toFixed(0).padStart(7),
    percentile(sorted, 50).toFixed(1).padStart(7),
    percentile(sorted, 99).toFixed(1).padStart(7),
    (sorted.at(-1) ?? NaN).toFixed(1).padStart(7),
    String(result.failures).padStart(7),
    result.hostCpu ? `${result.hostCpu.mainMsPerMessage.toFixed(2).padStart(6)} / ${result.hostCpu.processMsPerMessage.toFixed(2).padEnd(5)}` : '',
    result.hostFullGcs ? `${String(result.hostFullGcs.count).padStart(4)} (${result.hostFullGcs.longestMs.toFixed(0)} ms)` : '',
  ];
  return cells.join(' ').trimEnd();
}

/** The comparison server: reads the body, checks X-Hub-Signature-256, answers 200 or 401. Nothing else. */
function runBareServer(): void {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const ok = verifyWebhookSignature(Buffer.concat(chunks), req.headers['x-hub-signature-256'] as string | undefined, [APP_SECRET]);
      res.writeHead(ok ? 200 : 401, { 'content-type': 'text/plain' }).end(ok ? 'OK' : 'Unauthorized');
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('disconnect', () => server.close(() => process.exit(0)));
}

interface HostReady {
  readonly type: string;
  readonly baseUrl: string;
  readonly storageConnectionString: string | undefined;
}

/** A port free right now (the app's settings refuse PORT=0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function startHost(runtime: HostRuntime, dataDir: string): Promise<{ child: ChildProcess; baseUrl: string; storage: string | undefined; output: () => string }> {
  const port = await freePort();
  const probe = path.resolve(__dirname, 'host-gc-probe.js');
  const child = spawn(runtime.node, [...process.execArgv, '--require', probe, runtime.start, '--azurite-ports', '0', '--azurite-in-memory'], {
    env: {
      ...process.env,
      PORT: String(port),
      LOCAL_DATA_DIR: dataDir,
      Database__SqlitePath: path.join(dataDir, 'inbox.db'),
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      Jwt__Key: 'bench-jwt-key-0123456789abcdef0123456789',
      WhatsApp__PhoneNumberId: PHONE_NUMBER_ID,
      WhatsApp__AppSecret: APP_SECRET,
      WhatsApp__VerifyToken: 'bench-verify-token',
      WhatsApp__AccessToken: 'bench-access-token',
      Bootstrap__AdminPassword: 'correct-horse-battery-staple-42',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const ready = await new Promise<HostReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the local host did not start within 60 s:\n${output}`)), 60_000);
    child.on('message', (message: unknown) => {
      if ((message as HostFullGc | undefined)?.type === 'bench-host-full-gc') hostFullGcs.push(message as HostFullGc);
      if ((message as HostReady | undefined)?.type === 'ustad-local-host-ready') {
        clearTimeout(timer);
        resolve(message as HostReady);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local host exited (${code}) before it was ready:\n${output}`));
    });
  });
  return { child, baseUrl: ready.baseUrl, storage: ready.storageConnectionString, output: () => output };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Stored rows, and how many of the accepted ids have no row. */
function storedMessages(dbFile: string, accepted: ReadonlySet<string>): { rows: number; acceptedMissing: number } {
  const db = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
  try {
    const ids = new Set((db.prepare('select WhatsAppMessageId as id from WhatsApp_Messages').all() as { id: string }[]).map((r) => r.id));
    let acceptedMissing = 0;
    for (const id of accepted) if (!ids.has(id)) acceptedMissing++;
    return { rows: ids.size, acceptedMissing };
  } finally {
    db.close();
  }
}

/** What one host run (one runtime) measured and left behind. */
interface HostRun {
  readonly runtime: HostRuntime;
  readonly warmUp: PhaseResult;
  /** 1 message/POST open loop, `batch` messages/POST open loop, closed loop. */
  readonly phases: readonly [PhaseResult, PhaseResult, PhaseResult];
  readonly report: readonly string[];
}

interface Settings {
  readonly rate: number;
  readonly seconds: number;
  /** Closed loops show capacity, not a tail: as long as the open-loop phases, but 5–10 s. */
  readonly closedSeconds: number;
  readonly batch: number;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly agent: Agent;
}

/** Starts the host on `runtime` with a new database, loads it phase by phase, checks every accepted message was stored. */
async function benchHost(runtime: HostRuntime, settings: Settings): Promise<HostRun> {
  const { rate, seconds, closedSeconds, batch, connections, agent } = settings;
  acceptedIds.clear();
  failureKinds.clear();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-webhook-'));
  const dbFile = path.join(dataDir, 'inbox.db');
  const host = await startHost(runtime, dataDir);
  try {
    const target: Target = { url: `${host.baseUrl}/webhook`, agent };
    const pid = host.child.pid;
    const warmUp = await openLoop(`warm-up: 1 message/POST, ${rate / 2}/s, ${settings.warmupSeconds} s`, target, rate / 2, 1, settings.warmupSeconds);
    const phases = [
      await withHostUsage(pid, () => openLoop(`host: 1 message/POST, open loop ${rate}/s, ${seconds} s`, target, rate, 1, seconds)),
      await withHostUsage(pid, () => openLoop(`host: ${batch} messages/POST, open loop ${rate}/s, ${seconds} s`, target, rate, batch, seconds)),
      await withHostUsage(pid, () => closedLoop(`host: 1 message/POST, closed loop, ${connections} conns`, target, connections, closedSeconds)),
    ] as const;

    const sentToHost = [warmUp, ...phases].reduce((n, r) => n + r.messages, 0);
    // Only messages whose POST got a 200 must be stored (some may still be on the replay queue); Meta resends the rest.
    const accepted = new Set(acceptedIds);
    let stored = storedMessages(dbFile, accepted);
    const waitUntil = Date.now() + 60_000;
    while (stored.acceptedMissing > 0 && Date.now() < waitUntil) {
      await new Promise((r) => setTimeout(r, 500));
      stored = storedMessages(dbFile, accepted);
    }
    const report: string[] = [];
    if (host.storage) {
      const queues = QueueServiceClient.fromConnectionString(host.storage);
      const waiting = async (name: string) => (await queues.getQueueClient(name).getProperties().catch(() => undefined))?.approximateMessagesCount ?? 0;
      report.push(`inbound-webhooks queue: ${await waiting('inbound-webhooks')} waiting for replay, ${await waiting('inbound-webhooks-poison')} parked in poison`);
    }
    const errorLines = host.output().split('\n').filter((line) => /webhook: |Executed \(Failed/.test(line));
    if (errorLines.length > 0) report.push(`host reported ${errorLines.length} webhook problem line(s), first: ${errorLines.slice(0, 3).join(' | ').slice(0, 600)}`);
    if (failureKinds.size > 0) report.push(`non-200 answers: ${[...failureKinds].map(([k, n]) => `${n} × ${k}`).join(', ')}`);
    report.push(
      `stored: ${stored.rows} messages; ${sentToHost} sent to the host, ${accepted.size} answered 200: ${stored.acceptedMissing} of those not stored, ${Math.max(0, stored.rows - sentToHost)} rows more than sent`,
    );
    return { runtime, warmUp, phases, report };
  } finally {
    await stopChild(host.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const p99Of = (result: PhaseResult) => percentile([...result.latenciesMs].sort((a, b) => a - b), 99);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '1000' },
      /**
       * Seconds per measured open-loop phase. The app thread runs a full GC every 6–13 s at 1,000 webhooks/s (measured here), and each
       * one delays the requests behind it; a phase must span several of them for its p99 to be the steady state rather
       * than the luck of one GC more or less.
       */
      seconds: { type: 'string', default: '30' },
      batch: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      sockets: { type: 'string', default: '64' },
      'bare-server': { type: 'boolean', default: false },
      /** Unmeasured seconds of load first: a fresh host and database are slower at first (JIT, growing files). */
      warmup: { type: 'string', default: '10' },
      /** Which Node.js runs the host: production's (infra/main.bicep), this machine's, or both (one after the other). */
      runtime: { type: 'string', default: 'both' },
    },
  });
  if (values['bare-server']) return runBareServer();
  const settings: Settings = {
    rate: Number(values.rate),
    seconds: Number(values.seconds),
    closedSeconds: Math.max(5, Math.min(Number(values.seconds), 10)),
    batch: Number(values.batch),
    connections: Number(values.connections),
    warmupSeconds: Number(values.warmup),
    agent: new Agent({ keepAlive: true, maxSockets: Number(values.sockets) }),
  };
  const { rate, seconds, closedSeconds, connections } = settings;
  if (!['both', 'production', 'machine'].includes(values.runtime)) throw new Error('--runtime is both, production or machine');

  const runtimes: HostRuntime[] = [];
  const notes: string[] = [];
  const major = productionNodeMajor();
  if (values.runtime !== 'machine') {
    if (process.versions.node.split('.')[0] === String(major)) runtimes.push({ ...machineRuntime(), label: `Node ${process.version} (this machine's, and production's)` });
    else {
      try {
        runtimes.push(productionRuntime(major, (line) => console.log(line)));
      } catch (error) {
        notes.push(`production's Node.js ${major} could not be prepared here, so the host ran on this machine's only: ${String((error as Error).message).split('\n')[0]}`);
      }
    }
  }
  if ((values.runtime !== 'production' || runtimes.length === 0) && !runtimes.some((r) => r.node === process.execPath)) runtimes.push(machineRuntime());

  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
  const referenceBefore = referenceLoopMs();
  const runs: HostRun[] = [];
  for (const runtime of runtimes) runs.push(await benchHost(runtime, settings));

  const bare = fork(__filename, ['--bare-server'], { stdio: 'ignore' });
  try {
    const barePort = await new Promise<number>((resolve) => bare.once('message', (m: { port: number }) => resolve(m.port)));
    const bareTarget: Target = { url: `http://127.0.0.1:${barePort}/webhook`, agent: settings.agent };
    await openLoop('warm-up', bareTarget, 200, 1, 2);
    const bareOpen = await openLoop(`bare verifier: 1 message/POST, open loop ${rate}/s`, bareTarget, rate, 1, seconds);
    const bareClosed = await closedLoop(`bare verifier: closed loop, ${connections} conns`, bareTarget, connections, closedSeconds);

    const cpu = cpus();
    console.log(`\nbench:webhook — client on Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, load average before ${loadBefore}; SQLite (WAL, synchronous=FULL), a new file per host run; client: node:http keep-alive, ≤ ${values.sockets} sockets`);
    console.log(`machine speed: a fixed reference loop took ${referenceBefore.toFixed(0)} ms before the run and ${referenceLoopMs().toFixed(0)} ms after (compare runs by it: a virtual machine's speed drifts)`);
    for (const note of notes) console.log(note);
    const header = `${'phase'.padEnd(52)} ${'msg/s'.padStart(7)} ${'POST/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'non-200'.padStart(7)}  host CPU ms/msg (main / process), host full GCs (longest pause)`;
    for (const run of runs) {
      console.log(`\nlocal host on ${run.runtime.label}`);
      console.log(header);
      console.log(`${row(run.warmUp)}   (not measured)`);
      for (const result of run.phases) console.log(row(result));
      const [single, , closed] = run.phases;
      const hostCapacity = closed.messages / closed.seconds;
      const bareCapacity = bareClosed.messages / bareClosed.seconds;
      console.log(`capacity ratio host / bare verifier: ${(hostCapacity / bareCapacity).toFixed(3)} (${hostCapacity.toFixed(0)} vs ${bareCapacity.toFixed(0)} msg/s, 1 message/POST)`);
      const mainCpu = single.hostCpu?.mainMsPerMessage;
      if (mainCpu !== undefined) {
        console.log(`host main thread: ${mainCpu.toFixed(2)} ms CPU per 1-message webhook at ${rate}/s, so one event loop serves at most ~${(1000 / mainCpu).toFixed(0)} msg/s`);
      }
      console.log(`p99 ratio at ${rate} msg/s, 1 message/POST: ${(p99Of(single) / p99Of(bareOpen)).toFixed(1)}× (${p99Of(single).toFixed(1)} vs ${p99Of(bareOpen).toFixed(1)} ms)`);
      for (const line of run.report) console.log(line);
    }
    console.log(`\nbare verifier (node:http, signature check only, on Node ${process.version})`);
    console.log(header);
    console.log(row(bareOpen));
    console.log(row(bareClosed));
    console.log(`load average when done: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpu.length} CPUs)\n`);
    for (const run of runs) {
      for (const [i, mode] of [[0, '1 message/POST'], [1, `${settings.batch} messages/POST`]] as const) {
        const result = run.phases[i];
        const achieved = result.messages / result.seconds;
        const verdict = achieved >= 0.98 * 1000 && p99Of(result) < 100 && result.failures === 0 ? 'met' : 'NOT met';
        console.log(`target ≥ 1,000 msg/s with p99 < 100 ms (${mode}, offered ${rate}/s, host on ${run.runtime.label}): ${verdict} (${achieved.toFixed(0)} msg/s, p99 ${p99Of(result).toFixed(1)} ms)`);
      }
    }
  } finally {
    bare.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
