// The two ways a notification leaves the app, as ports: e-mail and SMS. Adapters: ACS, NetGSM, the local outbox.

/** One e-mail to one recipient. */
export interface EmailMessage {
  readonly to: string;
  readonly toName?: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** One SMS to one number (digits with country code, e.g. 905551234567). */
export interface SmsMessage {
  readonly to: string;
  readonly text: string;
}

/** What the provider said: its id for the send, and where a local copy was written when there is one. */
export interface SendReceipt {
  readonly providerId: string | undefined;
  readonly outboxPath?: string;
}

export interface EmailSender {
  readonly name: string;
  sendEmail(message: EmailMessage, ref: string): Promise<SendReceipt>;
}

export interface SmsSender {
  readonly name: string;
  sendSms(message: SmsMessage, ref: string): Promise<SendReceipt>;
}
