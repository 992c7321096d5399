// GET /api/conversations/{conversationId}/messages as a use case: the thread, keyset-paged by (MessageAt, Id), replies resolved.
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor';
import type { Database, MessageRow } from '../db/tables';
import type { MessageView } from '../realtime/realtime-events.schemas';
import { toMessageView } from '../realtime/realtime-views.queries';
import type { Services } from '../services';
import { requireConversation } from './conversation-access';
import { firstRows } from './first-rows';
import { decodeTimeCursor, encodeTimeCursor, type TimeKey } from './inbox-cursor';
import type { HistoryQuery } from './inbox.schemas';
import { firmColumnValue } from '../db/firm-column-value';

/** Columns a message view is built from. */
export const MESSAGE_VIEW_COLUMNS = [
  'Id', 'ConversationId', 'Direction', 'Type', 'Status', 'MessageAt', 'Text', 'ContentJson', 'MediaId', 'MediaState', 'MediaMimeType', 'MediaSize',
  'MediaFileName', 'TemplateName', 'TemplateLanguage', 'TemplateParametersJson', 'ReplyToWhatsAppMessageId', 'ReplyToMessageId', 'TargetWhatsAppMessageId',
  'CustomerReaction', 'BusinessReaction', 'IsForwarded', 'IsFrequentlyForwarded', 'EditedAt', 'RevokedAt', 'ErrorCode', 'ErrorTitle', 'ErrorDetails',
  'SenderOperatorId', 'WhatsAppMessageId', 'ClientMessageId', 'SentAt', 'DeliveredAt', 'ReadAt', 'PlayedAt', 'FailedAt',
] as const satisfies readonly (keyof MessageRow)[];

/** The message a reply quotes, as the thread shows it above the reply. */
export interface QuotedMessage {
  readonly id: string;
  readonly direction: MessageView['direction'];
  readonly type: string;
  /** The first 200 characters of its text or caption. */
  readonly text: string | null;
  readonly hasMedia: boolean;
  readonly messageAt: string;
}

/** A thread message: the real-time view plus the quoted message, when it is stored. */
export type ThreadMessage = MessageView & { readonly quoted: QuotedMessage | null };

export interface MessagePage {
  /** Oldest first, as a thread is read. */
  readonly items: ThreadMessage[];
  /** Pass as `before` for older messages; null when the page is empty. */
  readonly olderCursor: string | null;
  /** Pass as `after` for newer ones (also later, to catch up); null when the page is empty. */
  readonly newerCursor: string | null;
  readonly hasOlder: boolean;
  readonly hasNewer: boolean;
}

const CURSOR_KIND = 'messages';

type Db = Kysely<Database>;

/**
 * A page of the thread. Without a cursor: the newest `limit` messages. `before`: the newest `limit` older than it;
 * `after`: the oldest `limit` newer than it. Reactions, revokes and edits are not messages of their own here: they
 * show on the message they change (`reactions`, `revokedAt`, `editedAt`). Media are links to `/api/media/{id}`.
 */
export async function listMessages(services: Pick<Services, 'db' | 'dialect'>, actor: Actor, conversationId: string, query: HistoryQuery): Promise<MessagePage> {
  const before = query.before === undefined ? undefined : decodeTimeCursor(CURSOR_KIND, query.before, 'query.before');
  const after = query.after === undefined ? undefined : decodeTimeCursor(CURSOR_KIND, query.after, 'query.after');
  await requireConversation(services.db, actor, conversationId, 'see');
  const forward = after !== undefined;
  const rows = await firstRows(thread(services.db, actor.firmId, conversationId, forward ? { after } : { before }).select(MESSAGE_VIEW_COLUMNS), services.dialect, query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  if (!forward) page.reverse();
  const first = page[0];
  const last = page.at(-1);
  const beyond = async (key: TimeKey | undefined, direction: 'older' | 'newer') =>
    key !== undefined && (await firstRows(thread(services.db, actor.firmId, conversationId, direction === 'older' ? { before: key } : { after: key }).select('Id'), services.dialect, 1).executeTakeFirst()) !== undefined;
  const keyOf = (row: { MessageAt: Date; Id: string } | undefined) => (row ? { at: row.MessageAt, id: row.Id } : undefined);
  const [hasOlder, hasNewer] = await Promise.all([
    forward ? beyond(keyOf(first) ?? after, 'older') : Promise.resolve(more),
    forward ? Promise.resolve(more) : beyond(keyOf(last) ?? before, 'newer'),
  ]);
  return {
    items: await withQuotes(services.db, actor.firmId, page),
    olderCursor: first ? encodeTimeCursor(CURSOR_KIND, { at: first.MessageAt, id: first.Id }) : null,
    newerCursor: last ? encodeTimeCursor(CURSOR_KIND, { at: last.MessageAt, id: last.Id }) : null,
    hasOlder,
    hasNewer,
  };
}

/** The conversation's thread messages on one side of a key, in the order that side is read from the index. */
function thread(db: Db, firmId: number, conversationId: string, side: { before?: TimeKey | undefined; after?: TimeKey | undefined }) {
  let select = db
    .selectFrom('WhatsApp_Messages')
    .where('ConversationId', '=', conversationId)
    // Read through the conversation's own index, not the firm's (see firmColumnValue).
    .where(firmColumnValue('FirmId'), '=', firmId)
    .where('TargetWhatsAppMessageId', 'is', null);
  const { before, after } = side;
  if (after) {
    select = select.where('MessageAt', '>=', after.at).where((eb) => eb.or([eb('MessageAt', '>', after.at), eb('Id', '>', after.id)]));
    return select.orderBy('MessageAt', 'asc').orderBy('Id', 'asc');
  }
  if (before) select = select.where('MessageAt', '<=', before.at).where((eb) => eb.or([eb('MessageAt', '<', before.at), eb('Id', '<', before.id)]));
  return select.orderBy('MessageAt', 'desc').orderBy('Id', 'desc');
}

type ViewRow = Pick<MessageRow, (typeof MESSAGE_VIEW_COLUMNS)[number]>;

/** Views of stored messages with their quoted messages resolved (by our id, or by WhatsApp id when it arrived later). */
export async function withQuotes(db: Db, firmId: number, rows: readonly ViewRow[]): Promise<ThreadMessage[]> {
  const unresolved = [...new Set(rows.filter((r) => r.ReplyToWhatsAppMessageId !== null && r.ReplyToMessageId === null).map((r) => r.ReplyToWhatsAppMessageId ?? ''))];
  const byWhatsAppId = new Map<string, string>();
  if (unresolved.length > 0) {
    const found = await db.selectFrom('WhatsApp_Messages').select(['Id', 'WhatsAppMessageId']).where('FirmId', '=', firmId).where('WhatsAppMessageId', 'in', unresolved).execute();
    for (const row of found) if (row.WhatsAppMessageId) byWhatsAppId.set(row.WhatsAppMessageId, row.Id);
  }
  const quotedIdOf = (row: ViewRow) => row.ReplyToMessageId ?? (row.ReplyToWhatsAppMessageId === null ? undefined : byWhatsAppId.get(row.ReplyToWhatsAppMessageId));
  const quotedIds = [...new Set(rows.flatMap((row) => quotedIdOf(row) ?? []))];
  const quoted = new Map<string, QuotedMessage>();
  if (quotedIds.length > 0) {
    const found = await db
      .selectFrom('WhatsApp_Messages')
      .select(['Id', 'Direction', 'Type', 'Text', 'MediaId', 'MessageAt'])
      .where(firmColumnValue('FirmId'), '=', firmId)
      .where('Id', 'in', quotedIds)
      .execute();
    for (const row of found) {
      quoted.set(row.Id, {
        id: row.Id,
        direction: row.Direction === 'outbound' ? 'outbound' : 'inbound',
        type: row.Type,
        text: row.Text === null ? null : row.Text.slice(0, 200),
        hasMedia: row.MediaId !== null,
        messageAt: row.MessageAt.toISOString(),
      });
    }
  }
  return rows.map((row) => {
    const view = toMessageView(row);
    const quotedId = quotedIdOf(row);
    return {
      ...view,
      replyTo: view.replyTo === null ? null : { ...view.replyTo, messageId: quotedId ?? null },
      quoted: quotedId === undefined ? null : (quoted.get(quotedId) ?? null),
    };
  });
}
