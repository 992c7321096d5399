// POST /api/messages/{messageId}/retry: an operator sends a failed or unknown-outcome message again (the only re-send of an unknown one).
import { accepted } from '../http/respond';
import { defineRoute } from '../http/define-route';
import { MessageIdParamsSchema } from '../outbound/outbound.schemas';
import { retryMessage } from '../outbound/retry-message';

defineRoute({
  name: 'messages-retry',
  method: 'POST',
  route: 'messages/{messageId}/retry',
  access: 'operator',
  params: MessageIdParamsSchema,
  handle: async ({ services, actor, params, context }) => accepted({ message: await retryMessage(services, actor, params.messageId, context) }),
});
