// POST /api/conversations: start (or resume) a conversation with a customer by approved template.
import { accepted, ok } from '../http/respond';
import { defineRoute } from '../http/define-route';
import { StartConversationBodySchema } from '../outbound/outbound.schemas';
import { startConversation } from '../outbound/start-conversation';

defineRoute({
  name: 'conversations-start',
  method: 'POST',
  route: 'conversations',
  access: 'operator',
  body: StartConversationBodySchema,
  handle: async ({ services, actor, body, context }) => {
    const started = await startConversation(services, actor, body, context);
    const result = { conversationId: started.conversationId, conversationCreated: started.conversationCreated, message: started.message };
    return started.created ? accepted(result) : ok(result);
  },
});
