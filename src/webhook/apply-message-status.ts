// Applies delivery statuses to outbound messages monotonically, parking statuses for messages not stored yet.
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import { newId } from '../shared/ids';
import type { RealtimeEvent } from '../realtime/realtime-publisher';
import { isDeliveryStatus, statusRank, type DeliveryStatus, type NormalizedStatus } from './normalize-status';
import { isUniqueViolation } from '../db/unique-violation';

const timeColumn: Record<DeliveryStatus, 'SentAt' | 'DeliveredAt' | 'ReadAt' | 'PlayedAt' | 'FailedAt'> = {
  sent: 'SentAt',
  delivered: 'DeliveredAt',
  read: 'ReadAt',
  played: 'PlayedAt',
  failed: 'FailedAt',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type StatusOutcome = 'applied' | 'unchanged' | 'parked' | 'ignored';

interface TargetMessage {
  readonly Id: string;
  readonly ConversationId: string;
}

/**
 * Applies one status (WHATSAPP.md §5): the message's status moves only up the rank (`sent < failed < delivered <
 * read < played`), each status's own time is recorded once even when it arrives late, `failed` keeps Meta's code,
 * title and details, and `biz_opaque_callback_data` is kept. A status for a message not stored yet is parked in
 * WhatsApp_PendingStatuses (once per message and status) and applied by {@link applyPendingStatuses}.
 */
export async function applyMessageStatus(
  db: Kysely<Database>,
  firmId: number,
  status: NormalizedStatus,
  now: Date,
  events: RealtimeEvent[],
): Promise<StatusOutcome> {
  if (!isDeliveryStatus(status.status)) return 'ignored';
  const message = await findTarget(db, firmId, status);
  if (!message) {
    await parkStatus(db, firmId, status, now);
    return 'parked';
  }
  const changed = await updateMessageStatus(db, message.Id, status.status, detailsOf(status), now);
  if (changed) events.push({ type: 'message.updated', firmId, conversationId: message.ConversationId, messageId: message.Id, change: 'status' });
  return changed ? 'applied' : 'unchanged';
}

async function findTarget(db: Kysely<Database>, firmId: number, status: NormalizedStatus): Promise<TargetMessage | undefined> {
  const byWamid = await db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'ConversationId'])
    .where('FirmId', '=', firmId)
    .where('WhatsAppMessageId', '=', status.whatsAppMessageId)
    .executeTakeFirst();
  if (byWamid) return byWamid;
  // The sender may tag a send with its own message id as biz_opaque_callback_data: then a status that overtakes
  // the send's response still finds its message, and the message learns its wamid here.
  const tag = status.bizOpaqueCallbackData;
  if (!tag || !UUID.test(tag)) return undefined;
  const byTag = await db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'ConversationId', 'WhatsAppMessageId'])
    .where('Id', '=', tag)
    .where('FirmId', '=', firmId)
    .where('BizOpaqueCallbackData', '=', tag)
    .where('Direction', '=', 'outbound')
    .executeTakeFirst();
  if (!byTag) return undefined;
  if (byTag.WhatsAppMessageId === null) {
    try {
      await db.updateTable('WhatsApp_Messages').set({ WhatsAppMessageId: status.whatsAppMessageId }).where('Id', '=', byTag.Id).where('WhatsAppMessageId', 'is', null).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return undefined;
    }
  } else if (byTag.WhatsAppMessageId !== status.whatsAppMessageId) {
    return undefined;
  }
  return byTag;
}

/** Moves the status forward if it ranks higher and fills the status's own time and details; true if anything changed. */
async function updateMessageStatus(db: Kysely<Database>, messageId: string, name: DeliveryStatus, status: StatusDetails, now: Date): Promise<boolean> {
  const rank = statusRank[name] ?? 0;
  const at = status.at ?? now;
  const advanced = await db
    .updateTable('WhatsApp_Messages')
    .set({ Status: name, StatusRank: rank, UpdatedAt: now })
    .where('Id', '=', messageId)
    .where('StatusRank', '<', rank)
    .executeTakeFirst();
  const column = timeColumn[name];
  const timed = await db
    .updateTable('WhatsApp_Messages')
    .set({
      [column]: at,
      ...(name === 'failed' && status.error
        ? { ErrorCode: status.error.code ?? null, ErrorTitle: status.error.title?.slice(0, 512) ?? null, ErrorDetails: status.error.details ?? null }
        : {}),
      ...(status.pricingJson ? { PricingJson: status.pricingJson } : {}),
      UpdatedAt: now,
    })
    .where('Id', '=', messageId)
    .where(column, 'is', null)
    .executeTakeFirst();
  if (status.bizOpaqueCallbackData) {
    await db
      .updateTable('WhatsApp_Messages')
      .set({ BizOpaqueCallbackData: status.bizOpaqueCallbackData.slice(0, 512) })
      .where('Id', '=', messageId)
      .where('BizOpaqueCallbackData', 'is', null)
      .execute();
  }
  return Number(advanced.numUpdatedRows) > 0 || Number(timed.numUpdatedRows) > 0;
}

interface StatusDetails {
  readonly at: Date | undefined;
  readonly bizOpaqueCallbackData: string | undefined;
  readonly error: { readonly code: number | undefined; readonly title: string | undefined; readonly details: string | undefined } | undefined;
  readonly pricingJson: string | undefined;
}

function pricingJsonOf(status: NormalizedStatus): string | undefined {
  const raw = JSON.parse(status.rawJson) as { pricing?: unknown; conversation?: unknown };
  if (raw.pricing === undefined && raw.conversation === undefined) return undefined;
  return JSON.stringify({ pricing: raw.pricing, conversation: raw.conversation });
}

async function parkStatus(db: Kysely<Database>, firmId: number, status: NormalizedStatus, now: Date): Promise<void> {
  const exists = await db
    .selectFrom('WhatsApp_PendingStatuses')
    .select('Id')
    .where('FirmId', '=', firmId)
    .where('WhatsAppMessageId', '=', status.whatsAppMessageId)
    .where('Status', '=', status.status)
    .executeTakeFirst();
  if (exists) return;
  try {
    await db
      .insertInto('WhatsApp_PendingStatuses')
      .values({
        Id: newId(now.getTime()),
        FirmId: firmId,
        WhatsAppMessageId: status.whatsAppMessageId,
        Status: status.status,
        StatusAt: status.at ?? now,
        RecipientId: status.recipientWaId?.slice(0, 256) ?? null,
        RecipientUserId: status.recipientUserId?.slice(0, 256) ?? null,
        BizOpaqueCallbackData: status.bizOpaqueCallbackData?.slice(0, 512) ?? null,
        ErrorCode: status.error?.code ?? null,
        ErrorTitle: status.error?.title?.slice(0, 512) ?? null,
        ErrorDetails: status.error?.details ?? null,
        PricingJson: pricingJsonOf(status) ?? null,
        RawJson: status.rawJson,
        CreatedAt: now,
      })
      .execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}

/** Adapts a normalised webhook status to what {@link updateMessageStatus} needs. */
function detailsOf(status: NormalizedStatus): StatusDetails {
  return { at: status.at, bizOpaqueCallbackData: status.bizOpaqueCallbackData, error: status.error, pricingJson: pricingJsonOf(status) };
}

/**
 * Applies and removes the statuses parked for a WhatsApp message id, in rank order. Call it in the transaction
 * that gives an outbound message its wamid (the send worker), so a status that overtook the send is not lost.
 * @returns whether the message's status changed
 */
export async function applyPendingStatuses(db: Kysely<Database>, firmId: number, messageId: string, whatsAppMessageId: string, now: Date): Promise<boolean> {
  const parked = await db
    .selectFrom('WhatsApp_PendingStatuses')
    .selectAll()
    .where('FirmId', '=', firmId)
    .where('WhatsAppMessageId', '=', whatsAppMessageId)
    .execute();
  if (parked.length === 0) return false;
  let changed = false;
  for (const row of parked.sort((a, b) => (statusRank[a.Status] ?? 0) - (statusRank[b.Status] ?? 0))) {
    if (!isDeliveryStatus(row.Status)) continue;
    const details: StatusDetails = {
      at: row.StatusAt,
      bizOpaqueCallbackData: row.BizOpaqueCallbackData ?? undefined,
      error: row.ErrorCode === null && row.ErrorTitle === null ? undefined : { code: row.ErrorCode ?? undefined, title: row.ErrorTitle ?? undefined, details: row.ErrorDetails ?? undefined },
      pricingJson: row.PricingJson ?? undefined,
    };
    if (await updateMessageStatus(db, messageId, row.Status, details, now)) changed = true;
  }
  await db.deleteFrom('WhatsApp_PendingStatuses').where('FirmId', '=', firmId).where('WhatsAppMessageId', '=', whatsAppMessageId).execute();
  return changed;
}
