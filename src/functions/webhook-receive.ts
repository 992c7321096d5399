// POST /api/webhook: Meta's deliveries. Raw bytes are verified before anything is parsed (src/webhook/receive-webhook.ts).
import { defineRoute } from '../http/define-route';
import { withAssignment } from '../assignment/with-assignment';
import { processPacer } from '../outbound/send-pacer';
import { receiveWebhook } from '../webhook/receive-webhook';

/** Meta's payloads are "up to 3 MB" (WHATSAPP.md §11); anything larger is refused with 413 before it is read. */
export const WEBHOOK_MAX_BODY_BYTES = 3 * 1024 * 1024;

defineRoute({
  name: 'webhook-receive',
  method: 'POST',
  route: 'webhook',
  access: 'anonymous',
  maxBodyBytes: WEBHOOK_MAX_BODY_BYTES,
  handle: async ({ services, rawBody, request, context }) => {
    // The sending pacer hears of fresh deliveries only: a replay carries messages Meta counted when they arrived, maybe long ago.
    const webhook = { ...withAssignment(services, context), onMessagesReceived: (phoneNumberId: string, count: number) => processPacer.noteInbound(phoneNumberId, count) };
    const response = await receiveWebhook(webhook, { rawBody, signatureHeader: request.headers.get('x-hub-signature-256') }, context);
    return { status: response.status, raw: response.text, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } };
  },
});
