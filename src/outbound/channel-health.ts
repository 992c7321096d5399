// A business number's channel health: one alert to the firm's admins when its token stops working, not one per message.
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../db/tables';

export const TOKEN_INVALID = 'token-invalid';

/**
 * Marks the number's token as invalid. Only the first caller after the number was healthy wins the conditional
 * update, and only it records the alert (audit action `channel.health.alert`, which admins see in the audit log);
 * answers whether this call raised it.
 */
export async function raiseChannelHealthAlert(db: Kysely<Database>, input: { firmId: number; phoneNumberId: string; code: number | null; messageId: string }, now: Date): Promise<boolean> {
  const flipped = await db
    .updateTable('WhatsApp_PhoneNumbers')
    .set({ HealthState: TOKEN_INVALID, HealthErrorCode: input.code, HealthChangedAt: now, UpdatedAt: now })
    .where('FirmId', '=', input.firmId)
    .where('PhoneNumberId', '=', input.phoneNumberId)
    .where('HealthState', '<>', TOKEN_INVALID)
    .executeTakeFirst();
  if (Number(flipped.numUpdatedRows) === 0) return false;
  await recordAudit(
    db,
    {
      firmId: input.firmId,
      action: 'channel.health.alert',
      entityType: 'phone-number',
      entityId: input.phoneNumberId,
      details: { state: TOKEN_INVALID, graphErrorCode: input.code, firstFailedMessageId: input.messageId },
    },
    now,
  );
  return true;
}

/** A send went through: the number is healthy again (a later token failure alerts anew). */
export async function markChannelHealthy(db: Kysely<Database>, firmId: number, phoneNumberId: string, now: Date): Promise<void> {
  await db
    .updateTable('WhatsApp_PhoneNumbers')
    .set({ HealthState: 'ok', HealthErrorCode: null, HealthChangedAt: now, UpdatedAt: now })
    .where('FirmId', '=', firmId)
    .where('PhoneNumberId', '=', phoneNumberId)
    .where('HealthState', '<>', 'ok')
    .execute();
}
