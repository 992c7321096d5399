// Checks `ce-signature` on Web PubSub upstream events, as the service signs them and its Functions extension checks.
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * True when some `sha256=<hex>` value of the comma-separated header equals HMAC-SHA256(key = the AccessKey's UTF-8
 * bytes, data = the connection id) for some key (primary and secondary during a rotation). Hex is compared
 * case-insensitively and in constant time; every pair is compared, so the time does not tell which one matched.
 */
export function isSignedByService(connectionId: string | null, signatureHeader: string | null, accessKeys: readonly string[]): boolean {
  if (!connectionId || !signatureHeader || accessKeys.length === 0) return false;
  const presented = signatureHeader
    .split(',')
    .map((value) => value.trim().toLowerCase())
    .filter((value) => /^sha256=[0-9a-f]{64}$/.test(value))
    .map((value) => Buffer.from(value.slice(7), 'hex'));
  let matched = false;
  for (const key of accessKeys) {
    const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(connectionId, 'utf8').digest();
    for (const candidate of presented) matched = timingSafeEqual(candidate, expected) || matched;
  }
  return matched;
}
