// Runs Azurite (npm `azurite`, Blob/Queue/Table) as a child process for `npm start` and the tests, or reuses one
// that already answers on the default ports. Azurite has no supported programmatic API, so its bin is spawned.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DevHostError } from './functions-host/dev-host-error';
import { developmentStorageConnectionString, developmentStoragePorts } from './functions-host/storage-connection';

/** Ports of the three services. */
export interface AzuritePorts {
  readonly blob: number;
  readonly queue: number;
  readonly table: number;
}

/** Options of `startAzurite`. */
export interface AzuriteOptions {
  /** Where Azurite keeps its data (ignored with `inMemory`). Usually `<LOCAL_DATA_DIR>/azurite`. */
  readonly dataDir?: string;
  /** Keep everything in memory (tests). */
  readonly inMemory?: boolean;
  /** Ports to listen on; 0 lets the OS choose. Default 10000–10002, what `UseDevelopmentStorage=true` means. */
  readonly ports?: AzuritePorts;
  readonly host?: string;
  readonly startTimeoutMs?: number;
}

/** A running (or reused) Azurite. */
export interface RunningAzurite {
  /** Explicit http endpoints with the well-known devstoreaccount1 key. */
  readonly connectionString: string;
  readonly ports: AzuritePorts;
  readonly endpoints: { readonly blob: string; readonly queue: string; readonly table: string };
  /** Child process id; undefined when an Azurite that was already running is reused. */
  readonly pid: number | undefined;
  readonly reused: boolean;
  readonly dataDir: string | undefined;
  /** Stops the child (SIGTERM, then SIGKILL after 5 s) and waits for it to exit; no-op when reused. */
  stop(): Promise<void>;
}

// Azurite does not notice its parent dying; this preload ends it when our end of its stdin closes (parent exit or crash).
const parentWatchdog =
  'data:text/javascript,' +
  encodeURIComponent('process.stdin.on("end",()=>process.kill(process.pid,"SIGTERM"));process.stdin.on("error",()=>{});process.stdin.resume();');

const services = ['blob', 'queue', 'table'] as const;

function endpoints(ports: AzuritePorts, host: string) {
  const at = (port: number) => `http://${host}:${port}/devstoreaccount1`;
  return { blob: at(ports.blob), queue: at(ports.queue), table: at(ports.table) };
}

/** Resolves with the `server` header of whatever answers HTTP on `host:port`, or undefined when nothing does. */
function probe(host: string, port: number, timeoutMs = 1500): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/devstoreaccount1?comp=list', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(String(res.headers.server ?? ''));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** True when Azurite answers on all three ports. */
export async function azuriteAnswers(ports: AzuritePorts = developmentStoragePorts, host = '127.0.0.1'): Promise<boolean> {
  const answers = await Promise.all(services.map((s) => probe(host, ports[s])));
  return answers.every((server) => server !== undefined && /azurite/i.test(server));
}

function azuriteBin(): string {
  try {
    return require.resolve('azurite/dist/src/azurite.js');
  } catch {
    throw new DevHostError('The azurite package is not installed (it is a devDependency: run npm ci).');
  }
}

/**
 * Spawns Azurite with telemetry off and waits until Blob, Queue and Table all answer. Throws `DevHostError`
 * with Azurite's own output when it cannot start (for example a port in use).
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const host = options.host ?? '127.0.0.1';
  const requested = options.ports ?? developmentStoragePorts;
  const dataDir = options.inMemory ? undefined : path.resolve(options.dataDir ?? path.join('.data', 'azurite'));
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const args = [
    '--import', parentWatchdog, azuriteBin(),
    '--disableTelemetry', '--silent', '--skipApiVersionCheck', '--loose',
    '--blobHost', host, '--queueHost', host, '--tableHost', host,
    '--blobPort', String(requested.blob), '--queuePort', String(requested.queue), '--tablePort', String(requested.table),
    ...(dataDir ? ['--location', dataDir] : ['--inMemoryPersistence']),
  ];
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(process.execPath, args, {
    cwd: dataDir ?? os.tmpdir(),
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, AZURITE_ACCOUNTS: undefined },
  });
  child.stdin.on('error', () => undefined);

  const output: string[] = [];
  const ports: Partial<Record<(typeof services)[number], number>> = {};
  let servicesClosed = 0;
  let onAllClosed: (() => void) | undefined;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const ready = new Promise<AzuritePorts>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > 40) output.shift();
      if (/Azurite (Blob|Queue|Table) service successfully closed/i.test(line) && ++servicesClosed === services.length) onAllClosed?.();
      const m = /Azurite (Blob|Queue|Table) service is successfully listening at https?:\/\/[^\s]*:(\d+)/i.exec(line);
      if (m) {
        ports[(m[1] ?? '').toLowerCase() as (typeof services)[number]] = Number(m[2]);
        if (ports.blob !== undefined && ports.queue !== undefined && ports.table !== undefined) {
          resolve({ blob: ports.blob, queue: ports.queue, table: ports.table });
        }
      }
    };
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, nl).trimEnd());
        buffered = buffered.slice(nl + 1);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => reject(new DevHostError(`Azurite could not be started: ${err.message}`)));
    child.once('exit', (code, signal) => {
      reject(new DevHostError(`Azurite exited during start-up (${signal ?? `code ${code}`}):\n  ${output.join('\n  ')}`));
    });
  });

  // Azurite's process lingers for seconds after its services report "successfully closed" (data already
  // flushed by then), so it is killed at that point rather than waited for.
  const stop = async () => {
    if (exited) return;
    const closed = new Promise<void>((resolve) => {
      onAllClosed = resolve;
      if (servicesClosed >= services.length) resolve();
    });
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await Promise.race([exitedPromise, closed.then(() => sleep(200))]);
    if (!exited) child.kill('SIGKILL');
    await exitedPromise;
    clearTimeout(killer);
  };

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const listening = await Promise.race([
      ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DevHostError(`Azurite did not start within ${timeoutMs / 1000} s:\n  ${output.join('\n  ')}`)), timeoutMs);
      }),
    ]);
    if (!(await azuriteAnswers(listening, host))) throw new DevHostError(`Azurite started but does not answer on ${host}:${listening.blob}/${listening.queue}/${listening.table}.`);
    return {
      connectionString: developmentStorageConnectionString(listening, host),
      ports: listening,
      endpoints: endpoints(listening, host),
      pid: child.pid,
      reused: false,
      dataDir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What `UseDevelopmentStorage=true` needs: reuses an Azurite already answering on the default ports, else
 * starts one there with data under `dataDir`.
 */
export async function startOrReuseDevelopmentStorage(dataDir: string): Promise<RunningAzurite> {
  if (await azuriteAnswers(developmentStoragePorts)) {
    return {
      connectionString: developmentStorageConnectionString(developmentStoragePorts),
      ports: developmentStoragePorts,
      endpoints: endpoints(developmentStoragePorts, '127.0.0.1'),
      pid: undefined,
      reused: true,
      dataDir: undefined,
      stop: async () => undefined,
    };
  }
  return startAzurite({ dataDir });
}
