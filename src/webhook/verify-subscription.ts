// Meta's webhook verification handshake: echo hub.challenge when hub.verify_token matches a configured token.
import { createHash, timingSafeEqual } from 'node:crypto';

/** What Meta sends on `GET /api/webhook` (query names as sent: `hub.mode`, `hub.verify_token`, `hub.challenge`). */
export interface SubscriptionQuery {
  readonly mode: string | null;
  readonly verifyToken: string | null;
  readonly challenge: string | null;
}

/** Meta's challenge is a number; anything long is refused so the endpoint cannot echo arbitrary large text. */
const MAX_CHALLENGE_LENGTH = 256;

/**
 * The text to answer with (the challenge, verbatim) when the handshake is valid, else `undefined` (answer 403).
 * @param tokens every configured verify token (the default firm's and every firm's)
 */
export function verifySubscription(query: SubscriptionQuery, tokens: readonly string[]): string | undefined {
  const { mode, verifyToken, challenge } = query;
  if (mode !== 'subscribe' || !verifyToken || !challenge || challenge.length > MAX_CHALLENGE_LENGTH) return undefined;
  let matched = false;
  for (const token of tokens) {
    if (token.length > 0 && sameSecret(token, verifyToken)) matched = true;
  }
  return matched ? challenge : undefined;
}

/** Compares digests so length differences do not leak through an early exit. */
function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
