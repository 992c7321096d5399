// The local sink for e-mail and SMS when no provider is configured: one JSON file per message under `<LOCAL_DATA_DIR>/outbox/`.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmailMessage, EmailSender, SendReceipt, SmsMessage, SmsSender } from './channels';

/** Writes each message where a developer (or a test) can read it, the way a mail catcher would. */
export class OutboxSink implements EmailSender, SmsSender {
  readonly name = 'local-outbox';

  constructor(private readonly directory: string) {}

  sendEmail(message: EmailMessage, ref: string): Promise<SendReceipt> {
    return this.write('email', ref, { channel: 'email', ...message });
  }

  sendSms(message: SmsMessage, ref: string): Promise<SendReceipt> {
    return this.write('sms', ref, { channel: 'sms', ...message });
  }

  private async write(channel: string, ref: string, content: Record<string, unknown>): Promise<SendReceipt> {
    await mkdir(this.directory, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    // A redelivered notification gets a second file (random suffix, `wx`) rather than overwriting the first.
    const file = path.join(this.directory, `${stamp}-${channel}-${ref.replace(/[^A-Za-z0-9-]/g, '')}-${randomBytes(3).toString('hex')}.json`);
    await writeFile(file, `${JSON.stringify({ ref, writtenAt: new Date().toISOString(), ...content }, null, 2)}\n`, { flag: 'wx' });
    return { providerId: undefined, outboxPath: file };
  }
}
