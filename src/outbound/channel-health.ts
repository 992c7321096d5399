// A business number's channel health: one alert to the firm's admins when its token or account stops working, not one per message.
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../db/tables';
import { enqueueNotifications, type PendingNotification } from '../notifications/create-notification';
import { notifyFirmAdminsByEmail } from '../notifications/notify-firm-admins';
import type { Services } from '../services';
import { isTokenFailure } from '../shared/graph-error';

export const TOKEN_INVALID = 'token-invalid';
/** Meta refuses the number or its account (registration, permissions, restriction, billing): see isNumberWide. */
export const ACCOUNT_BLOCKED = 'account-blocked';

/** What e-mailing the admins needs besides the database: settings (sealing) and the `notifications` queue. */
export type ChannelAlertServices = Pick<Services, 'config' | 'storage'>;

/**
 * Marks the number as unable to send: `token-invalid` when Meta refused the access token (no code, 0 or 190),
 * `account-blocked` for the other number-wide refusals. Only the first caller after the number was healthy (or in
 * another state) wins the conditional update, and only it records the alert (audit action `channel.health.alert`,
 * which admins see in the audit log) and queues one e-mail per active Admin of the firm with an e-mail address (the
 * flip, the audit row and the notifications commit together). Answers whether this call raised it.
 */
export async function raiseChannelHealthAlert(
  db: Kysely<Database>,
  input: { firmId: number; phoneNumberId: string; code: number | null; messageId: string },
  now: Date,
  alerts: ChannelAlertServices,
): Promise<boolean> {
  const state = isTokenFailure(input.code) ? TOKEN_INVALID : ACCOUNT_BLOCKED;
  const inTransaction = <T>(work: (trx: Kysely<Database>) => Promise<T>) => (db.isTransaction ? work(db) : db.transaction().execute(work));
  const pending = await inTransaction(async (trx): Promise<PendingNotification[] | undefined> => {
    const flipped = await trx
      .updateTable('WhatsApp_PhoneNumbers')
      .set({ HealthState: state, HealthErrorCode: input.code, HealthChangedAt: now, UpdatedAt: now })
      .where('FirmId', '=', input.firmId)
      .where('PhoneNumberId', '=', input.phoneNumberId)
      .where('HealthState', '<>', state)
      .executeTakeFirst();
    if (Number(flipped.numUpdatedRows) === 0) return undefined;
    await recordAudit(
      trx,
      {
        firmId: input.firmId,
        action: 'channel.health.alert',
        entityType: 'phone-number',
        entityId: input.phoneNumberId,
        details: { state, graphErrorCode: input.code, firstFailedMessageId: input.messageId },
      },
      now,
    );
    const phone = await trx
      .selectFrom('WhatsApp_PhoneNumbers')
      .select('DisplayPhoneNumber')
      .where('FirmId', '=', input.firmId)
      .where('PhoneNumberId', '=', input.phoneNumberId)
      .executeTakeFirst();
    return notifyFirmAdminsByEmail(
      alerts,
      trx,
      input.firmId,
      { kind: 'channel-health-alert', channel: 'email', at: now, phoneNumberId: input.phoneNumberId, displayPhoneNumber: phone?.DisplayPhoneNumber ?? null, graphErrorCode: input.code },
      now,
    );
  });
  if (!pending) return false;
  await enqueueNotifications(alerts, pending);
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
