// POST /api/conversations/{conversationId}/read: unread count to 0; the customer's last message is then marked read at Meta.
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';
import { ConversationIdParamsSchema } from '../inbox/inbox.schemas';
import { markConversationRead } from '../inbox/mark-conversation-read';
import { queueReadReceipt } from '../outbound/queue-read-receipt';

defineRoute({
  name: 'conversations-read',
  method: 'POST',
  route: 'conversations/{conversationId}/read',
  access: 'operator',
  params: ConversationIdParamsSchema,
  handle: async ({ services, actor, params }) =>
    ok(await markConversationRead(services, actor, params.conversationId, { afterRead: (read) => queueReadReceipt(services, read) })),
});
