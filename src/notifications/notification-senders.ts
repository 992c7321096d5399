// Chooses each channel's adapter from settings: a provider configured means the real service, else the local outbox.
import path from 'node:path';
import type { Config } from '../config';
import { AcsEmailSender } from './acs-email.client';
import type { EmailSender, SmsSender } from './channels';
import { NetGsmSmsClient } from './netgsm-sms.client';
import { OutboxSink } from './outbox-sink';

export interface NotificationSenders {
  readonly email: EmailSender;
  readonly sms: SmsSender;
}

/** The outbox folder the local sink writes to. */
export function outboxDirectory(config: Pick<Config, 'localDataDir'>): string {
  return path.join(config.localDataDir, 'outbox');
}

const cache = new WeakMap<Config, NotificationSenders>();

/** One set of senders per configuration (the ACS client keeps its HTTP pipeline between sends). */
export function notificationSenders(config: Config): NotificationSenders {
  let senders = cache.get(config);
  if (!senders) {
    const outbox = new OutboxSink(outboxDirectory(config));
    const { connectionString, senderAddress } = config.email;
    senders = {
      email: connectionString && senderAddress ? new AcsEmailSender(connectionString, senderAddress) : outbox,
      sms: config.sms.netGsm ? new NetGsmSmsClient(config.sms.netGsm) : outbox,
    };
    cache.set(config, senders);
  }
  return senders;
}
