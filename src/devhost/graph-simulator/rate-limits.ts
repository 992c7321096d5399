// Meta's throughput limit per business number (sliding second) and pair rate limit per recipient (token bucket).

/** Meta's guidance: 1 message per 6 s to one user, bursts of up to 45 borrowing future quota (WHATSAPP.md §10). */
export interface PairRateLimit {
  intervalMs: number;
  burst: number;
}

export const metaPairRateLimit: PairRateLimit = { intervalMs: 6000, burst: 45 };

export interface ThroughputLimiter {
  /** Counts one message for `key` unless the last second already holds the limit; false = answer 130429. */
  tryTake(key: string, now: number): boolean;
  setLimit(perSecond: number | null): void;
}

export function createThroughputLimiter(initial: number | null): ThroughputLimiter {
  let limit = initial;
  const windows = new Map<string, number[]>();
  return {
    tryTake(key, now) {
      if (limit === null) return true;
      const recent = (windows.get(key) ?? []).filter((t) => t > now - 1000);
      if (recent.length >= limit) {
        windows.set(key, recent);
        return false;
      }
      recent.push(now);
      windows.set(key, recent);
      return true;
    },
    setLimit(perSecond) {
      limit = perSecond;
      windows.clear();
    },
  };
}

export interface PairLimiter {
  /** Takes a token for (number, recipient); false = answer 131056. */
  tryTake(key: string, now: number): boolean;
  configure(limit: PairRateLimit | null): void;
}

export function createPairLimiter(initial: PairRateLimit | null): PairLimiter {
  let limit = initial;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    tryTake(key, now) {
      if (limit === null) return true;
      const bucket = buckets.get(key) ?? { tokens: limit.burst, at: now };
      bucket.tokens = Math.min(limit.burst, bucket.tokens + (now - bucket.at) / limit.intervalMs);
      bucket.at = now;
      buckets.set(key, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    configure(next) {
      limit = next;
      buckets.clear();
    },
  };
}
