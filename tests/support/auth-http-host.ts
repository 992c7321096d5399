// The app on the in-process local host for auth/admin HTTP tests: real sockets, its own SQLite file, the run's Azurite.
import { randomBytes } from 'node:crypto';
import { TEST_ADMIN_PASSWORD } from './auth-test-services';
import { startHttpTestHost, type HttpTestHost } from './http-test-host';

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

export interface AuthHttpHost extends HttpTestHost {
  /** The bootstrap admin's password. */
  readonly adminPassword: string;
  readonly jwtKey: string;
}

/** Starts the compiled app (`npm run build` first) with only the auth and admin functions; calls come from 127.0.0.1 unless they name an `ip`. */
export async function startAuthHttpHost(settings: Record<string, string> = {}): Promise<AuthHttpHost> {
  const jwtKey = randomBytes(48).toString('base64');
  const app = await startHttpTestHost({
    name: 'auth-http',
    functions: AUTH_HTTP_FUNCTIONS,
    settings: { Jwt__Key: jwtKey, Bootstrap__AdminPassword: TEST_ADMIN_PASSWORD, ...settings },
    defaultIp: '127.0.0.1',
  });
  return { ...app, adminPassword: TEST_ADMIN_PASSWORD, jwtKey };
}
