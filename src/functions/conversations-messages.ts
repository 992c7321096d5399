// GET /api/conversations/{conversationId}/messages?before|after&limit: the thread, keyset-paged by (messageAt, id).
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';
import { ConversationIdParamsSchema, HistoryQuerySchema } from '../inbox/inbox.schemas';
import { listMessages } from '../inbox/list-messages';

defineRoute({
  name: 'conversations-messages',
  method: 'GET',
  route: 'conversations/{conversationId}/messages',
  access: 'operator',
  params: ConversationIdParamsSchema,
  query: HistoryQuerySchema,
  handle: async ({ services, actor, params, query }) => ok(await listMessages(services, actor, params.conversationId, query)),
});
