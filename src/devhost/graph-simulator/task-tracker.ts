// Tracks the simulator's background work (timers, webhook deliveries) so tests can wait for it and stop() can cancel it.
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TaskTracker {
  /** Aborted by stop(); pass it to anything that waits. */
  readonly signal: AbortSignal;
  /** Runs `fn` after `ms`; counted as pending until its promise settles. */
  later(ms: number, fn: () => Promise<unknown> | void): void;
  /** Counts `promise` as pending until it settles. */
  track<T>(promise: Promise<T>): Promise<T>;
  /** Waits `ms` unless stopped (then rejects with AbortError). */
  sleep(ms: number): Promise<void>;
  /** Resolves once nothing is pending (including work started while waiting). */
  whenIdle(): Promise<void>;
  stop(): void;
}

export function createTaskTracker(): TaskTracker {
  const controller = new AbortController();
  // Every pending wait listens to this one signal (a busy simulator has hundreds at once) and stops listening when it
  // ends: many listeners are the design here, not a leak.
  setMaxListeners(0, controller.signal);
  const pending = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  let timerCount = 0;
  const track = <T>(promise: Promise<T>): Promise<T> => {
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    pending.add(settled);
    void settled.then(() => pending.delete(settled));
    return promise;
  };
  return {
    signal: controller.signal,
    later(ms, fn) {
      if (controller.signal.aborted) return;
      timerCount += 1;
      const timer = setTimeout(() => {
        timers.delete(timer);
        timerCount -= 1;
        void track(Promise.resolve().then(fn)).catch(() => undefined);
      }, ms);
      timers.add(timer);
    },
    track,
    sleep: (ms) => sleep(ms, undefined, { signal: controller.signal }),
    async whenIdle() {
      while (timerCount > 0 || pending.size > 0) {
        if (pending.size > 0) await Promise.all([...pending]);
        else await sleep(5);
      }
    },
    stop() {
      controller.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      timerCount = 0;
    },
  };
}
