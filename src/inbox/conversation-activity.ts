// Finds or opens a customer's conversation on a business number and applies a change's inbound activity to it.
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import { newId } from '../shared/ids';
import { isUniqueViolation } from '../db/unique-violation';
import { preparedQuery } from '../db/prepared-query';

/** What one change did to a conversation, folded over its messages before one UPDATE. */
export interface ConversationActivity {
  /** Newest time of a message shown in the list (WhatsApp's time); undefined when only annotations arrived. */
  newestAt: Date | undefined;
  preview: string;
  /** Newest customer message: the 24-hour reply window runs from here. */
  lastInboundAt: Date | undefined;
  unreadIncrement: number;
  /** A customer message reopens a resolved conversation (set only when it is Resolved). */
  reopen: boolean;
}

/**
 * The conversation of (firm, number, customer), created Open when there is none. One per triple (unique key);
 * a concurrent creator loses the insert race and reads the winner's row.
 * @returns the id, whether this call created it, and whether it is Resolved (so only then a reopen is tried)
 */
export async function findOrCreateConversation(
  db: Kysely<Database>,
  key: { firmId: number; phoneNumberId: string; customerId: string },
  firstMessageAt: Date,
  now: Date,
): Promise<{ id: string; created: boolean; resolved: boolean }> {
  const existing = await find(db, key);
  if (existing) return { id: existing.Id, created: false, resolved: existing.Status === 'Resolved' };
  const id = newId(now.getTime());
  try {
    await db
      .insertInto('WhatsApp_Conversations')
      .values({
        Id: id,
        FirmId: key.firmId,
        PhoneNumberId: key.phoneNumberId,
        CustomerId: key.customerId,
        Status: 'Open',
        LastMessageAt: firstMessageAt,
        UnreadCount: 0,
        CreatedAt: now,
        UpdatedAt: now,
      })
      .execute();
    return { id, created: true, resolved: false };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await find(db, key);
    if (!winner) throw error;
    return { id: winner.Id, created: false, resolved: winner.Status === 'Resolved' };
  }
}

const conversationOf = preparedQuery<{ firmId: number; phoneNumberId: string; customerId: string }, { Id: string; Status: string }>((db, key) =>
  db
    .selectFrom('WhatsApp_Conversations')
    .select(['Id', 'Status'])
    .where('FirmId', '=', key.firmId)
    .where('PhoneNumberId', '=', key.phoneNumberId)
    .where('CustomerId', '=', key.customerId),
);

async function find(db: Kysely<Database>, key: { firmId: number; phoneNumberId: string; customerId: string }): Promise<{ Id: string; Status: string } | undefined> {
  return (await conversationOf(db, key))[0];
}

const recordActivity = preparedQuery<{ conversationId: string; unread: number; at: Date; preview: string; inbound: Date; now: Date }, never>((db, p, shape) =>
  db
    .updateTable('WhatsApp_Conversations')
    .set((eb) => ({
      ...(shape.includes('u') ? { UnreadCount: eb('UnreadCount', '+', p.unread) } : {}),
      ...(shape.includes('m')
        ? {
            LastMessageAt: eb.case().when('LastMessageAt', '<', p.at).then(p.at).else(eb.ref('LastMessageAt')).end(),
            LastMessagePreview: eb.case().when('LastMessageAt', '<=', p.at).then(p.preview).else(eb.ref('LastMessagePreview')).end(),
          }
        : {}),
      ...(shape.includes('i')
        ? {
            LastInboundAt: eb
              .case()
              .when(eb.or([eb('LastInboundAt', 'is', null), eb('LastInboundAt', '<', p.inbound)]))
              .then(p.inbound)
              .else(eb.ref('LastInboundAt'))
              .end(),
          }
        : {}),
      UpdatedAt: p.now,
    }))
    .where('Id', '=', p.conversationId),
);

/**
 * Applies the folded activity in one UPDATE whose CASEs keep every field monotonic: a late (older) message
 * never moves LastMessageAt, the preview or the reply window backwards. Returns whether the status reopened.
 */
export async function applyConversationActivity(db: Kysely<Database>, conversationId: string, activity: ConversationActivity, now: Date): Promise<{ reopened: boolean }> {
  let reopened = false;
  if (activity.reopen) {
    const result = await db
      .updateTable('WhatsApp_Conversations')
      .set({ Status: 'Open', ResolvedAt: null, UpdatedAt: now })
      .where('Id', '=', conversationId)
      .where('Status', '=', 'Resolved')
      .executeTakeFirst();
    reopened = Number(result.numUpdatedRows) > 0;
  }
  const at = activity.newestAt;
  const inbound = activity.lastInboundAt;
  // Which SET clauses apply is the statement's shape: up to eight variants, each prepared once.
  const shape = `${activity.unreadIncrement > 0 ? 'u' : ''}${at ? 'm' : ''}${inbound ? 'i' : ''}`;
  await recordActivity(
    db,
    { conversationId, unread: activity.unreadIncrement, at: at ?? now, preview: activity.preview.slice(0, 200), inbound: inbound ?? now, now },
    shape,
  );
  return { reopened };
}

/**
 * Folds one more message into a change's activity for its conversation. `preview` undefined means the message
 * does not appear in the list (a reaction, revoke or edit): it still counts for the reply window.
 */
export function foldActivity(
  current: ConversationActivity | undefined,
  message: { at: Date; preview: string | undefined; fromCustomer: boolean; unread: boolean; reopens: boolean },
): ConversationActivity {
  const base: ConversationActivity = current ?? { newestAt: undefined, preview: '', lastInboundAt: undefined, unreadIncrement: 0, reopen: false };
  const shown = message.preview !== undefined && (!base.newestAt || message.at.getTime() >= base.newestAt.getTime());
  return {
    newestAt: shown ? message.at : base.newestAt,
    preview: shown ? (message.preview ?? '') : base.preview,
    lastInboundAt: message.fromCustomer && (!base.lastInboundAt || message.at > base.lastInboundAt) ? message.at : base.lastInboundAt,
    unreadIncrement: base.unreadIncrement + (message.unread ? 1 : 0),
    reopen: base.reopen || message.reopens,
  };
}
