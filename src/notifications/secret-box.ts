// Seals the one secret a notification carries (a reset link token or SMS code) while it waits in the database.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Config } from '../config';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The reset token is stored hashed, so the worker that sends it needs the plain value from somewhere:
 * the notification row keeps it sealed with AES-256-GCM under a key derived (HKDF, own label) from `Jwt__Key`,
 * and the worker clears it once sent. A database dump alone therefore reveals no usable secret.
 */
function keyOf(config: Pick<Config, 'jwt'>): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(config.jwt.key, 'utf8'), Buffer.alloc(0), 'ustad-notification-secret-v1', 32));
}

/** `base64url(iv | tag | ciphertext)`; `aad` binds the sealed value to its row. */
export function sealSecret(config: Pick<Config, 'jwt'>, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(config), iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens a value from `sealSecret`; throws when it was altered, moved to another row or sealed under another key. */
export function openSecret(config: Pick<Config, 'jwt'>, sealed: string, aad: string): string {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret is too short');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(config), bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
