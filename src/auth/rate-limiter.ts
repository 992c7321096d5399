// Sliding-window rate limits kept in Azure Data Tables (Azurite locally), safe under concurrency through ETags.
import { RestError, type TableClient } from '@azure/data-tables';

/** One limit: at most `limit` slots per key in any `windowSeconds`. */
export interface RateLimit {
  /** The table partition, e.g. `login-ip`. */
  readonly bucket: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

export type RateLimitDecision =
  | { readonly allowed: true; readonly slot: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

interface HitsEntity {
  partitionKey: string;
  rowKey: string;
  hits: string;
}

/** Optimistic-concurrency rounds before giving up; each lost round means another request just took a slot. */
const MAX_ROUNDS = 25;

/**
 * Takes one slot for `key` at `now`, or says when the oldest slot in the window frees up.
 * The entity keeps the times of the slots in the window; every write is conditional on the ETag read
 * (or an insert that fails if another request created the row first), so concurrent callers can never
 * take more than `limit` slots. Fails closed: after `MAX_ROUNDS` lost races the request is refused.
 * Hand-written because no maintained npm limiter stores its counters in Azure Tables.
 */
export async function takeRateLimitSlot(table: TableClient, rule: RateLimit, key: string, now: Date): Promise<RateLimitDecision> {
  const rowKey = encodeKey(key);
  const nowMs = now.getTime();
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const current = await readHits(table, rule.bucket, rowKey);
    const live = current.hits.filter((t) => t > nowMs - rule.windowSeconds * 1000 && t <= nowMs + rule.windowSeconds * 1000);
    if (live.length >= rule.limit) {
      const oldest = Math.min(...live);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + rule.windowSeconds * 1000 - nowMs) / 1000)) };
    }
    live.push(nowMs);
    if (await writeHits(table, rule.bucket, rowKey, live, current.etag)) return { allowed: true, slot: nowMs };
    await backOff(round);
  }
  return { allowed: false, retryAfterSeconds: 1 };
}

/** Gives a slot back (e.g. a login that turned out to succeed no longer counts as a failure). Best effort. */
export async function returnRateLimitSlot(table: TableClient, rule: RateLimit, key: string, slot: number): Promise<void> {
  const rowKey = encodeKey(key);
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const current = await readHits(table, rule.bucket, rowKey);
    const index = current.hits.indexOf(slot);
    if (index < 0 || current.etag === undefined) return;
    const remaining = [...current.hits.slice(0, index), ...current.hits.slice(index + 1)];
    if (await writeHits(table, rule.bucket, rowKey, remaining, current.etag)) return;
    await backOff(round);
  }
}

/** A short random pause after a lost race, growing with the rounds, so a burst of writers spreads out. */
function backOff(round: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (round + 1)));
}

const ensured = new WeakMap<TableClient, Promise<void>>();

/** Creates the table once per client; Azure answers 409 when it exists, which is fine. */
export function ensureRateLimitTable(table: TableClient): Promise<void> {
  let pending = ensured.get(table);
  if (!pending) {
    pending = table.createTable().catch((error: unknown) => {
      ensured.delete(table);
      if (!(error instanceof RestError && error.statusCode === 409)) throw error;
    });
    ensured.set(table, pending);
  }
  return pending;
}

async function readHits(table: TableClient, partitionKey: string, rowKey: string): Promise<{ hits: number[]; etag: string | undefined }> {
  try {
    const entity = await table.getEntity<HitsEntity>(partitionKey, rowKey);
    return { hits: parseHits(entity.hits), etag: entity.etag };
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return { hits: [], etag: undefined };
    throw error;
  }
}

/** True when the write won; false when another request changed the row first (412) or created it (409). */
async function writeHits(table: TableClient, partitionKey: string, rowKey: string, hits: number[], etag: string | undefined): Promise<boolean> {
  const entity: HitsEntity = { partitionKey, rowKey, hits: JSON.stringify(hits) };
  try {
    if (etag === undefined) await table.createEntity(entity);
    else await table.updateEntity(entity, 'Replace', { etag });
    return true;
  } catch (error) {
    if (error instanceof RestError && (error.statusCode === 412 || error.statusCode === 409)) return false;
    throw error;
  }
}

function parseHits(text: unknown): number[] {
  if (typeof text !== 'string') return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
  } catch {
    return [];
  }
}

/** Row keys may not hold `/ \ # ?` or control characters; base64url keeps any key (an IPv6 address, an id) legal. */
function encodeKey(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url').slice(0, 512) || '-';
}
