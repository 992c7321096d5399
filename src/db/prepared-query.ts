// Queries Kysely builds and compiles once per dialect, then runs with new values: for the webhook's per-message statements.
import { createQueryId, type Compilable, type CompiledQuery, type DialectAdapter, type Kysely } from 'kysely';
import type { Database } from './tables';

/** Stands for a named value while the query is built; replaced by the value each time the query runs. */
class Slot {
  constructor(readonly name: string) {}
}

/** Placeholders typed as the values they stand for, so the builder type-checks the query as usual. */
export type Slots<P> = { readonly [K in keyof P]: P[K] };

interface Plan {
  readonly compiled: CompiledQuery;
  /** Per compiled parameter: the name of the value it takes, or undefined where the builder wrote a constant. */
  readonly names: readonly (string | undefined)[];
}

/**
 * Kysely builds an immutable query tree and compiles it to SQL on every call: 9–22 µs per statement measured here
 * (selects to the 31-column message insert), more than the selects' own run time in SQLite (2–11 µs), paid about
 * eight times per inbound message. Kysely has no prepared-query API and the one library that adds it (`kysely-params`) is
 * unmaintained, so this is the small part written by hand: the query is built once per dialect with {@link Slot}s for
 * values, and each run only swaps the values into the compiled parameter list. The SQL is exactly what the builder
 * writes, so both dialects keep the same text as before.
 *
 * Only for queries whose shape does not depend on the values: `build` must use each slot as a plain value, never in
 * JavaScript logic, and every call must give the same keys; when the shape varies, give each variant its own `shape`.
 */
export function preparedQuery<P extends Record<string, unknown>, R>(
  build: (db: Kysely<Database>, slots: Slots<P>, shape: string) => Compilable<R>,
): (db: Kysely<Database>, values: P, shape?: string) => Promise<R[]> {
  const plans = new WeakMap<DialectAdapter, Map<string, Plan>>();

  function planFor(db: Kysely<Database>, values: P, shape: string): Plan {
    // One adapter per database (transactions share it), so a plan compiled for SQLite is never run on SQL Server.
    const adapter = db.getExecutor().adapter;
    let byShape = plans.get(adapter);
    if (!byShape) {
      byShape = new Map();
      plans.set(adapter, byShape);
    }
    let plan = byShape.get(shape);
    if (!plan) {
      // One slot per key of the first values given, so a whole row can be passed to `.values()` as it is.
      const slots = Object.fromEntries(Object.keys(values).map((name) => [name, new Slot(name)])) as unknown as Slots<P>;
      const compiled = build(db, slots, shape).compile();
      plan = { compiled, names: compiled.parameters.map((value) => (value instanceof Slot ? value.name : undefined)) };
      byShape.set(shape, plan);
    }
    return plan;
  }

  return async (db, values, shape = '') => {
    const { compiled, names } = planFor(db, values, shape);
    const parameters = names.map((name, i) => {
      if (name === undefined) return compiled.parameters[i];
      const value = values[name];
      // Kysely writes DEFAULT for an undefined insert value; a compiled statement cannot, so undefined is a bug here.
      if (value === undefined) throw new TypeError(`preparedQuery: no value for "${name}"`);
      return value;
    });
    // A fresh query id per run, as a built query has: plugins key their per-query state by it.
    const result = await db.executeQuery<R>({ ...compiled, parameters, queryId: createQueryId() } as CompiledQuery<R>);
    return result.rows;
  };
}
