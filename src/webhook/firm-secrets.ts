// Per-firm WhatsApp credentials (app secret, verify token, access token) sealed at rest in WhatsApp_FirmSettings.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/tables';

export type FirmSecretName = 'AppSecret' | 'VerifyToken' | 'AccessToken';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM key derived (HKDF, own label) from `Jwt__Key`, so a database dump alone reveals no credential. */
function keyOf(config: Pick<Config, 'jwt'>): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(config.jwt.key, 'utf8'), Buffer.alloc(0), 'ustad-firm-whatsapp-secret-v1', 32));
}

const aadOf = (firmId: number, name: FirmSecretName) => Buffer.from(`${firmId}:${name}`, 'utf8');

/** `base64url(iv | tag | ciphertext)`, bound to its firm and column (a value copied elsewhere does not open). */
export function sealFirmSecret(config: Pick<Config, 'jwt'>, firmId: number, name: FirmSecretName, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(config), iv);
  cipher.setAAD(aadOf(firmId, name));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens a value sealed by {@link sealFirmSecret}; throws when it was altered, moved or sealed under another key. */
export function openFirmSecret(config: Pick<Config, 'jwt'>, firmId: number, name: FirmSecretName, sealed: string): string {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret is too short');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(config), bytes.subarray(0, IV_BYTES));
  decipher.setAAD(aadOf(firmId, name));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
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
