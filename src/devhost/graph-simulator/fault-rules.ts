// Fault injection: rules matched per path, recipient and count that make the simulator fail in Meta's ways.
import { randomUUID } from 'node:crypto';

/** What a matching request gets instead of (or on top of) the normal answer. */
export type FaultAction =
  /** Meta's error envelope for `code` (130429, 131056, 131047, 131026, 131051, 132000, 132001, 190, 4, 80007, …). */
  | { kind: 'error'; code: number; status?: number; message?: string; details?: string; subcode?: number | null }
  /** A bare HTTP status (e.g. 500, 502, 503) with an optional body, as a load balancer in front of Graph would answer. */
  | { kind: 'http-status'; status: number; body?: string }
  /** The request is processed and the message accepted (statuses follow), but the answer comes after `delayMs` or never. */
  | { kind: 'timeout-after-accept'; delayMs?: number }
  /** The socket is reset; with `afterAccept` the message was accepted first. */
  | { kind: 'connection-reset'; afterAccept?: boolean }
  /** The normal answer, `ms` late. */
  | { kind: 'delay'; ms: number }
  /** Accepted with 200, then a `failed` status webhook with `code` instead of delivered/read (e.g. 131026, 131047, 131049). */
  | { kind: 'fail-async'; code: number; title?: string; details?: string };

/** Which requests a rule applies to; every given field must match. */
export interface FaultMatch {
  method?: string;
  /** A substring of the path, e.g. `/messages` or `/media`. */
  path?: string;
  phoneNumberId?: string;
  /** Recipient of a send, compared by digits. */
  to?: string;
  /** `type` of a send body (`text`, `template`, …). */
  messageType?: string;
}

export interface FaultRuleInput {
  match?: FaultMatch;
  action: FaultAction;
  /** Let this many matching requests through first. */
  skip?: number;
  /** Fire at most this many times (default: every time). */
  times?: number;
  /** Fire on a matching request with this probability (0–1). */
  probability?: number;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  matched: number;
  fired: number;
}

/** What is known about a request when rules are consulted. */
export interface FaultContext {
  method: string;
  path: string;
  phoneNumberId?: string;
  to?: string;
  messageType?: string;
}

export interface FaultRules {
  add(input: FaultRuleInput): FaultRule;
  remove(id: string): boolean;
  clear(): void;
  list(): FaultRule[];
  /** The first rule that fires for this request (its counters updated), if any. */
  pick(context: FaultContext): FaultRule | undefined;
}

const digits = (value: string | undefined) => value?.replace(/\D/g, '');

function matches(match: FaultMatch | undefined, context: FaultContext): boolean {
  if (match === undefined) return true;
  return (
    (match.method === undefined || match.method.toUpperCase() === context.method) &&
    (match.path === undefined || context.path.includes(match.path)) &&
    (match.phoneNumberId === undefined || match.phoneNumberId === context.phoneNumberId) &&
    (match.to === undefined || digits(match.to) === digits(context.to)) &&
    (match.messageType === undefined || match.messageType === context.messageType)
  );
}

export function createFaultRules(random: () => number): FaultRules {
  let rules: FaultRule[] = [];
  return {
    add(input) {
      const rule: FaultRule = { ...structuredClone(input), id: randomUUID(), matched: 0, fired: 0 };
      rules.push(rule);
      return { ...rule };
    },
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.id !== id);
      return rules.length !== before;
    },
    clear() {
      rules = [];
    },
    list: () => rules.map((r) => ({ ...r })),
    pick(context) {
      for (const rule of rules) {
        if (!matches(rule.match, context)) continue;
        rule.matched += 1;
        if (rule.matched <= (rule.skip ?? 0)) continue;
        if (rule.times !== undefined && rule.fired >= rule.times) continue;
        if (rule.probability !== undefined && random() >= rule.probability) continue;
        rule.fired += 1;
        return { ...rule };
      }
      return undefined;
    },
  };
}
