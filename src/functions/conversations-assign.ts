// POST /api/conversations/{conversationId}/assignment {operatorId | null}: claim, release or assign; never double-claimed.
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';
import { assignConversation } from '../inbox/assign-conversation';
import { AssignConversationBodySchema, ConversationIdParamsSchema } from '../inbox/inbox.schemas';

defineRoute({
  name: 'conversations-assign',
  method: 'POST',
  route: 'conversations/{conversationId}/assignment',
  access: 'operator',
  params: ConversationIdParamsSchema,
  body: AssignConversationBodySchema,
  handle: async ({ services, actor, origin, params, body }) =>
    ok(await assignConversation(services, actor, origin, { conversationId: params.conversationId, operatorId: body.operatorId })),
});
