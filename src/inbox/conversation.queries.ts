// Conversation reads and conditional writes the inbox use cases share; every query carries the firm.
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import type { ConversationStatus } from './conversation-view';

type Db = Kysely<Database>;

/** What access checks and state changes need of a conversation. */
export interface ConversationState {
  readonly id: string;
  readonly status: string;
  readonly assigneeId: string | null;
  readonly unreadCount: number;
}

/** The firm's conversation, or undefined (another firm's id looks exactly like an unknown one). */
export async function findConversationState(db: Db, firmId: number, conversationId: string): Promise<ConversationState | undefined> {
  const row = await db
    .selectFrom('WhatsApp_Conversations')
    .select(['Id', 'Status', 'AssignedOperatorId', 'UnreadCount'])
    .where('FirmId', '=', firmId)
    .where('Id', '=', conversationId)
    .executeTakeFirst();
  return row && { id: row.Id, status: row.Status, assigneeId: row.AssignedOperatorId, unreadCount: row.UnreadCount };
}

/**
 * Sets the assignee only if it is still `expected` (compare-and-set): of two concurrent claims exactly one changes
 * the row, on either dialect, because the condition is checked by the same statement that writes.
 * @returns whether this call changed the row
 */
export async function compareAndSetAssignee(
  db: Db,
  input: { firmId: number; conversationId: string; expected: string | null; next: string | null; now: Date },
): Promise<boolean> {
  let update = db
    .updateTable('WhatsApp_Conversations')
    .set({ AssignedOperatorId: input.next, AssignedAt: input.next === null ? null : input.now, UpdatedAt: input.now })
    .where('FirmId', '=', input.firmId)
    .where('Id', '=', input.conversationId);
  update = input.expected === null ? update.where('AssignedOperatorId', 'is', null) : update.where('AssignedOperatorId', '=', input.expected);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Moves the status from `from`, only while it is still `from` and the assignee is still `expectedAssignee` (an
 * agent's right to act was checked against it). `ResolvedAt` is set on resolving and cleared otherwise.
 * @returns whether this call changed the row
 */
export async function setConversationStatus(
  db: Db,
  input: { firmId: number; conversationId: string; from: string; status: ConversationStatus; expectedAssignee: string | null | 'any'; now: Date },
): Promise<boolean> {
  let update = db
    .updateTable('WhatsApp_Conversations')
    .set({ Status: input.status, ResolvedAt: input.status === 'Resolved' ? input.now : null, UpdatedAt: input.now })
    .where('FirmId', '=', input.firmId)
    .where('Id', '=', input.conversationId)
    .where('Status', '=', input.from);
  if (input.expectedAssignee !== 'any') {
    update = input.expectedAssignee === null ? update.where('AssignedOperatorId', 'is', null) : update.where('AssignedOperatorId', '=', input.expectedAssignee);
  }
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Sets the unread count to 0 under the same assignee condition; false when it already was 0 (or the assignee moved). */
export async function clearUnread(db: Db, input: { firmId: number; conversationId: string; expectedAssignee: string | null | 'any'; now: Date }): Promise<boolean> {
  let update = db
    .updateTable('WhatsApp_Conversations')
    .set({ UnreadCount: 0, UpdatedAt: input.now })
    .where('FirmId', '=', input.firmId)
    .where('Id', '=', input.conversationId)
    .where('UnreadCount', '>', 0);
  if (input.expectedAssignee !== 'any') {
    update = input.expectedAssignee === null ? update.where('AssignedOperatorId', 'is', null) : update.where('AssignedOperatorId', '=', input.expectedAssignee);
  }
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The firm's operator if active, else undefined (unknown, another firm's, or deactivated look the same). */
export async function findActiveOperator(db: Db, firmId: number, operatorId: string): Promise<{ id: string; fullName: string } | undefined> {
  const row = await db
    .selectFrom('WhatsApp_Operators')
    .select(['Id', 'FullName'])
    .where('FirmId', '=', firmId)
    .where('Id', '=', operatorId)
    .where('IsActive', '=', true)
    .executeTakeFirst();
  return row && { id: row.Id, fullName: row.FullName };
}
