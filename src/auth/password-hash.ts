// Password hashing: PBKDF2-HMAC-SHA256 in a self-describing string, verified with its own parameters.
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';

const pbkdf2Raw = promisify(pbkdf2);

/**
 * At most this many derivations run at once, one core fewer than the machine has: a burst of sign-ins then
 * queues here instead of taking every core, so the event loop (health checks, webhooks, every other request)
 * keeps a core and answers in milliseconds. On a 2-core instance that is one derivation at a time.
 */
export const HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];

/**
 * PBKDF2 on libuv's thread pool behind a small FIFO semaphore (hand-written: a dozen lines, where the usual
 * npm limiter, p-limit, is ESM-only and this package compiles to CommonJS).
 */
async function pbkdf2Async(password: string, salt: Buffer, iterations: number, keyLength: number, digest: string): Promise<Buffer> {
  if (running >= HASH_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await pbkdf2Raw(password, salt, iterations, keyLength, digest);
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/** OWASP's figure for PBKDF2-HMAC-SHA256 (SECURITY.md §1.1). */
export const CURRENT_ITERATIONS = 600_000;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const PREFIX = 'pbkdf2-sha256';
/** NIST SP 800-63B-4's floor (32 bits) for salts of stored hashes; new hashes always get 16 bytes. */
const MIN_STORED_SALT_BYTES = 4;
/** A stored count above this is corrupt or hostile: verifying it would hold a pool thread for minutes. */
const MAX_STORED_ITERATIONS = 10_000_000;

export interface ParsedHash {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** Hashes with a fresh 16-byte salt; runs on libuv's thread pool, never on the event loop. */
export async function hashPassword(password: string, iterations = CURRENT_ITERATIONS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await pbkdf2Async(normalise(password), salt, iterations, KEY_BYTES, 'sha256');
  return `${PREFIX}$i=${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Parses `pbkdf2-sha256$i=<n>$<salt b64>$<hash b64>`; undefined for anything else. */
export function parsePasswordHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== PREFIX) return undefined;
  const iterations = /^i=(\d{1,9})$/.exec(parts[1] ?? '')?.[1];
  if (!iterations || Number(iterations) < 1 || Number(iterations) > MAX_STORED_ITERATIONS) return undefined;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const hash = Buffer.from(parts[3] ?? '', 'base64');
  if (salt.length < MIN_STORED_SALT_BYTES || hash.length !== KEY_BYTES) return undefined;
  return { iterations: Number(iterations), salt, hash };
}

export interface VerifyResult {
  readonly valid: boolean;
  /** True when the stored hash used weaker parameters than today's and should be replaced after this login. */
  readonly needsRehash: boolean;
}

/** Verifies with the stored parameters in constant time. A malformed stored hash never verifies. */
export async function verifyPassword(password: string, stored: string): Promise<VerifyResult> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) {
    await dummyVerify(password);
    return { valid: false, needsRehash: false };
  }
  const candidate = await pbkdf2Async(normalise(password), parsed.salt, parsed.iterations, KEY_BYTES, 'sha256');
  const valid = timingSafeEqual(candidate, parsed.hash);
  return { valid, needsRehash: valid && parsed.iterations < CURRENT_ITERATIONS };
}

const dummySalt = randomBytes(SALT_BYTES);

/** Spends the same time as a real verification (at `iterations`), for unknown, locked or disabled accounts. */
export async function dummyVerify(password: string, iterations = CURRENT_ITERATIONS): Promise<void> {
  await pbkdf2Async(normalise(password), dummySalt, iterations, KEY_BYTES, 'sha256');
}

/** NIST SP 800-63B-4 asks for Unicode normalisation so the same password typed on two keyboards matches. */
function normalise(password: string): string {
  return password.normalize('NFKC');
}
