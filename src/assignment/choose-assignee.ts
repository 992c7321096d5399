// The automatic assignment rules as pure functions: round-robin and least-open over the agents who are online.

/**
 * The next agent after `last` in id order, wrapping around; the first one when `last` is unknown or gone offline.
 * `candidates` must be sorted.
 */
export function chooseRoundRobin(candidates: readonly string[], last: string | null): string | undefined {
  if (last === null) return candidates[0];
  return candidates.find((id) => id > last) ?? candidates[0];
}

/**
 * The agent with the fewest open conversations; among equals, the first in round-robin order after `last`, so ties
 * are spread instead of always going to the same agent. `candidates` must be sorted.
 */
export function chooseLeastOpen(candidates: readonly string[], openCounts: ReadonlyMap<string, number>, last: string | null): string | undefined {
  const start = last === null ? 0 : Math.max(0, candidates.findIndex((id) => id > last));
  const inTurn = [...candidates.slice(start), ...candidates.slice(0, start)];
  let best: string | undefined;
  for (const id of inTurn) if (best === undefined || (openCounts.get(id) ?? 0) < (openCounts.get(best) ?? 0)) best = id;
  return best;
}
