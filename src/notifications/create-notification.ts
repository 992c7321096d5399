// Records a notification in the caller's transaction; `enqueueNotifications` hands it to the worker after commit.
import type { Kysely } from 'kysely';
import type { Database, OperatorRow } from '../db/tables';
import type { Services } from '../services';
import type { Language } from '../shared/app-error';
import { newId } from '../shared/ids';
import { enqueue } from '../storage/queue-catalogue';
import { dataOf } from './notification-data';
import { insertNotification } from './notification.queries';
import { sealSecret } from '../shared/secret-box';

export type NotificationChannel = 'email' | 'sms';

/** What to send: the kind, its non-secret values, and at most one secret (sealed until sent). */
export type NotificationRequest =
  | { readonly kind: 'password-reset-link'; readonly channel: 'email'; readonly token: string; readonly expiresMinutes: number }
  | { readonly kind: 'password-reset-code'; readonly channel: 'sms'; readonly code: string; readonly expiresMinutes: number }
  | { readonly kind: 'password-changed'; readonly channel: NotificationChannel; readonly at: Date; readonly how: 'reset' | 'change' }
  | {
      readonly kind: 'channel-health-alert';
      readonly channel: 'email';
      readonly at: Date;
      readonly phoneNumberId: string;
      readonly displayPhoneNumber: string | null;
      readonly graphErrorCode: number | null;
    };

/** A notification waiting for its queue message. */
export interface PendingNotification {
  readonly firmId: number;
  readonly notificationId: string;
}

/** The address a channel reaches for this operator, if it has one. */
export function recipientOf(operator: OperatorRow, channel: NotificationChannel): string | undefined {
  return (channel === 'email' ? operator.Email : operator.Phone) ?? undefined;
}

/** The channel an operator can be told something on: e-mail first, then SMS. */
export function preferredChannel(operator: OperatorRow): NotificationChannel | undefined {
  if (operator.Email) return 'email';
  if (operator.Phone) return 'sms';
  return undefined;
}

/** Inserts the notification row (in `db`, usually the transaction of the change it reports). */
export async function createNotification(
  services: Pick<Services, 'config'>,
  db: Kysely<Database>,
  operator: OperatorRow,
  request: NotificationRequest,
  now: Date,
): Promise<PendingNotification> {
  const recipient = recipientOf(operator, request.channel);
  if (!recipient) throw new Error(`operator ${operator.Id} has no ${request.channel} address`);
  const id = newId(now.getTime());
  const secret = request.kind === 'password-reset-link' ? request.token : request.kind === 'password-reset-code' ? request.code : undefined;
  const data = dataOf(request);
  await insertNotification(db, {
    Id: id,
    FirmId: operator.FirmId,
    OperatorId: operator.Id,
    Kind: request.kind,
    Channel: request.channel,
    Recipient: recipient,
    RecipientName: operator.FullName,
    Language: languageOf(operator.PreferredLanguage),
    DataJson: JSON.stringify(data),
    SecretSealed: secret === undefined ? null : sealSecret(services.config, 'ustad-notification-secret-v1', secret, id),
    CreatedAt: now,
    UpdatedAt: now,
  });
  return { firmId: operator.FirmId, notificationId: id };
}

/** Puts each notification on the `notifications` queue (payload: ids only). Call after the transaction commits. */
export async function enqueueNotifications(services: Pick<Services, 'storage'>, pending: readonly PendingNotification[]): Promise<void> {
  for (const item of pending) await enqueue(services.storage.queues, 'notifications', item);
}

export function languageOf(value: string | null | undefined): Language {
  return value === 'en' ? 'en' : 'tr';
}
