// GET /api/conversations/{conversationId}: one conversation as the list shows it.
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';
import { getConversation } from '../inbox/get-conversation';
import { ConversationIdParamsSchema } from '../inbox/inbox.schemas';

defineRoute({
  name: 'conversations-get',
  method: 'GET',
  route: 'conversations/{conversationId}',
  access: 'operator',
  params: ConversationIdParamsSchema,
  handle: async ({ services, actor, params }) => ok(await getConversation(services, actor, params.conversationId)),
});
