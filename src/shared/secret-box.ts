// Seals small secrets kept in the database (per-firm credentials, a pending reset token) with AES-256-GCM.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Config } from '../config';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a sealed value is for; each purpose has its own key, so a value sealed for one never opens as another. */
export type SecretPurpose = 'ustad-notification-secret-v1' | 'ustad-firm-whatsapp-secret-v1';

/** AES-256-GCM key derived (HKDF, one label per purpose) from `Jwt__Key`: a database dump alone reveals no secret. */
function keyOf(config: Pick<Config, 'jwt'>, purpose: SecretPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(config.jwt.key, 'utf8'), Buffer.alloc(0), purpose, 32));
}

/** `base64url(iv | tag | ciphertext)`; `aad` binds the sealed value to its row and column. */
export function sealSecret(config: Pick<Config, 'jwt'>, purpose: SecretPurpose, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(config, purpose), iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens a value from `sealSecret`; throws when it was altered, moved to another row or sealed under another key. */
export function openSecret(config: Pick<Config, 'jwt'>, purpose: SecretPurpose, sealed: string, aad: string): string {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret is too short');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(config, purpose), bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
