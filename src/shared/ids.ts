// Row ids made in the app: UUIDv7 strings, so both dialects insert without IDENTITY or OUTPUT and ids sort by time.
import { randomFillSync } from 'node:crypto';

// Filled 256 ids at a time, as node's own randomUUID does, to keep id creation off the hot path.
const randomPool = Buffer.alloc(16 * 256);
let poolOffset = randomPool.length;

function randomBlock(): Buffer {
  if (poolOffset >= randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  const block = randomPool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return block;
}

/**
 * A new UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then random bits, lower-case hex.
 * Written by hand because node:crypto only makes v4 and the layout is a few lines; a v7 id keeps
 * primary-key inserts near the end of the index (good locality) and sorts in creation order to the
 * millisecond. Ids made in the same millisecond are in random order among themselves.
 */
export function newId(nowMs: number = Date.now()): string {
  const bytes = Buffer.from(randomBlock());
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The millisecond time a UUIDv7 made by {@link newId} carries. */
export function idTimeMs(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
