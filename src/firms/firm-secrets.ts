// Per-firm WhatsApp credentials (app secret, verify token, access token) sealed at rest in WhatsApp_FirmSettings.
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/tables';
import { openSecret, sealSecret } from '../shared/secret-box';

export type FirmSecretName = 'AppSecret' | 'VerifyToken' | 'AccessToken';

const PURPOSE = 'ustad-firm-whatsapp-secret-v1';
const aadOf = (firmId: number, name: FirmSecretName) => `${firmId}:${name}`;

/** Sealed with the shared secret box, bound to its firm and column (a value copied elsewhere does not open). */
export function sealFirmSecret(config: Pick<Config, 'jwt'>, firmId: number, name: FirmSecretName, plaintext: string): string {
  return sealSecret(config, PURPOSE, plaintext, aadOf(firmId, name));
}

/** Opens a value sealed by {@link sealFirmSecret}; throws when it was altered, moved or sealed under another key. */
export function openFirmSecret(config: Pick<Config, 'jwt'>, firmId: number, name: FirmSecretName, sealed: string): string {
  return openSecret(config, PURPOSE, sealed, aadOf(firmId, name));
}

const columnOf = { AppSecret: 'AppSecretEncrypted', VerifyToken: 'VerifyTokenEncrypted', AccessToken: 'AccessTokenEncrypted' } as const;

/** The settings value that stands in for a firm's unset credential: the bootstrap (default) firm's settings. */
function fromSettings(config: Pick<Config, 'whatsApp' | 'bootstrap'>, firmId: number, name: FirmSecretName): string | undefined {
  if (firmId !== config.bootstrap.firmId) return undefined;
  return { AppSecret: config.whatsApp.appSecret, VerifyToken: config.whatsApp.verifyToken, AccessToken: config.whatsApp.accessToken }[name];
}

/** One firm's credential: its sealed column when set, else (default firm only) the app setting. */
export async function firmSecret(
  db: Kysely<Database>,
  config: Pick<Config, 'jwt' | 'whatsApp' | 'bootstrap'>,
  firmId: number,
  name: FirmSecretName,
): Promise<string | undefined> {
  const row = await db.selectFrom('WhatsApp_FirmSettings').select(columnOf[name]).where('FirmId', '=', firmId).executeTakeFirst();
  const sealed = (row as Record<string, string | null> | undefined)?.[columnOf[name]] ?? null;
  return sealed === null ? fromSettings(config, firmId, name) : openFirmSecret(config, firmId, name, sealed);
}

/**
 * Every value of a credential across firms (plus the settings value): the webhook accepts a signature made
 * with any configured app secret, and a handshake with any configured verify token. A value that does not
 * open (a rotated `Jwt__Key`) is skipped and reported through `onError`.
 */
export async function allFirmSecrets(
  db: Kysely<Database>,
  config: Pick<Config, 'jwt' | 'whatsApp' | 'bootstrap'>,
  name: 'AppSecret' | 'VerifyToken',
  onError: (firmId: number, error: unknown) => void,
): Promise<string[]> {
  const values = new Set<string>();
  const fallback = name === 'AppSecret' ? config.whatsApp.appSecret : config.whatsApp.verifyToken;
  if (fallback) values.add(fallback);
  const rows = await db
    .selectFrom('WhatsApp_FirmSettings')
    .select(['FirmId', columnOf[name]])
    .where(columnOf[name], 'is not', null)
    .execute();
  for (const row of rows) {
    const sealed = (row as Record<string, unknown>)[columnOf[name]];
    if (typeof sealed !== 'string') continue;
    try {
      values.add(openFirmSecret(config, row.FirmId, name, sealed));
    } catch (error) {
      onError(row.FirmId, error);
    }
  }
  return [...values];
}
