// Timer triggers on the local host: NCRONTAB with seconds (UTC), TimeSpan schedules, runOnStartup, bad schedules.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { DevHostError } from '../../../src/devhost/functions-host/dev-host-error';
import { nextOccurrence, parseTimerSchedule } from '../../../src/devhost/functions-host/timer-listener';
import { startTestHost, type TestHost } from '../../support/local-host';
import { waitUntil } from '../../support/wait-until';

const appDir = path.resolve(__dirname, '../../fixtures/devhost/app');

interface TickEvent {
  type: string;
  isPastDue: boolean;
  scheduleStatus?: { last: string; next: string; lastUpdated: string };
  at: number;
}

const hosts: TestHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

async function ticks(host: TestHost, type: string): Promise<TickEvent[]> {
  const res = await fetch(`${host.baseUrl}/events`);
  return ((await res.json()) as { events: TickEvent[] }).events.filter((e) => e.type === type);
}

/** The ticks once there are `count` of them (polled; at most 10 s). */
async function ticksAtLeast(host: TestHost, type: string, count: number): Promise<TickEvent[]> {
  let fired: TickEvent[] = [];
  await waitUntil(`${count} ${type} events`, async () => (fired = await ticks(host, type)).length >= count, 10_000);
  return fired;
}

async function startTimerHost(schedule: string, functions: string[]): Promise<TestHost> {
  const host = await startTestHost({ appDir, functions: [...functions, 'events'], settings: { FIXTURE_TIMER_SCHEDULE: schedule } });
  hosts.push(host);
  return host;
}

describe('timer triggers', () => {
  test('a six-field NCRONTAB schedule fires on whole seconds with the timer object', async () => {
    const host = await startTimerHost('* * * * * *', ['tick']);
    // Waits for the ticks instead of sleeping a fixed time: a busy machine may run them late, never early.
    const fired = await ticksAtLeast(host, 'tick', 3);
    for (const [i, tick] of fired.entries()) {
      const next = Date.parse(tick.scheduleStatus?.next ?? '');
      expect(next % 1000).toBe(0);
      // Next is the first whole second after the run began, and the run began by the time the function recorded it.
      expect(next).toBeLessThanOrEqual(tick.at + 1000);
      if (i === 0) continue;
      // Last is the previous occurrence; this one is a whole second at least 1 s later, and the run never starts before it.
      const last = Date.parse(tick.scheduleStatus?.last ?? '');
      expect(last % 1000).toBe(0);
      expect(last).toBeLessThanOrEqual(fired[i - 1]?.at ?? 0);
      expect(tick.at).toBeGreaterThanOrEqual(last + 1000);
      expect(next).toBeGreaterThanOrEqual(last + 2000);
      // Past due means more than 1 s late (how late a loaded machine runs it is not this test's business).
      if (tick.at - (last + 1000) <= 1000) expect(tick.isPastDue).toBe(false);
      if (tick.isPastDue) expect(tick.at - (last + 1000)).toBeGreaterThan(1000);
    }
    expect(host.functions.find((f) => f.name === 'tick')).toMatchObject({ trigger: 'timer', schedule: '* * * * * *', runOnStartup: false });
  });

  test('a TimeSpan schedule fires at that interval', async () => {
    const host = await startTimerHost('00:00:00.5', ['tick']);
    const fired = await ticksAtLeast(host, 'tick', 2);
    expect((fired[1]?.at ?? 0) - (fired[0]?.at ?? 0)).toBeGreaterThanOrEqual(450);
  });

  test('runOnStartup runs the function once when the host starts', async () => {
    const host = await startTimerHost('0 0 0 1 1 *', ['tick-startup']);
    const fired = await (async () => {
      for (let i = 0; i < 30; i++) {
        const list = await ticks(host, 'tick-startup');
        if (list.length > 0) return list;
        await sleep(100);
      }
      return [];
    })();
    expect(fired).toHaveLength(1);
    expect(fired[0]?.isPastDue).toBe(false);
  });

  test('a schedule that is neither NCRONTAB nor TimeSpan stops start-up with a message naming the function', async () => {
    await expect(startTestHost({ appDir, functions: ['tick'], settings: { FIXTURE_TIMER_SCHEDULE: 'every minute' } })).rejects.toThrow(
      expect.objectContaining({ name: 'DevHostError', message: expect.stringContaining('Timer tick') }),
    );
  });
});

describe('schedules', () => {
  test('seconds come first; five fields get second 0; evaluation is UTC', () => {
    const saturday = new Date('2026-11-28T12:00:00Z');
    expect(nextOccurrence(parseTimerSchedule('0 30 9 * * 1-5', 'f'), saturday).toISOString()).toBe('2026-11-30T09:30:00.000Z');
    expect(nextOccurrence(parseTimerSchedule('*/15 * * * * *', 'f'), new Date('2026-01-01T00:00:07Z')).toISOString()).toBe('2026-01-01T00:00:15.000Z');
    expect(nextOccurrence(parseTimerSchedule('5 * * * *', 'f'), new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-01T00:05:00.000Z');
    expect(parseTimerSchedule('1.02:00:00', 'f')).toEqual({ kind: 'interval', ms: 26 * 3_600_000 });
  });

  test('bad schedules are rejected', () => {
    expect(() => parseTimerSchedule('0 0 25 * * *', 'nightly')).toThrow(DevHostError);
    expect(() => parseTimerSchedule('00:00:00', 'nightly')).toThrow(/positive TimeSpan/);
    expect(() => parseTimerSchedule('* * *', 'nightly')).toThrow(/six fields/);
  });
});
