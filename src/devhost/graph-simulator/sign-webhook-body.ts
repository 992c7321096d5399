// Serialises and signs webhook bodies exactly as Meta does (escaped-unicode JSON, X-Hub-Signature-256).
import { createHmac } from 'node:crypto';

/**
 * JSON with every non-ASCII UTF-16 unit written as a lowercase `\uXXXX` escape: Meta signs that escaped form
 * (WHATSAPP.md §2), so an app that re-serialises before hashing fails here just as it would against Meta.
 */
export function serializeWebhookBody(payload: unknown): string {
  return JSON.stringify(payload).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `sha256=<hex HMAC-SHA256(appSecret, raw body)>`, the value of `X-Hub-Signature-256`. */
export function signWebhookBody(appSecret: string, rawBody: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
