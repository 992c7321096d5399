// GET /api/messages/search?q&from&to&cursor&limit: message text across the firm, newest first, within the caller's visibility.
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';
import { SearchMessagesQuerySchema } from '../inbox/inbox.schemas';
import { searchMessages } from '../inbox/search-messages';

defineRoute({
  name: 'messages-search',
  method: 'GET',
  route: 'messages/search',
  access: 'operator',
  query: SearchMessagesQuerySchema,
  handle: async ({ services, actor, query }) => ok(await searchMessages(services, actor, query)),
});
