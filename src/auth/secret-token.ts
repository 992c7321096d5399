// Opaque secrets handed to clients (refresh tokens, reset links, SMS codes): made here, stored only as hashes.
import { createHash, randomBytes, randomInt } from 'node:crypto';

/** 32 random bytes (256 bits) as base64url: 43 characters. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** True for strings shaped like `newOpaqueToken()` output, so junk is refused before any lookup. */
export function isOpaqueTokenShape(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** SHA-256 of the token text, hex: what the database keeps (a ≥ 112-bit secret needs no slow hash, ASVS 6.5.2). */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Six decimal digits from the CSPRNG, zero-padded. */
export function newSmsCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** True for exactly six ASCII digits. */
export function isSmsCodeShape(value: string): boolean {
  return /^\d{6}$/.test(value);
}
