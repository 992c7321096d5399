// The sliding-window limiter on Azure Tables (the run's Azurite): exact under concurrency, sliding in time, slots returned.
import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRateLimitTable, returnRateLimitSlot, takeRateLimitSlot } from '../../../src/auth/rate-limiter';
import { testStorageConnectionString } from '../../support/test-storage';

let table: TableClient;

beforeAll(async () => {
  table = TableClient.fromConnectionString(testStorageConnectionString(), `AuthLimiterTest${randomUUID().replaceAll('-', '').slice(0, 12)}`, { allowInsecureConnection: true });
  await ensureRateLimitTable(table);
  await ensureRateLimitTable(table);
});
afterAll(async () => {
  await table.deleteTable();
});

describe('rate limiter', () => {
  it('lets exactly `limit` of 60 concurrent requests through (ETag-conditional writes)', async () => {
    const rule = { bucket: 'race', limit: 20, windowSeconds: 900 };
    const now = new Date();
    const decisions = await Promise.all(Array.from({ length: 60 }, () => takeRateLimitSlot(table, rule, '203.0.113.5', now)));
    const allowed = decisions.filter((d) => d.allowed).length;
    console.log(`limiter: 60 concurrent requests on a limit of 20 → ${allowed} allowed, ${60 - allowed} refused`);
    expect(allowed).toBe(20);
  }, 60_000);

  it('slides: the oldest slot frees up after the window, with Retry-After counting down to it', async () => {
    const rule = { bucket: 'slide', limit: 3, windowSeconds: 60 };
    const t0 = Date.now();
    for (const offset of [0, 10_000, 20_000]) expect((await takeRateLimitSlot(table, rule, 'k', new Date(t0 + offset))).allowed).toBe(true);
    const refused = await takeRateLimitSlot(table, rule, 'k', new Date(t0 + 30_000));
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect((await takeRateLimitSlot(table, rule, 'k', new Date(t0 + 60_001))).allowed).toBe(true);
    expect((await takeRateLimitSlot(table, rule, 'k', new Date(t0 + 60_002))).allowed).toBe(false);
  });

  it('gives a slot back, and keys are independent (any characters, IPv6 included)', async () => {
    const rule = { bucket: 'refund', limit: 1, windowSeconds: 60 };
    const now = new Date();
    const first = await takeRateLimitSlot(table, rule, '2001:db8::1', now);
    if (!first.allowed) throw new Error('expected a slot');
    expect((await takeRateLimitSlot(table, rule, '2001:db8::1', now)).allowed).toBe(false);
    expect((await takeRateLimitSlot(table, rule, 'a/b#c?d\\e', now)).allowed).toBe(true);
    await returnRateLimitSlot(table, rule, '2001:db8::1', first.slot);
    expect((await takeRateLimitSlot(table, rule, '2001:db8::1', now)).allowed).toBe(true);
  });
});
