// GET /api/conversations/{conversationId} as a use case: one list row of a conversation the caller may see.
import type { Actor } from '../auth/actor';
import type { ConversationView } from '../realtime/realtime-events.schemas';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { requireConversation } from './conversation-access';
import { loadConversationViews } from './conversation-view';

/** The conversation as the list shows it; NotFound / Forbidden as {@link requireConversation} decides. */
export async function getConversation(services: Pick<Services, 'db' | 'clock'>, actor: Actor, conversationId: string): Promise<ConversationView> {
  await requireConversation(services.db, actor, conversationId, 'see');
  const view = (await loadConversationViews(services.db, actor.firmId, [conversationId], services.clock.now())).get(conversationId);
  if (!view) throw new AppError('NotFound');
  return view;
}
