// POST /api/conversations/{conversationId}/messages: an operator's reply (text, media, template, reaction), answered 202 once queued.
import { accepted, ok } from '../http/respond';
import { defineRoute } from '../http/define-route';
import { ConversationIdParamsSchema, SendMessageBodySchema } from '../outbound/outbound.schemas';
import { queueReply } from '../outbound/queue-reply';

defineRoute({
  name: 'messages-send',
  method: 'POST',
  route: 'conversations/{conversationId}/messages',
  access: 'operator',
  params: ConversationIdParamsSchema,
  body: SendMessageBodySchema,
  handle: async ({ services, actor, params, body, context }) => {
    const queued = await queueReply(services, actor, params.conversationId, body, context);
    // A repeated clientMessageId answers the first message as it is now (200), a new one 202.
    return queued.created ? accepted({ message: queued.message }) : ok({ message: queued.message });
  },
});
