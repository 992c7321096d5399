// The `notifications` worker's use case: load the row by (firm, id), render it in the operator's language, send it once.
import { z } from 'zod';
import type { Services } from '../services';
import type { QueuePayload } from '../storage/queue-catalogue';
import type { SendReceipt } from './channels';
import { findNotification, markNotificationFailed, markNotificationSent, recordNotificationFailure } from './notification.queries';
import { notificationSenders } from './notification-senders';
import { renderEmail, renderSms, type NotificationContent } from './notification-templates';
import { languageOf } from './create-notification';
import { openSecret } from '../shared/secret-box';

export type DeliveryOutcome =
  | { readonly status: 'sent'; readonly kind: string; readonly channel: string; readonly provider: string; readonly receipt: SendReceipt }
  | { readonly status: 'already-done' | 'not-found' };

const DataSchema = z.object({
  expiresMinutes: z.number().optional(),
  at: z.string().optional(),
  how: z.enum(['reset', 'change']).optional(),
  phoneNumberId: z.string().optional(),
  displayPhoneNumber: z.string().nullable().optional(),
  graphErrorCode: z.number().nullable().optional(),
});

/**
 * Sends one notification. Redelivery is safe: a row already sent (or given up) is skipped. A provider failure
 * is recorded on the row and rethrown, so the queue retries it and finally parks it in `notifications-poison`.
 * A reset e-mail links to `App__PasswordResetUrl` when it is set (see notification-templates.ts).
 */
export async function deliverNotification(services: Pick<Services, 'config' | 'db' | 'clock'>, payload: QueuePayload<'notifications'>): Promise<DeliveryOutcome> {
  const row = await findNotification(services.db, payload.firmId, payload.notificationId);
  if (!row) return { status: 'not-found' };
  if (row.Status !== 'pending') return { status: 'already-done' };
  const language = languageOf(row.Language);
  const data = DataSchema.parse(JSON.parse(row.DataJson ?? '{}'));
  const secret = row.SecretSealed ? openSecret(services.config, 'ustad-notification-secret-v1', row.SecretSealed, row.Id) : undefined;
  const content = contentOf(row.Kind, data, secret, services.config.app.passwordResetUrl);
  const senders = notificationSenders(services.config);
  const sender = row.Channel === 'sms' ? senders.sms : senders.email;
  try {
    const receipt =
      row.Channel === 'sms'
        ? await senders.sms.sendSms({ to: row.Recipient, text: renderSms(content, language) }, row.Id)
        : await senders.email.sendEmail({ to: row.Recipient, toName: row.RecipientName, ...renderEmail(content, language, row.RecipientName) }, row.Id);
    await markNotificationSent(services.db, row.Id, sender.name, receipt.providerId, services.clock.now());
    return { status: 'sent', kind: row.Kind, channel: row.Channel, provider: sender.name, receipt };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await recordNotificationFailure(services.db, row.Id, `${sender.name}: ${reason}`, services.clock.now());
    throw error;
  }
}

/** Called for a message parked in `notifications-poison`: the row is marked failed and its secret dropped. */
export async function abandonNotification(services: Pick<Services, 'db' | 'clock'>, payload: QueuePayload<'notifications'>): Promise<boolean> {
  return markNotificationFailed(services.db, payload.firmId, payload.notificationId, services.clock.now());
}

function contentOf(kind: string, data: z.infer<typeof DataSchema>, secret: string | undefined, resetUrl: string | undefined): NotificationContent {
  switch (kind) {
    case 'password-reset-link':
      if (!secret) throw new Error('a reset-link notification without its token');
      return { kind, token: secret, expiresMinutes: data.expiresMinutes ?? 60, resetUrl };
    case 'password-reset-code':
      if (!secret) throw new Error('a reset-code notification without its code');
      return { kind, code: secret, expiresMinutes: data.expiresMinutes ?? 10 };
    case 'password-changed':
      return { kind, at: data.at ?? new Date().toISOString(), how: data.how ?? 'change' };
    case 'channel-health-alert':
      if (!data.phoneNumberId) throw new Error('a channel-health alert without its phone number');
      return { kind, at: data.at ?? new Date().toISOString(), phoneNumberId: data.phoneNumberId, displayPhoneNumber: data.displayPhoneNumber ?? null, graphErrorCode: data.graphErrorCode ?? null };
    default:
      throw new Error(`unknown notification kind ${kind}`);
  }
}
