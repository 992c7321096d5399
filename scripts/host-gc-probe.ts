// Loaded into the local host by bench:webhook (`--require`): tells the bench over IPC when the host's main thread ran
// a full (mark-compact) GC and how long it paused. Such a pause stops every request the thread is serving, so a
// latency spike in a phase can be told apart from the app's own work.
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/** What the probe sends: the GC's start as wall-clock milliseconds (Date.now() scale) and its pause. */
export interface HostFullGc {
  readonly type: 'bench-host-full-gc';
  readonly at: number;
  readonly pauseMs: number;
}

if (isMainThread && process.send) {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as { detail?: { kind?: number } | null };
      if (detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      process.send?.({ type: 'bench-host-full-gc', at: performance.timeOrigin + entry.startTime, pauseMs: entry.duration } satisfies HostFullGc);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}
