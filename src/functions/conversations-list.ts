// GET /api/conversations?status&assigned&q&cursor&limit: the caller's visible conversations, newest activity first (src/inbox/).
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';
import { ListConversationsQuerySchema } from '../inbox/inbox.schemas';
import { listConversations } from '../inbox/list-conversations';

defineRoute({
  name: 'conversations-list',
  method: 'GET',
  route: 'conversations',
  access: 'operator',
  query: ListConversationsQuerySchema,
  handle: async ({ services, actor, query }) => ok(await listConversations(services, actor, query)),
});
