// The sending pipeline's timings, derived from the settings (src/config.ts holds the names, defaults and rules).
import type { Config } from '../config';

export interface OutboundSettings {
  readonly defaultMessagesPerSecond: number;
  readonly sendTimeoutMs: number;
  /** A `sending` message whose worker has not finished by then is taken for lost (`unknown`). */
  readonly leaseMs: number;
}

/** A send's lease outlives its timeout by this much, so a slow but live worker is never taken for dead. */
const LEASE_MARGIN_MS = 15_000;

export function outboundSettings(config: Pick<Config, 'whatsApp'>): OutboundSettings {
  const sendTimeoutMs = config.whatsApp.sendTimeoutSeconds * 1000;
  return { defaultMessagesPerSecond: config.whatsApp.messagesPerSecond, sendTimeoutMs, leaseMs: sendTimeoutMs + LEASE_MARGIN_MS };
}
