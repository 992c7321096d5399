// The `notifications` worker's use case: load the row by (firm, id), render it in the operator's language, send it once.
import type { Services } from '../services';
import type { QueuePayload } from '../storage/queue-catalogue';
import type { SendReceipt } from './channels';
import { findNotification, markNotificationFailed, markNotificationSent, recordNotificationFailure, type NotificationRow } from './notification.queries';
import { parseNotificationRow, type StoredNotification } from './notification-data';
import { notificationSenders } from './notification-senders';
import { renderEmail, renderSms, type NotificationContent } from './notification-templates';
import { languageOf } from './create-notification';
import { openSecret } from '../shared/secret-box';

export type DeliveryOutcome =
  | { readonly status: 'sent'; readonly kind: string; readonly channel: string; readonly provider: string; readonly receipt: SendReceipt }
  | { readonly status: 'already-done' | 'not-found' };

/**
 * Sends one notification. Redelivery is safe: a row already sent (or given up) is skipped. A row that does not fit
 * its kind (notification-data.ts) and a provider failure are both recorded on the row and rethrown, so the queue
 * retries it and finally parks it in `notifications-poison` (the last try calls `abandonNotification`); nothing is
 * sent with values the row does not hold. A reset e-mail links to `App__PasswordResetUrl` when it is set.
 */
export async function deliverNotification(services: Pick<Services, 'config' | 'db' | 'clock'>, payload: QueuePayload<'notifications'>): Promise<DeliveryOutcome> {
  const row = await findNotification(services.db, payload.firmId, payload.notificationId);
  if (!row) return { status: 'not-found' };
  if (row.Status !== 'pending') return { status: 'already-done' };
  const language = languageOf(row.Language);
  const { channel, content } = await recordingFailure(services, row.Id, 'invalid notification', () => readRow(services, row));
  const senders = notificationSenders(services.config);
  const sender = channel === 'sms' ? senders.sms : senders.email;
  return recordingFailure(services, row.Id, sender.name, async (): Promise<DeliveryOutcome> => {
    const receipt =
      channel === 'sms'
        ? await senders.sms.sendSms({ to: row.Recipient, text: renderSms(content, language) }, row.Id)
        : await senders.email.sendEmail({ to: row.Recipient, toName: row.RecipientName, ...renderEmail(content, language, row.RecipientName) }, row.Id);
    await markNotificationSent(services.db, row.Id, sender.name, receipt.providerId, services.clock.now());
    return { status: 'sent', kind: row.Kind, channel, provider: sender.name, receipt };
  });
}

/** Called for a message parked in `notifications-poison`: the row is marked failed and its secret dropped. */
export async function abandonNotification(services: Pick<Services, 'db' | 'clock'>, payload: QueuePayload<'notifications'>): Promise<boolean> {
  return markNotificationFailed(services.db, payload.firmId, payload.notificationId, services.clock.now());
}

/** Runs `attempt`; a failure is counted on the row as `<source>: <reason>` and rethrown for the queue to retry. */
async function recordingFailure<T>(services: Pick<Services, 'db' | 'clock'>, notificationId: string, source: string, attempt: () => T | Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await recordNotificationFailure(services.db, notificationId, `${source}: ${reason}`, services.clock.now());
    throw error;
  }
}

function readRow(services: Pick<Services, 'config'>, row: NotificationRow): { channel: StoredNotification['channel']; content: NotificationContent } {
  const stored = parseNotificationRow(row);
  const secret = row.SecretSealed ? openSecret(services.config, 'ustad-notification-secret-v1', row.SecretSealed, row.Id) : undefined;
  return { channel: stored.channel, content: contentOf(stored, secret, services.config.app.passwordResetUrl) };
}

function contentOf(stored: StoredNotification, secret: string | undefined, resetUrl: string | undefined): NotificationContent {
  switch (stored.kind) {
    case 'password-reset-link':
      if (!secret) throw new Error('a reset-link notification without its token');
      return { kind: stored.kind, token: secret, expiresMinutes: stored.data.expiresMinutes, resetUrl };
    case 'password-reset-code':
      if (!secret) throw new Error('a reset-code notification without its code');
      return { kind: stored.kind, code: secret, expiresMinutes: stored.data.expiresMinutes };
    case 'password-changed':
      return { kind: stored.kind, at: stored.data.at, how: stored.data.how };
    case 'channel-health-alert': {
      const { at, phoneNumberId, displayPhoneNumber, graphErrorCode } = stored.data;
      return { kind: stored.kind, at, phoneNumberId, displayPhoneNumber, graphErrorCode };
    }
  }
}
