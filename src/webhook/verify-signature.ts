// Meta's X-Hub-Signature-256 check: HMAC-SHA256 of the raw request bytes with an app secret, compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Exactly one `sha256=` followed by 64 hex digits. A repeated header reaches us joined with ", "
 * (Fetch `Headers.get` and Node's http both join duplicates), so it never matches and is refused.
 */
const SIGNATURE_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * True when `signatureHeader` is a valid `sha256=<hex>` HMAC of `rawBody` under any of `appSecrets`.
 * Never throws: any malformed header, or no configured secret, is simply "not valid".
 * @param rawBody the request body exactly as received, before any decoding or parsing
 * @param signatureHeader the `X-Hub-Signature-256` header value (null when absent)
 * @param appSecrets every app secret that may sign deliveries (one per Meta app in use)
 */
export function verifyWebhookSignature(rawBody: Uint8Array, signatureHeader: string | null | undefined, appSecrets: readonly string[]): boolean {
  if (typeof signatureHeader !== 'string') return false;
  const match = SIGNATURE_PATTERN.exec(signatureHeader);
  if (!match?.[1]) return false;
  const claimed = Buffer.from(match[1], 'hex');
  let valid = false;
  // Every secret is tried even after a match so the time taken does not tell which secret signed.
  for (const secret of appSecrets) {
    if (secret.length === 0) continue;
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (timingSafeEqual(expected, claimed)) valid = true;
  }
  return valid;
}

/** The header value Meta would send for `rawBody` signed with `appSecret` (tests, simulator, bench). */
export function signWebhookBody(rawBody: Uint8Array | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
