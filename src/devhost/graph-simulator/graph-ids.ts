// Identifiers shaped like Meta's: wamids, numeric media ids, fbtrace ids, conversation ids.
import { randomBytes, randomInt } from 'node:crypto';

/** Which side wrote the message; Meta's wamid bytes differ (0x11 + 18 hex outbound, 0x12 + 20 hex inbound). */
export type WamidDirection = 'outbound' | 'inbound';

/**
 * A wamid built the way Meta's decode: a small protobuf-like header, the user's number, a random hex tail.
 * Realistic ids matter because apps sometimes store or log them with length limits.
 */
export function newWamid(waId: string, direction: WamidDirection): string {
  const digits = Buffer.from(waId.replace(/\D/g, '').slice(0, 20) || '0', 'ascii');
  const tailLength = direction === 'outbound' ? 18 : 20;
  const tail = Buffer.from(
    (direction === 'inbound' ? '3A' : '') + randomBytes(tailLength).toString('hex').toUpperCase().slice(0, tailLength - (direction === 'inbound' ? 2 : 0)),
    'ascii',
  );
  const bytes = Buffer.concat([
    Buffer.from([0x1c, 0x18, digits.length]),
    digits,
    Buffer.from([0x15, 0x02, 0x00, direction === 'outbound' ? 0x11 : 0x12, 0x18, tail.length]),
    tail,
    Buffer.from([0x00]),
  ]);
  return `wamid.${bytes.toString('base64')}`;
}

/** A 16-digit numeric id, as Meta uses for media and templates. */
export function newNumericId(): string {
  return `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
}

/** The opaque trace id Graph puts in every error body. */
export function newFbtraceId(): string {
  return randomBytes(17).toString('base64url').slice(0, 23);
}

/** The 32-hex conversation id of status webhooks (≤ v23). */
export function newConversationId(): string {
  return randomBytes(16).toString('hex');
}
