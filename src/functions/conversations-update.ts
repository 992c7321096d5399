// PATCH /api/conversations/{conversationId} {status}: Open, Pending or Resolved.
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';
import { ConversationIdParamsSchema, UpdateConversationBodySchema } from '../inbox/inbox.schemas';
import { updateConversationStatus } from '../inbox/update-conversation-status';

defineRoute({
  name: 'conversations-update',
  method: 'PATCH',
  route: 'conversations/{conversationId}',
  access: 'operator',
  params: ConversationIdParamsSchema,
  body: UpdateConversationBodySchema,
  handle: async ({ services, actor, origin, params, body }) =>
    ok(await updateConversationStatus(services, actor, origin, { conversationId: params.conversationId, status: body.status })),
});
