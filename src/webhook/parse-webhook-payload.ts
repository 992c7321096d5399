// Parses a verified webhook body into its changes, tolerating shapes Meta has not documented (they are kept raw).
import { WebhookChangeSchema, WebhookEntrySchema, WebhookEnvelopeSchema } from './webhook-payload.schemas';

/** One `entry[].changes[]` element, with where it sat in the body (for logs and raw records). */
export interface ParsedChange {
  readonly entryIndex: number;
  readonly changeIndex: number;
  /** `entry[].id`, the WhatsApp Business Account id. */
  readonly businessAccountId: string | undefined;
  /** `changes[].field`; undefined when the change itself had no recognisable shape. */
  readonly field: string | undefined;
  readonly value: unknown;
  /** The change exactly as sent. */
  readonly raw: unknown;
}

export type ParsedWebhook =
  /** Not JSON at all: the caller answers 400. */
  | { readonly kind: 'malformed' }
  /** JSON, but not Meta's envelope: recorded raw, answered 200. */
  | { readonly kind: 'unrecognised'; readonly json: unknown }
  | { readonly kind: 'envelope'; readonly object: string | undefined; readonly changes: readonly ParsedChange[] };

/** Parses the raw body text; never throws. */
export function parseWebhookPayload(rawText: string): ParsedWebhook {
  let json: unknown;
  try {
    json = JSON.parse(rawText);
  } catch {
    return { kind: 'malformed' };
  }
  const envelope = WebhookEnvelopeSchema.safeParse(json);
  if (!envelope.success) return { kind: 'unrecognised', json };
  const changes: ParsedChange[] = [];
  envelope.data.entry.forEach((rawEntry, entryIndex) => {
    const entry = WebhookEntrySchema.safeParse(rawEntry);
    if (!entry.success) {
      changes.push({ entryIndex, changeIndex: -1, businessAccountId: undefined, field: undefined, value: undefined, raw: rawEntry });
      return;
    }
    const businessAccountId = entry.data.id === undefined || entry.data.id === null ? undefined : String(entry.data.id);
    entry.data.changes.forEach((rawChange, changeIndex) => {
      const change = WebhookChangeSchema.safeParse(rawChange);
      changes.push({
        entryIndex,
        changeIndex,
        businessAccountId,
        field: change.success ? change.data.field : undefined,
        value: change.success ? change.data.value : undefined,
        raw: rawChange,
      });
    });
  });
  return { kind: 'envelope', object: envelope.data.object ?? undefined, changes };
}
