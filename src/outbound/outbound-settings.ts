// Settings of the sending pipeline (`WhatsApp__MessagesPerSecond`, `WhatsApp__SendTimeoutSeconds`), read once with zod.
import { z } from 'zod';
import { ConfigError } from '../config';

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(def) : v.trim()))
    .pipe(z.string().regex(/^\d+$/, 'must be a whole number'))
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const OutboundSettingsSchema = z.object({
  /** A number's default pace when its row has no `MessagesPerSecond` (Meta's default is 80). */
  WhatsApp__MessagesPerSecond: int(80, 1, 1000),
  /** How long a send waits for Meta before its outcome counts as unknown. */
  WhatsApp__SendTimeoutSeconds: int(20, 1, 120),
});

export interface OutboundSettings {
  readonly defaultMessagesPerSecond: number;
  readonly sendTimeoutMs: number;
  /** A `sending` message whose worker has not finished by then is taken for lost (`unknown`). */
  readonly leaseMs: number;
}

/**
 * Parses the outbound settings; throws ConfigError naming a bad one. Kept beside the pipeline until src/config.ts
 * carries them (same names, same rules).
 */
export function loadOutboundSettings(env: Readonly<Record<string, string | undefined>>): OutboundSettings {
  const parsed = OutboundSettingsSchema.safeParse({ WhatsApp__MessagesPerSecond: env['WhatsApp__MessagesPerSecond'], WhatsApp__SendTimeoutSeconds: env['WhatsApp__SendTimeoutSeconds'] });
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`));
  const sendTimeoutMs = parsed.data.WhatsApp__SendTimeoutSeconds * 1000;
  return { defaultMessagesPerSecond: parsed.data.WhatsApp__MessagesPerSecond, sendTimeoutMs, leaseMs: sendTimeoutMs + 15_000 };
}

let cached: OutboundSettings | undefined;

/** The process's outbound settings from `process.env`. */
export function outboundSettings(): OutboundSettings {
  cached ??= loadOutboundSettings(process.env);
  return cached;
}
