// Queries for routing a change to its firm and for keeping raw changes (other fields, unrouted, unreadable) once each.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import { newId } from '../shared/ids';
import { isUniqueViolation } from '../db/unique-violation';

/** The firm that owns a business phone number id, if an active one does. */
export async function findFirmByPhoneNumberId(db: Kysely<Database>, phoneNumberId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('WhatsApp_PhoneNumbers')
    .select('FirmId')
    .where('PhoneNumberId', '=', phoneNumberId)
    .where('IsActive', '=', true)
    .executeTakeFirst();
  return row?.FirmId;
}

/** The one firm that owns a WhatsApp Business Account id (for changes without a phone number), if exactly one does. */
export async function findFirmByBusinessAccountId(db: Kysely<Database>, businessAccountId: string): Promise<number | undefined> {
  const [fromNumbers, fromSettings] = await Promise.all([
    db.selectFrom('WhatsApp_PhoneNumbers').select('FirmId').where('BusinessAccountId', '=', businessAccountId).distinct().execute(),
    db.selectFrom('WhatsApp_FirmSettings').select('FirmId').where('BusinessAccountId', '=', businessAccountId).execute(),
  ]);
  const firms = new Set([...fromNumbers, ...fromSettings].map((r) => r.FirmId));
  return firms.size === 1 ? [...firms][0] : undefined;
}

export type WebhookEventState = 'pending' | 'processed' | 'unrouted' | 'ignored' | 'failed';

export interface RawWebhookEvent {
  readonly firmId: number | undefined;
  /** `changes[].field`, or `unknown` for a body or change of unknown shape. */
  readonly field: string;
  readonly businessAccountId: string | undefined;
  readonly phoneNumberId: string | undefined;
  readonly state: WebhookEventState;
  readonly payloadJson: string;
  readonly error?: string;
  readonly receivedAt: Date;
}

/**
 * Keeps a raw change once: the payload's SHA-256 is unique, so Meta's retries and queue replays of the same
 * change do not add rows. Returns false when it was already kept.
 */
export async function recordWebhookEvent(db: Kysely<Database>, event: RawWebhookEvent): Promise<boolean> {
  const sha = createHash('sha256').update(event.payloadJson, 'utf8').digest('hex');
  const seen = await db.selectFrom('WhatsApp_WebhookEvents').select('Id').where('PayloadSha256', '=', sha).executeTakeFirst();
  if (seen) return false;
  try {
    await db
      .insertInto('WhatsApp_WebhookEvents')
      .values({
        Id: newId(event.receivedAt.getTime()),
        FirmId: event.firmId ?? null,
        Field: event.field.slice(0, 64),
        BusinessAccountId: event.businessAccountId?.slice(0, 64) ?? null,
        PhoneNumberId: event.phoneNumberId?.slice(0, 64) ?? null,
        State: event.state,
        PayloadJson: event.payloadJson,
        PayloadSha256: sha,
        Error: event.error ?? null,
        ReceivedAt: event.receivedAt,
        ProcessedAt: event.state === 'processed' ? event.receivedAt : null,
      })
      .execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}
