// Reads, after commit, the rows real-time events show that the inbox does not read for itself: messages (as history
// items) and operator names. Conversation list rows come from src/inbox/conversation-view.ts.
import type { Kysely } from 'kysely';
import type { Database, MessageRow } from '../db/tables';
import type { MessageView } from './realtime-events.schemas';
import { firmColumnValue } from '../db/firm-column-value';
import { parseJson } from '../shared/parse-json';

type Db = Kysely<Database>;

/** SQL Server allows 2,100 parameters per statement; batches stay far below. */
const CHUNK = 500;

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** A stored JSON column as a value; null when empty or not JSON. */
const jsonColumn = (text: string | null): unknown => (text === null ? null : (parseJson(text) ?? null));

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}


const messageColumns = [
  'Id', 'ConversationId', 'Direction', 'Type', 'Status', 'MessageAt', 'Text', 'ContentJson', 'MediaId', 'MediaState', 'MediaMimeType', 'MediaSize',
  'MediaFileName', 'TemplateName', 'TemplateLanguage', 'TemplateParametersJson', 'ReplyToWhatsAppMessageId', 'ReplyToMessageId', 'TargetWhatsAppMessageId',
  'CustomerReaction', 'BusinessReaction', 'IsForwarded', 'IsFrequentlyForwarded', 'EditedAt', 'RevokedAt', 'ErrorCode', 'ErrorTitle', 'ErrorDetails',
  'SenderOperatorId', 'WhatsAppMessageId', 'ClientMessageId', 'SentAt', 'DeliveredAt', 'ReadAt', 'PlayedAt', 'FailedAt',
] as const satisfies readonly (keyof MessageRow)[];

/** A stored message as clients see it. */
export function toMessageView(row: Pick<MessageRow, (typeof messageColumns)[number]>): MessageView {
  const hasError = row.ErrorCode !== null || row.ErrorTitle !== null;
  return {
    id: row.Id,
    conversationId: row.ConversationId,
    direction: row.Direction === 'outbound' ? 'outbound' : 'inbound',
    type: row.Type,
    status: row.Status,
    text: row.Text,
    content: jsonColumn(row.ContentJson),
    media:
      row.MediaId === null && row.MediaState === null
        ? null
        : {
            state: row.MediaState === 'pending' || row.MediaState === 'ready' || row.MediaState === 'failed' ? row.MediaState : null,
            mimeType: row.MediaMimeType,
            size: row.MediaSize,
            fileName: row.MediaFileName,
            url: `/api/media/${row.Id}`,
          },
    template: row.TemplateName === null ? null : { name: row.TemplateName, language: row.TemplateLanguage, parameters: jsonColumn(row.TemplateParametersJson) },
    replyTo: row.ReplyToWhatsAppMessageId === null ? null : { messageId: row.ReplyToMessageId, whatsAppMessageId: row.ReplyToWhatsAppMessageId },
    reactions: { customer: row.CustomerReaction, business: row.BusinessReaction },
    forwarded: row.IsForwarded,
    frequentlyForwarded: row.IsFrequentlyForwarded,
    editedAt: iso(row.EditedAt),
    revokedAt: iso(row.RevokedAt),
    error: hasError ? { code: row.ErrorCode, title: row.ErrorTitle, details: row.ErrorDetails } : null,
    senderOperatorId: row.SenderOperatorId,
    clientMessageId: row.ClientMessageId,
    whatsAppMessageId: row.WhatsAppMessageId,
    messageAt: row.MessageAt.toISOString(),
    sentAt: iso(row.SentAt),
    deliveredAt: iso(row.DeliveredAt),
    readAt: iso(row.ReadAt),
    playedAt: iso(row.PlayedAt),
    failedAt: iso(row.FailedAt),
  };
}

/** A loaded message: its view, and whether it is an annotation (reaction, revoke, edit) shown on its target instead. */
export interface LoadedMessage {
  readonly view: MessageView;
  readonly isAnnotation: boolean;
}

/** The firm's messages with these ids (others' ids are simply absent). */
export async function loadMessages(db: Db, firmId: number, ids: readonly string[]): Promise<Map<string, LoadedMessage>> {
  const found = new Map<string, LoadedMessage>();
  for (const part of chunks([...new Set(ids)])) {
    const rows = await db.selectFrom('WhatsApp_Messages').select(messageColumns).where(firmColumnValue('FirmId'), '=', firmId).where('Id', 'in', part).execute();
    for (const row of rows) found.set(row.Id, { view: toMessageView(row), isAnnotation: row.TargetWhatsAppMessageId !== null });
  }
  return found;
}

/** Full names of the firm's operators with these ids. */
export async function loadOperatorNames(db: Db, firmId: number, ids: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const part of chunks([...new Set(ids)])) {
    const rows = await db.selectFrom('WhatsApp_Operators').select(['Id', 'FullName']).where('FirmId', '=', firmId).where('Id', 'in', part).execute();
    for (const row of rows) found.set(row.Id, row.FullName);
  }
  return found;
}
