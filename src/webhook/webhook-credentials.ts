// The app secrets and verify tokens the webhook accepts, cached briefly so a delivery costs no database read.
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/tables';
import { allFirmSecrets } from '../firms/firm-secrets';

export interface WebhookCredentials {
  readonly appSecrets: readonly string[];
  readonly verifyTokens: readonly string[];
}

interface Cached {
  value: Promise<WebhookCredentials>;
  loadedAt: number;
}

/** Credentials change rarely (an admin adds a firm); a signature that fails re-reads them at most once a second. */
const TTL_MS = 30_000;
const MIN_RELOAD_MS = 1_000;

const caches = new WeakMap<Kysely<Database>, Cached>();

export interface CredentialsSource {
  readonly db: Kysely<Database>;
  readonly config: Pick<Config, 'jwt' | 'whatsApp' | 'bootstrap'>;
}

/**
 * The current credentials. `fresh` re-reads them unless they were read within the last second (used after a
 * signature fails, so a newly added firm works at once while a flood of forged posts cannot hammer the database).
 */
export async function webhookCredentials(source: CredentialsSource, options: { fresh?: boolean; onError?: (firmId: number, error: unknown) => void } = {}): Promise<WebhookCredentials> {
  const now = Date.now();
  const cached = caches.get(source.db);
  const age = cached ? now - cached.loadedAt : Infinity;
  if (cached && age < TTL_MS && !(options.fresh && age >= MIN_RELOAD_MS)) return cached.value;
  const onError = options.onError ?? (() => {});
  const value = Promise.all([allFirmSecrets(source.db, source.config, 'AppSecret', onError), allFirmSecrets(source.db, source.config, 'VerifyToken', onError)]).then(
    ([appSecrets, verifyTokens]) => ({ appSecrets, verifyTokens }),
  );
  const entry: Cached = { value, loadedAt: now };
  caches.set(source.db, entry);
  value.catch(() => {
    if (caches.get(source.db) === entry) caches.delete(source.db);
  });
  return value;
}

/** Forgets cached credentials (tests that change firms' secrets). */
export function forgetWebhookCredentials(db: Kysely<Database>): void {
  caches.delete(db);
}
