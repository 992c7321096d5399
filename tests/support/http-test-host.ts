// The app on the in-process local host for HTTP tests: real sockets, its own data folder and SQLite file, the run's
// Azurite, only the functions a test file names (no queue workers, so it never takes other files' queue messages).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, type DatabaseHandle } from '../../src/db/database';
import { startLocalRealtime } from '../../src/devhost/start-local-realtime';
import { httpCaller, type HttpCall } from './http-answer';
import { startTestHost, type TestHost } from './local-host';
import { testStorageConnectionString } from './test-storage';

const repositoryRoot = path.resolve(__dirname, '..', '..');

export interface HttpTestHostOptions {
  /** Names the data folder (`ustad-<name>-…`). */
  readonly name: string;
  readonly functions: readonly string[];
  /** App settings, set in this test process's environment (the app reads process.env; each test file has its own process). */
  readonly settings: Record<string, string>;
  /** Also start the Web PubSub emulator and point the app at it. */
  readonly realtime?: boolean;
  /** The x-forwarded-for of calls that name no `ip` (none by default). */
  readonly defaultIp?: string;
}

export interface HttpTestHost {
  readonly host: TestHost;
  readonly baseUrl: string;
  readonly dataDir: string;
  /** A second connection to the app's SQLite file, for arranging and checking rows. */
  readonly database: DatabaseHandle;
  /** `call('GET', 'conversations', { token })` against `/api/conversations`. */
  readonly call: HttpCall;
  stop(): Promise<void>;
}

/** Starts the compiled app (`npm run build` first) with the named functions behind forwarded-for aware rate limits. */
export async function startHttpTestHost(options: HttpTestHostOptions): Promise<HttpTestHost> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `ustad-${options.name}-`));
  Object.assign(process.env, {
    LOCAL_DATA_DIR: dataDir,
    AzureWebJobsStorage: testStorageConnectionString(),
    Security__TrustForwardedFor: 'true',
    ...options.settings,
  });
  // Real-time is the emulator started here or off, never a service named by the outer environment.
  delete process.env['WebPubSubConnectionString'];
  const realtime = options.realtime ? await startLocalRealtime(process.env) : undefined;
  const host = await startTestHost({ appDir: repositoryRoot, functions: [...options.functions] });
  await realtime?.useAppBaseUrl(host.baseUrl);
  const database = createDatabase({ kind: 'sqlite', path: path.join(dataDir, 'inbox.db') });
  return {
    host,
    baseUrl: host.baseUrl,
    dataDir,
    database,
    call: httpCaller(host.baseUrl, options.defaultIp),
    async stop() {
      await database.close();
      await host.stop();
      await realtime?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
