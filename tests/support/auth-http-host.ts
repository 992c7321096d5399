// The app on the in-process local host for auth/admin HTTP tests: real sockets, its own SQLite file, the run's Azurite.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, type DatabaseHandle } from '../../src/db/database';
import { startTestHost, type TestHost } from './local-host';
import { testStorageConnectionString } from './test-storage';

const repositoryRoot = path.resolve(__dirname, '..', '..');

/** Only these functions run: no queue workers, so this host never takes other test files' queue messages. */
export const AUTH_HTTP_FUNCTIONS = [
  'health',
  'auth-login',
  'auth-refresh',
  'auth-logout',
  'auth-password',
  'auth-password-reset',
  'auth-password-reset-confirm',
  'auth-me',
  'admin-operators-list',
  'admin-operators-create',
  'admin-operators-get',
  'admin-operators-update',
  'admin-operators-unlock',
  'admin-operators-password-reset',
  'admin-audit-logs',
] as const;

export interface AuthHttpHost {
  readonly host: TestHost;
  readonly baseUrl: string;
  readonly adminPassword: string;
  readonly jwtKey: string;
  readonly dataDir: string;
  /** A second connection to the app's SQLite file, for arranging and checking rows. */
  readonly database: DatabaseHandle;
  call(method: string, route: string, options?: { token?: string; body?: unknown; ip?: string; headers?: Record<string, string> }): Promise<HttpAnswer>;
  stop(): Promise<void>;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
  readonly ms: number;
}

/**
 * Sets the app's settings in this test process's environment (the app reads process.env; vitest runs each file in
 * its own process) and starts the compiled app (`npm run build` first) with only the auth and admin functions.
 */
export async function startAuthHttpHost(settings: Record<string, string> = {}): Promise<AuthHttpHost> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ustad-auth-http-'));
  const adminPassword = 'first run boss passphrase 1';
  const jwtKey = randomBytes(48).toString('base64');
  Object.assign(process.env, {
    LOCAL_DATA_DIR: dataDir,
    Jwt__Key: jwtKey,
    Bootstrap__AdminPassword: adminPassword,
    AzureWebJobsStorage: testStorageConnectionString(),
    Security__TrustForwardedFor: 'true',
    ...settings,
  });
  const host = await startTestHost({ appDir: repositoryRoot, functions: [...AUTH_HTTP_FUNCTIONS] });
  const database = createDatabase({ kind: 'sqlite', path: path.join(dataDir, 'inbox.db') });
  const baseUrl = host.baseUrl;
  return {
    host,
    baseUrl,
    adminPassword,
    jwtKey,
    dataDir,
    database,
    async call(method, route, options = {}) {
      const headers: Record<string, string> = { 'x-forwarded-for': options.ip ?? '127.0.0.1', ...options.headers };
      if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
      if (options.body !== undefined) headers['content-type'] ??= 'application/json';
      const started = performance.now();
      const response = await fetch(`${baseUrl}/${route}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await response.text();
      const ms = performance.now() - started;
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json, ms };
    },
    async stop() {
      await database.close();
      await host.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
