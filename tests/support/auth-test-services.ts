// Services for auth, admin, audit and notification tests: a fresh SQLite file, the run's Azurite, and a clock the test moves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { createOperator } from '../../src/admin/create-operator';
import type { OperatorRow } from '../../src/db/tables';
import { createServices, type Services } from '../../src/services';
import { AppError } from '../../src/shared/app-error';
import type { Clock } from '../../src/shared/clock';
import { testStorageConnectionString } from './test-storage';

/** A clock that stands still until the test moves it. */
export interface FakeClock extends Clock {
  set(time: Date): void;
  advance(ms: number): void;
}

export function fakeClock(start = new Date()): FakeClock {
  let current = new Date(start.getTime());
  return {
    now: () => new Date(current.getTime()),
    set: (time) => (current = new Date(time.getTime())),
    advance: (ms) => (current = new Date(current.getTime() + ms)),
  };
}

export interface AuthTestServices {
  readonly services: Services;
  readonly clock: FakeClock;
  readonly dataDir: string;
  readonly adminPassword: string;
  cleanup(): Promise<void>;
}

/** The bootstrap admin's password in these tests. */
export const TEST_ADMIN_PASSWORD = 'first run boss passphrase 1';

/**
 * Real services (migrated SQLite in a temp folder, the run's Azurite, the bootstrap admin in firm 1) with
 * a fake clock. `env` overrides settings (e.g. `Jwt__ExpiresMinutes`).
 */
export async function createAuthTestServices(env: Record<string, string> = {}, clock: FakeClock = fakeClock()): Promise<AuthTestServices> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ustad-auth-'));
  const config = loadConfig({
    Jwt__Key: randomBytes(48).toString('base64'),
    LOCAL_DATA_DIR: dataDir,
    AzureWebJobsStorage: testStorageConnectionString(),
    Bootstrap__AdminPassword: TEST_ADMIN_PASSWORD,
    ...env,
  });
  const services = await createServices(config, { clock });
  return {
    services,
    clock,
    dataDir,
    adminPassword: TEST_ADMIN_PASSWORD,
    async cleanup() {
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Adds a firm row (firm 1 comes from the bootstrap). */
export async function addFirm(services: Services, firmId: number): Promise<void> {
  const now = services.clock.now();
  await services.db.insertInto('WhatsApp_FirmSettings').values({ FirmId: firmId, DisplayName: `Firm ${firmId}`, CreatedAt: now, UpdatedAt: now }).execute();
}

/** Creates an operator through the app's own path (policy, PBKDF2, audit). */
export async function addOperator(
  services: Services,
  fields: { firmId: number; userName: string; password: string; role?: 'Admin' | 'Agent'; email?: string; phone?: string; language?: 'tr' | 'en' },
): Promise<OperatorRow> {
  return createOperator(services, {
    firmId: fields.firmId,
    userName: fields.userName,
    fullName: `${fields.userName} Test`,
    email: fields.email,
    phone: fields.phone,
    role: fields.role ?? 'Agent',
    language: fields.language ?? 'tr',
    password: fields.password,
  });
}

/** A request origin with an address no other test uses, so per-IP limits start empty. */
export function freshOrigin(userAgent = 'vitest'): { ip: string; userAgent: string } {
  const b = randomBytes(4);
  return { ip: `${10 + ((b[0] ?? 0) % 200)}.${b[1]}.${b[2]}.${b[3]}`, userAgent };
}

/** Reads every audit row of a firm, oldest first. */
export async function auditRows(services: Services, firmId: number) {
  return services.db.selectFrom('WhatsApp_AuditLogs').selectAll().where('FirmId', '=', firmId).orderBy('Sequence').execute();
}

/** The AppError code a use case fails with, or 'ok' when it succeeds (other errors propagate). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}
