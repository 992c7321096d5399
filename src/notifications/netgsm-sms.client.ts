// SMS through NetGSM's HTTP API (REST v2 `POST /sms/rest/v2/send`, Basic auth), the provider Ustad uses in Turkey.
import { z } from 'zod';
import type { SendReceipt, SmsMessage, SmsSender } from './channels';

export interface NetGsmSettings {
  readonly username: string;
  readonly password: string;
  /** The approved sender name (`msgheader`). */
  readonly header: string;
  readonly baseUrl: string;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** NetGSM answers 200 (or 406 for refusals) with `{ code, description, jobid }`; `code` "00" means accepted. */
const NetGsmResponseSchema = z.object({
  code: z.union([z.string(), z.number()]).transform(String),
  description: z.string().optional(),
  jobid: z.union([z.string(), z.number()]).transform(String).optional(),
});

/** Codes from NetGSM's REST v2 documentation (as shipped in its own `@netgsm/sms` client). */
const refusalReasons: Record<string, string> = {
  '20': 'message text problem or too long',
  '30': 'invalid credentials or no API access (or IP not allowed)',
  '40': 'sender name (msgheader) not defined',
  '50': 'IYS-controlled sending not allowed for this account',
  '51': 'no IYS brand for this account',
  '70': 'invalid or missing parameter',
  '80': 'sending rate limit exceeded',
  '85': 'duplicate rate limit exceeded',
  '100': 'NetGSM system error',
  '101': 'NetGSM system error',
};

/** One SMS per call; a refusal or a transport failure throws so the queue retries and, at the end, parks it. */
export class NetGsmSmsClient implements SmsSender {
  readonly name = 'netgsm-sms';

  constructor(private readonly settings: NetGsmSettings) {}

  async sendSms(message: SmsMessage, _ref: string): Promise<SendReceipt> {
    const authorization = `Basic ${Buffer.from(`${this.settings.username}:${this.settings.password}`, 'utf8').toString('base64')}`;
    const response = await fetch(`${this.settings.baseUrl}/sms/rest/v2/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body: JSON.stringify({ msgheader: this.settings.header, encoding: 'TR', messages: [{ msg: message.text, no: message.to }] }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: z.infer<typeof NetGsmResponseSchema> | undefined;
    try {
      const result = NetGsmResponseSchema.safeParse(JSON.parse(text));
      parsed = result.success ? result.data : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed) throw new Error(`NetGSM answered HTTP ${response.status} without a readable body`);
    if (parsed.code !== '00') {
      throw new Error(`NetGSM refused the SMS: code ${parsed.code} (${refusalReasons[parsed.code] ?? 'unknown code'}), HTTP ${response.status}`);
    }
    return { providerId: parsed.jobid };
  }
}
