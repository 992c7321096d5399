// Pacing before Meta does it for us: per business number (messages/s) and per customer (the pair rate limit).

/** Meta's pair rate limit: one message per 6 s to one user, bursts of up to 45 borrowing future quota (WHATSAPP.md §10). */
export const PAIR_LIMIT = { intervalMs: 6000, burst: 45 } as const;

/**
 * Meta counts a number's throughput over a sliding second. Departures spaced exactly 1/rate apart can arrive a few
 * milliseconds closer (event-loop stalls between the check and the socket write, network jitter) and tip one second
 * over, worst at a start, when the first requests travel slower than the rest; this much extra per second absorbs
 * that (4 %: 80/s is paced at 76.9/s; 25 ms still let one 130429 through in about one bench:sending run in three).
 */
const WINDOW_GUARD_MS = 40;
/**
 * A 130429 all the same (more jitter than the guard allows, several workers, or Meta counting what this pacer does not
 * see, such as the number's inbound messages) doubles the number's guard up to this; the extra halves every
 * GUARD_HALF_LIFE_MS without another one, so one bad moment does not slow the number for long.
 */
const MAX_WINDOW_GUARD_MS = 250;
const GUARD_HALF_LIFE_MS = 60_000;

/** A reservation: wait `waitMs`, then send. `cancel` gives the slot back if the send does not happen. */
export interface PaceSlot {
  readonly waitMs: number;
  cancel(): void;
}

/**
 * In-process pacer (one per worker instance). Numbers are paced by virtual scheduling (GCRA without burst): each
 * send books the next free instant, so departures are evenly spaced at `(1000 + guard) / rate` ms and any second holds
 * at most `rate` of them. Customers are paced by a token bucket with Meta's interval and burst.
 * With several worker instances each paces on its own: Meta's 130429 is then the backstop and the message is retried.
 */
export class SendPacer {
  private readonly nextFreeAt = new Map<string, number>();
  private readonly departures = new Map<string, number[]>();
  private readonly pairBuckets = new Map<string, { tokens: number; at: number }>();
  private readonly widenedGuards = new Map<string, { guardMs: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.timeOrigin + performance.now()) {}

  /** Books the next departure slot of a business number sending `perSecond` messages a second. */
  reserveNumberSlot(phoneNumberId: string, perSecond: number): PaceSlot {
    const now = this.now();
    const interval = (1000 + this.guardMs(phoneNumberId, now)) / Math.max(1, perSecond);
    const slot = Math.max(now, this.nextFreeAt.get(phoneNumberId) ?? 0);
    this.nextFreeAt.set(phoneNumberId, slot + interval);
    return {
      waitMs: slot - now,
      cancel: () => {
        // Only the newest booking can be handed back without moving anyone else's slot.
        if (this.nextFreeAt.get(phoneNumberId) === slot + interval) this.nextFreeAt.set(phoneNumberId, slot);
      },
    };
  }

  /**
   * The last check before a request leaves: the number's actual departures (not the booked slots, which a busy event
   * loop can bunch up) must leave room in the sliding second. Answers how long to wait; 0 = go, and the departure is
   * recorded.
   */
  departNow(phoneNumberId: string, perSecond: number): number {
    const now = this.now();
    const limit = Math.max(1, perSecond);
    const window = 1000 + this.guardMs(phoneNumberId, now);
    const times = this.recentDepartures(phoneNumberId, now, window);
    if (times.length >= limit) return Math.ceil((times[0] ?? now) + window - now);
    times.push(now);
    this.departures.set(phoneNumberId, times);
    return 0;
  }

  /**
   * Messages the number received: Meta counts them in the same per-second throughput as those it sends (WHATSAPP.md
   * §10), so they take places in the sliding second that departNow checks.
   */
  noteInbound(phoneNumberId: string, count: number): void {
    if (count <= 0) return;
    const now = this.now();
    // Kept only as long as the widest window departNow may use, so a number that only receives stays small.
    const times = this.recentDepartures(phoneNumberId, now, 1000 + MAX_WINDOW_GUARD_MS);
    for (let i = 0; i < count; i++) times.push(now);
    this.departures.set(phoneNumberId, times);
  }

  /** The number's departures (and arrivals) within `windowMs` of `now`; older ones are dropped for good. */
  private recentDepartures(phoneNumberId: string, now: number, windowMs: number): number[] {
    const times = this.departures.get(phoneNumberId) ?? [];
    while (times.length > 0 && now - (times[0] ?? 0) >= windowMs) times.shift();
    return times;
  }

  /** Meta answered 130429 for this number: widen its guard (see MAX_WINDOW_GUARD_MS). */
  noteThrottled(phoneNumberId: string): void {
    const now = this.now();
    this.widenedGuards.set(phoneNumberId, { guardMs: Math.min(MAX_WINDOW_GUARD_MS, 2 * this.guardMs(phoneNumberId, now)), at: now });
  }

  /** The number's guard now: the base, plus whatever a 130429 added, halving every GUARD_HALF_LIFE_MS. */
  guardMs(phoneNumberId: string, now: number = this.now()): number {
    const widened = this.widenedGuards.get(phoneNumberId);
    if (!widened) return WINDOW_GUARD_MS;
    const extra = (widened.guardMs - WINDOW_GUARD_MS) * 0.5 ** ((now - widened.at) / GUARD_HALF_LIFE_MS);
    if (extra < 1) {
      this.widenedGuards.delete(phoneNumberId);
      return WINDOW_GUARD_MS;
    }
    return WINDOW_GUARD_MS + extra;
  }

  /**
   * Takes one of a customer's tokens if there is one (`0` = go now); otherwise answers how long until there is one
   * and takes nothing.
   */
  takePairToken(phoneNumberId: string, recipient: string): number {
    const key = `${phoneNumberId}:${recipient}`;
    const now = this.now();
    const bucket = this.pairBuckets.get(key) ?? { tokens: PAIR_LIMIT.burst, at: now };
    bucket.tokens = Math.min(PAIR_LIMIT.burst, bucket.tokens + (now - bucket.at) / PAIR_LIMIT.intervalMs);
    bucket.at = now;
    this.pairBuckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      if (this.pairBuckets.size > 50_000) this.forgetFullBuckets(now);
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) * PAIR_LIMIT.intervalMs);
  }

  /** Gives a customer's token back (the send did not happen). */
  returnPairToken(phoneNumberId: string, recipient: string): void {
    const bucket = this.pairBuckets.get(`${phoneNumberId}:${recipient}`);
    if (bucket) bucket.tokens = Math.min(PAIR_LIMIT.burst, bucket.tokens + 1);
  }

  private forgetFullBuckets(now: number): void {
    for (const [key, bucket] of this.pairBuckets) {
      if (bucket.tokens + (now - bucket.at) / PAIR_LIMIT.intervalMs >= PAIR_LIMIT.burst) this.pairBuckets.delete(key);
    }
  }
}

/** The pacer of this worker process. */
export const processPacer = new SendPacer();
