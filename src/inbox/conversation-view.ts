// A conversation as the inbox list shows it: the one query that reads list rows and the mapping to the client's shape.
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import type { ConversationView } from '../realtime/realtime-events.schemas';
import { isReplyWindowOpen, replyWindowUntil } from './reply-window';
import { firmColumnValue } from '../db/firm-column-value';

/**
 * Conversations with their customer and assignee, aliased `c`, `cu` and `o`, selecting every column a list row needs.
 * Callers add the firm condition, filters, order and limit.
 */
export function selectConversationRows(db: Kysely<Database>) {
  return db
    .selectFrom('WhatsApp_Conversations as c')
    .innerJoin('WhatsApp_Customers as cu', 'cu.Id', 'c.CustomerId')
    .leftJoin('WhatsApp_Operators as o', (join) => join.onRef('o.Id', '=', 'c.AssignedOperatorId').onRef('o.FirmId', '=', 'c.FirmId'))
    .select([
      'c.Id',
      'c.PhoneNumberId',
      'c.Status',
      'c.AssignedOperatorId',
      'c.AssignedAt',
      'c.LastInboundAt',
      'c.LastMessageAt',
      'c.LastMessagePreview',
      'c.UnreadCount',
      'c.ResolvedAt',
      'c.CreatedAt',
      'cu.Id as CustomerId',
      'cu.ProfileName',
      'cu.WaId',
      'cu.Username',
      'o.FullName as AssigneeName',
    ]);
}

/** One row of {@link selectConversationRows}. */
export type ConversationRow = Awaited<ReturnType<ReturnType<typeof selectConversationRows>['executeTakeFirstOrThrow']>>;

/** `Open` | `Pending` | `Resolved`. */
export type ConversationStatus = ConversationView['status'];

export const CONVERSATION_STATUSES: readonly ConversationStatus[] = ['Open', 'Pending', 'Resolved'];

/** Reads a stored status; anything unknown shows as Open (it needs an operator's eye). */
export function conversationStatusOf(value: string): ConversationStatus {
  return value === 'Pending' || value === 'Resolved' ? value : 'Open';
}

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** The list row at `now` (the reply window depends on it). */
export function toConversationView(row: ConversationRow, now: Date): ConversationView {
  return {
    id: row.Id,
    phoneNumberId: row.PhoneNumberId,
    status: conversationStatusOf(row.Status),
    customer: { id: row.CustomerId, name: row.ProfileName, phone: row.WaId, username: row.Username },
    assignee: row.AssignedOperatorId === null ? null : { id: row.AssignedOperatorId, fullName: row.AssigneeName ?? '' },
    assignedAt: iso(row.AssignedAt),
    lastMessageAt: row.LastMessageAt.toISOString(),
    lastMessagePreview: row.LastMessagePreview,
    unreadCount: row.UnreadCount,
    window: { open: isReplyWindowOpen(row.LastInboundAt, now), until: iso(replyWindowUntil(row.LastInboundAt)) },
    resolvedAt: iso(row.ResolvedAt),
    createdAt: row.CreatedAt.toISOString(),
  };
}

/** The firm's conversations with these ids as list rows, in no particular order (others' ids are simply absent). */
export async function loadConversationViews(db: Kysely<Database>, firmId: number, ids: readonly string[], now: Date): Promise<Map<string, ConversationView>> {
  const found = new Map<string, ConversationView>();
  const unique = [...new Set(ids)];
  // SQL Server allows 2,100 parameters per statement.
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await selectConversationRows(db).where(firmColumnValue('c.FirmId'), '=', firmId).where('c.Id', 'in', unique.slice(i, i + 500)).execute();
    for (const row of rows) found.set(row.Id, toConversationView(row, now));
  }
  return found;
}
