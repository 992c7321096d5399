// The local Functions host for tests, in both forms: in-process (`startTestHost`, fast, shares the test's
// process) and as the real `npm start` child process (`spawnLocalHost`, for end-to-end and signal tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostLogEntry } from '../../src/devhost/functions-host/host-log';
import { startLocalHost, type LocalHost, type LocalHostOptions } from '../../src/devhost/functions-host/start-local-host';
import type { LocalHostReadyMessage } from '../../src/devhost/start';
import { testStorageConnectionString } from './test-storage';

const repositoryRoot = path.resolve(__dirname, '..', '..');
const compiledStart = path.join(repositoryRoot, 'dist', 'src', 'devhost', 'start.js');

/** An in-process host plus the log lines it wrote. */
export interface TestHost extends LocalHost {
  readonly logs: HostLogEntry[];
  /** Log messages joined, for assertions. */
  logText(): string;
}

/**
 * Starts the host in this process on a free port with the run's Azurite as `AzureWebJobsStorage`.
 * `settings` are added to process.env for binding expressions (the app itself still reads process.env).
 * `start` is the TypeScript source's `startLocalHost` unless a test passes the compiled one.
 */
export async function startTestHost(
  options: Partial<LocalHostOptions> & { appDir: string; settings?: Record<string, string | undefined>; start?: typeof startLocalHost },
): Promise<TestHost> {
  const logs: HostLogEntry[] = [];
  const storage = testStorageConnectionString();
  const { start = startLocalHost, ...hostOptions } = options;
  const host = await start({
    port: 0,
    hostKey: 'test-host-key',
    developmentStorage: storage,
    ...hostOptions,
    settings: { ...process.env, AzureWebJobsStorage: storage, ...hostOptions.settings },
    logger: (entry) => logs.push(entry),
  });
  return Object.assign(host, { logs, logText: () => logs.map((l) => `${l.functionName ?? ''} ${l.message}`).join('\n') });
}

/** A host running as `node dist/src/devhost/start.js`. */
export interface SpawnedLocalHost {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly ready: LocalHostReadyMessage;
  /** Everything the host printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * A port free right now. The app's settings refuse PORT=0, so the child gets a concrete port (the small race
 * with other processes is acceptable for tests).
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Options of `spawnLocalHost`. */
export interface SpawnLocalHostOptions {
  /** Function app directory (`--app-dir`); default the repository. */
  readonly appDir?: string;
  /** Extra command-line arguments for start.js. */
  readonly args?: readonly string[];
  /** Environment on top of process.env; PORT defaults to a free port. */
  readonly env?: Record<string, string | undefined>;
  readonly timeoutMs?: number;
}

/** Result of a host process that exited before becoming ready. */
export class LocalHostExitedError extends Error {
  constructor(
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`The local host exited with code ${code} before it was ready:\n${output}`);
  }
}

/**
 * Spawns the compiled host (build first: `npm run build`) and waits for its ready message over IPC.
 * Rejects with `LocalHostExitedError` when it exits first.
 */
export async function spawnLocalHost(options: SpawnLocalHostOptions = {}): Promise<SpawnedLocalHost> {
  if (!existsSync(compiledStart)) throw new Error(`${compiledStart} is missing: run "npm run build" before these tests.`);
  // The port `freePort` found can be taken by another process (two test files run at once) before the child binds it:
  // then the child exits naming the port, and a new free port is tried. A PORT the caller chose is never replaced.
  for (let attempt = 1; ; attempt++) {
    const port = String(await freePort());
    try {
      return await spawnOnce(options, port);
    } catch (err) {
      const lostRace = err instanceof LocalHostExitedError && options.env?.['PORT'] === undefined && err.output.includes(`Port ${port} on 127.0.0.1 is already in use`);
      if (!lostRace || attempt >= 3) throw err;
    }
  }
}

async function spawnOnce(options: SpawnLocalHostOptions, port: string): Promise<SpawnedLocalHost> {
  const args = [compiledStart, ...(options.appDir ? ['--app-dir', options.appDir] : []), ...(options.args ?? [])];
  const child = spawn(process.execPath, args, {
    cwd: repositoryRoot,
    env: { ...process.env, PORT: port, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const ready = await new Promise<LocalHostReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The local host was not ready within ${options.timeoutMs ?? 30_000} ms:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    child.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ustad-local-host-ready') {
        clearTimeout(timer);
        resolve(message as LocalHostReadyMessage);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new LocalHostExitedError(code, output));
    });
  });

  return {
    child,
    pid: child.pid ?? -1,
    ready,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A spawned host with its own data folder (LOCAL_DATA_DIR), removed once the host has stopped. */
export interface SpawnedHostWithData extends SpawnedLocalHost {
  readonly dataDir: string;
}

/** `spawnLocalHost` with LOCAL_DATA_DIR set to a new temporary folder named `<prefix>…`. */
export async function spawnLocalHostWithDataDir(prefix: string, options: SpawnLocalHostOptions = {}): Promise<SpawnedHostWithData> {
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    const host = await spawnLocalHost({ ...options, env: { LOCAL_DATA_DIR: dataDir, ...options.env } });
    return {
      ...host,
      dataDir,
      async stop(signal) {
        try {
          return await host.stop(signal);
        } finally {
          removeDataDir();
        }
      },
    };
  } catch (err) {
    removeDataDir();
    throw err;
  }
}

/** Runs the compiled host to completion (for start-up failures) and returns its exit code and output. */
export async function runLocalHostToExit(options: SpawnLocalHostOptions = {}): Promise<{ code: number | null; output: string }> {
  try {
    const host = await spawnLocalHost(options);
    const output = host.output();
    await host.stop();
    return { code: 0, output };
  } catch (err) {
    if (err instanceof LocalHostExitedError) return { code: err.code, output: err.output };
    throw err;
  }
}

/** Ids of every live process descending from `pid` (Linux /proc). */
export function descendantPids(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** True while a process with this id exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
