// A seeded random source for benchmarks and tests whose data or faults must be the same on every run (replayable).

/**
 * mulberry32: the same sequence for the same seed, numbers in [0, 1). Hand-written because it is ten lines and the
 * benches' seeded data and the fault runs' recorded seeds depend on this exact sequence.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
