// Tells a firm's admins something by e-mail: one notification per active Admin who has an e-mail address.
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import type { Services } from '../services';
import { createNotification, type NotificationRequest, type PendingNotification } from './create-notification';

/** A notification meant for admins, by e-mail. */
export type AdminEmailRequest = Extract<NotificationRequest, { channel: 'email' }>;

/**
 * Records one e-mail per active Admin of the firm with an e-mail address, in `db` (the transaction of the change it
 * reports); hand the answer to `enqueueNotifications` after the commit. Agents and admins without an address get nothing.
 */
export async function notifyFirmAdminsByEmail(
  services: Pick<Services, 'config'>,
  db: Kysely<Database>,
  firmId: number,
  request: AdminEmailRequest,
  now: Date,
): Promise<PendingNotification[]> {
  const admins = await db
    .selectFrom('WhatsApp_Operators')
    .selectAll()
    .where('FirmId', '=', firmId)
    .where('Role', '=', 'Admin')
    .where('IsActive', '=', true)
    .where('Email', 'is not', null)
    .orderBy('Id')
    .execute();
  const pending: PendingNotification[] = [];
  for (const admin of admins) pending.push(await createNotification(services, db, admin, request, now));
  return pending;
}
