// GET /api/webhook: Meta's verification handshake (hub.mode / hub.verify_token / hub.challenge).
import { defineRoute } from '../http/define-route';
import { verifyWebhookSubscription } from '../webhook/receive-webhook';

defineRoute({
  name: 'webhook-verify',
  method: 'GET',
  route: 'webhook',
  access: 'anonymous',
  handle: async ({ services, request, context }) => {
    const query = request.query;
    // PHP-style `hub_mode` names are accepted too (Meta's docs warn that some stacks rewrite the dots).
    const read = (name: string) => query.get(`hub.${name}`) ?? query.get(`hub_${name}`);
    const response = await verifyWebhookSubscription(services, { mode: read('mode'), verifyToken: read('verify_token'), challenge: read('challenge') }, context);
    return {
      status: response.status,
      raw: response.text,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    };
  },
});
