// GET /api/messages/search as a use case: message text across the firm, newest first, only in conversations the caller sees.
import type { Actor } from '../auth/actor';
import type { ConversationView } from '../realtime/realtime-events.schemas';
import type { Services } from '../services';
import { loadConversationViews } from './conversation-view';
import type { SearchMessagesQuery } from './inbox.schemas';
import { loadInboxSettings } from './inbox-settings.queries';
import { MESSAGE_VIEW_COLUMNS, withQuotes, type ThreadMessage } from './list-messages';
import { searchMessageHits, searchTerms, textStrategyFor } from './text-search';
import { visibleConversationCondition } from './visibility';
import { firmColumnValue } from '../db/firm-column-value';

/** Matching messages looked at per request at most (keeps a request within its time budget). */
const SEARCH_WINDOW = 2_000;

export interface MessageSearchResult {
  /** Each message with the conversation it belongs to (as the list shows it). */
  readonly items: { readonly message: ThreadMessage; readonly conversation: ConversationView }[];
  /**
   * Pass as `cursor` to continue; null when there is nothing more. A page can be short (even empty) and still have a
   * cursor: one request looks at a bounded number of candidates.
   */
  readonly nextCursor: string | null;
}

/** Searches with the caller's visibility applied inside the query, so nothing hidden is ever read out. */
export async function searchMessages(services: Pick<Services, 'db' | 'dialect' | 'clock'>, actor: Actor, query: SearchMessagesQuery): Promise<MessageSearchResult> {
  const settings = await loadInboxSettings(services.db, actor.firmId);
  const hits = await searchMessageHits(services.db, textStrategyFor(services.dialect), services.dialect, {
    firmId: actor.firmId,
    terms: searchTerms(query.q),
    visible: visibleConversationCondition(settings.visibility, actor),
    from: query.from,
    to: query.to,
    cursor: query.cursor,
    limit: query.limit,
    window: SEARCH_WINDOW,
  });
  if (hits.messageIds.length === 0) return { items: [], nextCursor: hits.nextCursor };
  const rows = await services.db.selectFrom('WhatsApp_Messages').select(MESSAGE_VIEW_COLUMNS).where(firmColumnValue('FirmId'), '=', actor.firmId).where('Id', 'in', hits.messageIds).execute();
  const messages = new Map((await withQuotes(services.db, actor.firmId, rows)).map((m) => [m.id, m]));
  const conversations = await loadConversationViews(services.db, actor.firmId, [...new Set(rows.map((r) => r.ConversationId))], services.clock.now());
  const items = hits.messageIds.flatMap((id) => {
    const message = messages.get(id);
    const conversation = message && conversations.get(message.conversationId);
    return message && conversation ? [{ message, conversation }] : [];
  });
  return { items, nextCursor: hits.nextCursor };
}
