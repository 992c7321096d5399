// Hands committed changes to the real-time port in commit order, without letting a slow publisher hold up Meta.
import type { RealtimeEvent, RealtimePublisher } from './realtime-publisher';

/** Past this backlog (events) the oldest deliveries are dropped (clients catch up through REST); memory stays bounded. */
const MAX_BACKLOG_EVENTS = 20_000;
/**
 * Committed changes that wait while a publish is under way go out together in the next one (up to MERGED_EVENTS
 * events), which the publisher merges per message and sends conversation by conversation side by side. A publish is
 * a round trip (views read, then the service's answer), so taking one change at a time would cap the lane at one
 * change per round trip and build a queue at a few hundred changes a second; merged, the wait stays about one publish.
 */
const MERGED_EVENTS = 500;

interface Warn {
  warn(...args: unknown[]): void;
}

interface Entry {
  readonly events: readonly RealtimeEvent[];
  done(): void;
}

class PublishLane {
  private readonly backlog: Entry[] = [];
  private backlogEvents = 0;
  private draining = false;

  constructor(
    private readonly publisher: RealtimePublisher,
    private readonly log: Warn,
  ) {}

  add(events: readonly RealtimeEvent[]): Promise<void> {
    return new Promise<void>((done) => {
      this.backlog.push({ events, done });
      this.backlogEvents += events.length;
      let dropped = 0;
      while (this.backlogEvents > MAX_BACKLOG_EVENTS && this.backlog.length > 1) {
        const oldest = this.backlog.shift();
        if (!oldest) break;
        this.backlogEvents -= oldest.events.length;
        dropped += oldest.events.length;
        oldest.done();
      }
      if (dropped > 0) this.log.warn(`realtime: ${dropped} event(s) dropped, the publisher is ${MAX_BACKLOG_EVENTS} events behind`);
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.backlog.length > 0) {
        const take = this.mergedBatch();
        const events = take.flatMap((entry) => entry.events);
        this.backlogEvents -= events.length;
        await this.publisher.publish(events).catch((error: unknown) => this.log.warn('realtime: publish failed', error));
        for (const entry of take) entry.done();
      }
    } finally {
      this.draining = false;
    }
  }

  private mergedBatch(): Entry[] {
    let size = 0;
    let events = 0;
    for (const entry of this.backlog) {
      if (size > 0 && events + entry.events.length > MERGED_EVENTS) break;
      events += entry.events.length;
      size++;
    }
    return this.backlog.splice(0, size);
  }
}

const lanes = new WeakMap<RealtimePublisher, PublishLane>();

/**
 * Queues `events` for the publisher, in commit order, one publish at a time; resolves once they went out (or were
 * dropped). A slow or unreachable Web PubSub never slows ingest: real-time delivery is best effort by design and
 * clients reconcile through the REST API (`since` cursors).
 */
function publishAfterCommit(publisher: RealtimePublisher, events: readonly RealtimeEvent[], log: Warn): Promise<void> {
  if (events.length === 0) return Promise.resolve();
  let lane = lanes.get(publisher);
  if (!lane) {
    lane = new PublishLane(publisher, log);
    lanes.set(publisher, lane);
  }
  return lane.add(events);
}

/** Queues `events` for the publisher (in order with every other change) and returns at once. */
export function publishInBackground(publisher: RealtimePublisher, events: readonly RealtimeEvent[], log: Warn): void {
  void publishAfterCommit(publisher, events, log);
}
