// E-mail through Azure Communication Services (`@azure/communication-email`), as production sends it.
import { EmailClient } from '@azure/communication-email';
import type { EmailMessage, EmailSender, SendReceipt } from './channels';

const POLL_INTERVAL_MS = 1_000;

/** Sends with `EmailClient.beginSend` and waits for ACS to accept or refuse the message. */
export class AcsEmailSender implements EmailSender {
  readonly name = 'acs-email';
  private readonly client: EmailClient;

  constructor(
    connectionString: string,
    private readonly senderAddress: string,
  ) {
    // An http endpoint only ever appears in local doubles; Azure itself is always https (AZURE.md §4).
    const allowInsecureConnection = /endpoint=http:\/\//i.test(connectionString);
    this.client = new EmailClient(connectionString, { allowInsecureConnection });
  }

  async sendEmail(message: EmailMessage, ref: string): Promise<SendReceipt> {
    const poller = await this.client.beginSend(
      {
        senderAddress: this.senderAddress,
        content: { subject: message.subject, plainText: message.text, html: message.html },
        recipients: { to: [{ address: message.to, displayName: message.toName }] },
        headers: { 'X-Ustad-Notification': ref },
        disableUserEngagementTracking: true,
      },
      { updateIntervalInMs: POLL_INTERVAL_MS },
    );
    const result = await poller.pollUntilDone();
    if (result.status !== 'Succeeded') {
      throw new Error(`ACS e-mail ${result.id} ended ${result.status}${result.error?.code ? ` (${result.error.code})` : ''}`);
    }
    return { providerId: result.id };
  }
}
