// The per-IP and per-account limits of the anonymous auth endpoints (project choices, SECURITY.md §3.2 and §3.4).
import type { TableClient } from '@azure/data-tables';
import type { RequestOrigin } from './actor';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { ensureRateLimitTable, returnRateLimitSlot, takeRateLimitSlot, type RateLimit } from './rate-limiter';

/** The Azure Table holding every auth limiter's counters. */
export const THROTTLE_TABLE = 'AuthThrottle';

export const throttleRules = {
  /** Sign-in attempts per IP that are not (yet) successes: 20 per 15 minutes. A success gives its slot back. */
  loginFailuresPerIp: { bucket: 'login-ip', limit: 20, windowSeconds: 15 * 60 },
  /** Reset requests per IP: 10 per hour. */
  resetRequestsPerIp: { bucket: 'reset-ip', limit: 10, windowSeconds: 60 * 60 },
  /** Reset requests that actually send something, per account: 3 per hour (mailbox / SMS-bill flooding). */
  resetRequestsPerAccount: { bucket: 'reset-account', limit: 3, windowSeconds: 60 * 60 },
  /** Reset confirmations (token or code guesses) per IP: 20 per 15 minutes. */
  resetConfirmationsPerIp: { bucket: 'reset-confirm-ip', limit: 20, windowSeconds: 15 * 60 },
} as const satisfies Record<string, RateLimit>;

/** Callers without a usable address (forwarded header missing or not trusted) share one key. */
export function ipKey(origin: RequestOrigin): string {
  return origin.ip ?? 'unknown';
}

async function tableOf(services: Pick<Services, 'storage'>): Promise<TableClient> {
  const table = services.storage.table(THROTTLE_TABLE);
  await ensureRateLimitTable(table);
  return table;
}

/** Takes a slot or throws `TooManyRequests` with `Retry-After`; returns a function that gives the slot back. */
export async function throttleOrThrow(services: Pick<Services, 'storage' | 'clock'>, rule: RateLimit, key: string): Promise<() => Promise<void>> {
  const table = await tableOf(services);
  const decision = await takeRateLimitSlot(table, rule, key, services.clock.now());
  if (!decision.allowed) throw new AppError('TooManyRequests', undefined, { retryAfterSeconds: decision.retryAfterSeconds });
  return () => returnRateLimitSlot(table, rule, key, decision.slot);
}

/** Takes a slot if one is free; false when the limit is reached (for limits that must not show in the answer). */
export async function takeSlotQuietly(services: Pick<Services, 'storage' | 'clock'>, rule: RateLimit, key: string): Promise<boolean> {
  const table = await tableOf(services);
  return (await takeRateLimitSlot(table, rule, key, services.clock.now())).allowed;
}
