// Timer trigger: NCRONTAB (six fields, seconds first; five accepted) evaluated in UTC, or a constant TimeSpan
// schedule ("00:05:00"); `runOnStartup`; function-level retry options (supported for timers in Azure).
import { CronExpressionParser } from 'cron-parser';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppRegistry, RegisteredFunction } from './core-api';
import type { RpcDuration } from './core-types';
import { DevHostError } from './dev-host-error';
import type { HostLogger } from './host-log';
import { invokeFunction } from './invoke-function';
import { deliverOutputBindings, type OutputBindingContext } from './output-bindings';
import { parseTimeSpan } from './parse-time-span';

/** A parsed schedule. */
export type TimerSchedule = { readonly kind: 'cron'; readonly expression: string } | { readonly kind: 'interval'; readonly ms: number };

/** The longest delay setTimeout accepts; longer waits are taken in steps. */
const maxTimeoutMs = 2 ** 31 - 1;
/** What the host reports as `Last` before the first run (.NET's default DateTime). */
const dotNetMinDate = new Date('0001-01-01T00:00:00Z');
/** A run this much later than its occurrence is reported as past due. */
const pastDueAfterMs = 1000;

/** Parses a timer `schedule`; throws `DevHostError` naming the function when it is neither NCRONTAB nor TimeSpan. */
export function parseTimerSchedule(text: string, functionName: string): TimerSchedule {
  const trimmed = text.trim();
  if (trimmed.includes(':') && !trimmed.includes(' ')) {
    const ms = parseTimeSpan(trimmed);
    if (ms === undefined || ms <= 0) throw new DevHostError(`Timer ${functionName}: schedule "${text}" is not a positive TimeSpan.`);
    return { kind: 'interval', ms };
  }
  const fields = trimmed.split(/\s+/);
  const expression = fields.length === 5 ? `0 ${trimmed}` : trimmed;
  if (fields.length !== 5 && fields.length !== 6) {
    throw new DevHostError(`Timer ${functionName}: schedule "${text}" must be an NCRONTAB expression with six fields (seconds first).`);
  }
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC', strict: false });
  } catch (err) {
    throw new DevHostError(`Timer ${functionName}: schedule "${text}" is not a valid NCRONTAB expression: ${(err as Error).message}`);
  }
  return { kind: 'cron', expression };
}

/** The first occurrence of `schedule` strictly after `after`. */
export function nextOccurrence(schedule: TimerSchedule, after: Date): Date {
  if (schedule.kind === 'interval') return new Date(after.getTime() + schedule.ms);
  return CronExpressionParser.parse(schedule.expression, { tz: 'UTC', currentDate: after }).next().toDate();
}

/** Options of one timer function. */
export interface TimerListenerOptions {
  readonly registry: AppRegistry;
  readonly fn: RegisteredFunction;
  readonly triggerBindingName: string;
  readonly schedule: TimerSchedule;
  readonly runOnStartup: boolean;
  readonly outputs: OutputBindingContext;
  readonly log: HostLogger;
}

/** A running timer. */
export interface TimerListener {
  /** When the next run is due. */
  readonly next: () => Date | undefined;
  stop(): Promise<void>;
}

function durationMs(d: RpcDuration | null | undefined): number {
  return (d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);
}

/** Starts `options.fn` on its schedule (and once now when `runOnStartup`). */
export function startTimerListener(options: TimerListenerOptions): TimerListener {
  const { registry, fn, schedule, log } = options;
  const abort = new AbortController();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let next: Date | undefined;
  let last: Date | undefined;
  let running: Promise<void> = Promise.resolve();

  const invokeOnce = async (isPastDue: boolean, retryCount: number, lastError: unknown) => {
    const upcoming = nextOccurrence(schedule, new Date());
    const timerInfo = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: (last ?? dotNetMinDate).toISOString(), Next: upcoming.toISOString(), LastUpdated: new Date().toISOString() },
      IsPastDue: isPastDue,
    };
    const retry = fn.metadata.retryOptions;
    const outcome = await invokeFunction(registry, fn, {
      inputData: [{ name: options.triggerBindingName, data: { json: JSON.stringify(timerInfo) } }],
      triggerMetadata: {},
      retryContext: retry
        ? { retryCount, maxRetryCount: retry.maxRetryCount ?? 0, exception: lastError ? { message: String((lastError as Error).message ?? lastError) } : null }
        : null,
    });
    await deliverOutputBindings(options.outputs, fn, outcome.response);
  };

  const run = async (isPastDue: boolean) => {
    const retry = fn.metadata.retryOptions;
    const maxRetries = retry?.maxRetryCount ?? 0;
    for (let attempt = 0; !stopped || attempt === 0; attempt++) {
      const started = Date.now();
      try {
        await invokeOnce(isPastDue, attempt, undefined);
        log({ level: 'information', category: 'system', functionName: fn.name, message: `Executed (Succeeded, timer, Duration=${Date.now() - started}ms)` });
        return;
      } catch (err) {
        const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log({ level: 'error', category: 'system', functionName: fn.name, message: `Executed (Failed, timer, attempt ${attempt + 1})\n${detail}` });
        if (!retry || (maxRetries >= 0 && attempt >= maxRetries) || stopped) return;
        const delay =
          retry.retryStrategy === 'fixedDelay'
            ? durationMs(retry.delayInterval)
            : Math.min(durationMs(retry.maximumInterval), durationMs(retry.minimumInterval) * 2 ** attempt);
        await sleep(delay, undefined, { signal: abort.signal }).catch(() => undefined);
      }
    }
  };

  const arm = () => {
    if (stopped) return;
    next = nextOccurrence(schedule, new Date());
    const wait = () => {
      const due = next;
      if (!due || stopped) return;
      const remaining = due.getTime() - Date.now();
      if (remaining > 0) {
        timer = setTimeout(wait, Math.min(remaining, maxTimeoutMs));
        return;
      }
      const pastDue = -remaining > pastDueAfterMs;
      running = run(pastDue).finally(() => {
        last = due;
        arm();
      });
    };
    wait();
  };

  if (options.runOnStartup) {
    running = run(false).finally(arm);
  } else {
    arm();
  }

  return {
    next: () => next,
    async stop() {
      stopped = true;
      abort.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
