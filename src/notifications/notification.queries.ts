// Queries on WhatsApp_Notifications: insert with the change that caused it, read by (firm, id), record the outcome.
import type { Kysely, Selectable } from 'kysely';
import type { Database, NewRow } from '../db/tables';

type Db = Kysely<Database>;
export type NotificationRow = Selectable<Database['WhatsApp_Notifications']>;

export async function insertNotification(db: Db, row: NewRow<'WhatsApp_Notifications'>): Promise<void> {
  await db.insertInto('WhatsApp_Notifications').values(row).execute();
}

export async function findNotification(db: Db, firmId: number, notificationId: string): Promise<NotificationRow | undefined> {
  return db.selectFrom('WhatsApp_Notifications').selectAll().where('FirmId', '=', firmId).where('Id', '=', notificationId).executeTakeFirst();
}

/** Marks a notification sent and forgets its secret. */
export async function markNotificationSent(db: Db, notificationId: string, provider: string, providerMessageId: string | undefined, now: Date): Promise<void> {
  await db
    .updateTable('WhatsApp_Notifications')
    .set((eb) => ({
      Status: 'sent',
      SecretSealed: null,
      Provider: provider,
      ProviderMessageId: providerMessageId?.slice(0, 128) ?? null,
      Attempts: eb('Attempts', '+', 1),
      LastError: null,
      SentAt: now,
      UpdatedAt: now,
    }))
    .where('Id', '=', notificationId)
    .execute();
}

/** Counts a failed attempt; the error text must not hold the secret (provider errors never echo it). */
export async function recordNotificationFailure(db: Db, notificationId: string, error: string, now: Date): Promise<void> {
  await db
    .updateTable('WhatsApp_Notifications')
    .set((eb) => ({ Attempts: eb('Attempts', '+', 1), LastError: error.slice(0, 1000), UpdatedAt: now }))
    .where('Id', '=', notificationId)
    .where('Status', '=', 'pending')
    .execute();
}

/** Gives up on a notification the queue parked as poison; its secret is forgotten. */
export async function markNotificationFailed(db: Db, firmId: number, notificationId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_Notifications')
    .set({ Status: 'failed', SecretSealed: null, UpdatedAt: now })
    .where('FirmId', '=', firmId)
    .where('Id', '=', notificationId)
    .where('Status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
