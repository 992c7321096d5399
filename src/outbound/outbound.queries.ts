// The outbound state machine as single conditional statements: every move checks the state it leaves, so two workers,
// a webhook and the sweep can race on one message and only one of them wins each move.
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor';
import type { Database, MessageRow, NewRow } from '../db/tables';
import { newId } from '../shared/ids';
import { enqueue } from '../storage/queue-catalogue';
import type { Services } from '../services';

type Db = Kysely<Database>;

/**
 * Outbound statuses set by the app and their ranks (the webhook's `statusRank` ranks `sent` 10, `failed` 15, …):
 * `unknown` sits above `sending` and below `sent`, so a status webhook carrying the message's id settles it.
 */
export const outboundRank = { queued: 1, sending: 2, unknown: 5, sent: 10, failed: 15 } as const;

/**
 * A new operator message in its first state, `queued`, without its content: a fresh id (also its callback tag, so a
 * status that overtakes Meta's answer still finds it), the sender and the client's idempotency key.
 */
export function queuedMessageRow(
  actor: Pick<Actor, 'firmId' | 'operatorId'>,
  input: { conversationId: string; type: string; clientMessageId: string },
  now: Date,
): NewRow<'WhatsApp_Messages'> {
  const id = newId(now.getTime());
  return {
    Id: id,
    FirmId: actor.firmId,
    ConversationId: input.conversationId,
    Direction: 'outbound',
    Type: input.type,
    Status: 'queued',
    StatusRank: outboundRank.queued,
    MessageAt: now,
    SenderOperatorId: actor.operatorId,
    ClientMessageId: input.clientMessageId,
    BizOpaqueCallbackData: id,
    CreatedAt: now,
    UpdatedAt: now,
  };
}

/** What an operator-facing failure records: Meta's code and title when Meta said something, and the explanation. */
export interface FailureRecord {
  readonly code: number | null;
  readonly title: string;
  readonly details: string;
}

/** The whole-second queue delay for a wait (Azure queues take whole seconds, at most 7 days). */
export function queueDelaySeconds(delaySeconds: number): number {
  return Math.max(0, Math.min(7 * 24 * 3600 - 60, Math.ceil(delaySeconds)));
}

/**
 * Puts the message on `outbound-messages` (becoming visible after `delaySeconds`) and records when it will be seen,
 * unless the caller already wrote that (`recorded`: one commit less on the hot path).
 */
export async function enqueueOutbound(services: Pick<Services, 'db' | 'storage'>, firmId: number, messageId: string, now: Date, delaySeconds = 0, recorded = false): Promise<void> {
  const delay = queueDelaySeconds(delaySeconds);
  await enqueue(services.storage.queues, 'outboundMessages', { firmId, messageId }, delay > 0 ? { visibilityTimeoutSeconds: delay } : {});
  if (recorded) return;
  await services.db
    .updateTable('WhatsApp_Messages')
    .set({ EnqueuedAt: new Date(now.getTime() + delay * 1000) })
    .where('Id', '=', messageId)
    .where('FirmId', '=', firmId)
    .where('Status', '=', 'queued')
    .execute();
}

/** Claims a queued message for one send: only one caller moves it to `sending`. */
export async function claimForSending(db: Db, messageId: string, now: Date, leaseMs: number): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_Messages')
    .set((eb) => ({
      Status: 'sending',
      StatusRank: outboundRank.sending,
      LeaseUntil: new Date(now.getTime() + leaseMs),
      SendAttempts: eb('SendAttempts', '+', 1),
      LastAttemptAt: now,
      UpdatedAt: now,
    }))
    .where('Id', '=', messageId)
    .where('Status', '=', 'queued')
    .where('WhatsAppMessageId', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Meta accepted the message: store its id and move it to `sent` unless a status webhook already moved it further.
 * The wamid is kept whatever state the message reached meanwhile (an `unknown` message is settled here too).
 */
export async function recordAccepted(db: Db, messageId: string, whatsAppMessageId: string | null, requestJson: string, now: Date): Promise<void> {
  await db
    .updateTable('WhatsApp_Messages')
    .set((eb) => ({
      WhatsAppMessageId: eb.fn.coalesce('WhatsAppMessageId', eb.val(whatsAppMessageId)),
      Status: eb.case().when('StatusRank', '<', outboundRank.sent).then('sent').else(eb.ref('Status')).end(),
      StatusRank: eb.case().when('StatusRank', '<', outboundRank.sent).then(outboundRank.sent).else(eb.ref('StatusRank')).end(),
      SentAt: eb.fn.coalesce('SentAt', eb.val(now)),
      LeaseUntil: null,
      NextAttemptAt: null,
      ErrorCode: null,
      ErrorTitle: null,
      ErrorDetails: null,
      RawJson: requestJson,
      UpdatedAt: now,
    }))
    .where('Id', '=', messageId)
    .where('Status', 'in', ['sending', 'unknown', 'queued', 'sent', 'delivered', 'read', 'played'])
    .execute();
}

/** Meta said "not now": back to `queued`, not before `retryAt` (the queue message is re-sent with that delay). */
export async function scheduleRetry(db: Db, messageId: string, retryAt: Date, failure: FailureRecord, now: Date, pairLimited = false): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_Messages')
    .set((eb) => ({
      ...(pairLimited ? { PairLimitHits: eb('PairLimitHits', '+', 1) } : {}),
      Status: 'queued',
      StatusRank: outboundRank.queued,
      NextAttemptAt: retryAt,
      EnqueuedAt: retryAt,
      LeaseUntil: null,
      ErrorCode: failure.code,
      ErrorTitle: failure.title.slice(0, 512),
      ErrorDetails: failure.details,
      UpdatedAt: now,
    }))
    .where('Id', '=', messageId)
    .where('Status', '=', 'sending')
    .where('WhatsAppMessageId', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A send that has not started yet gives its claim back (pacing asked it to wait): `queued` again, attempt not counted. */
export async function releaseClaim(db: Db, messageId: string, retryAt: Date, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_Messages')
    .set((eb) => ({ Status: 'queued', StatusRank: outboundRank.queued, NextAttemptAt: retryAt, LeaseUntil: null, SendAttempts: eb('SendAttempts', '-', 1), UpdatedAt: now }))
    .where('Id', '=', messageId)
    .where('Status', '=', 'sending')
    .where('WhatsAppMessageId', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A final failure from `fromStatuses` (Meta refused for good, attempts exhausted, poison). */
export async function markFailed(db: Db, messageId: string, failure: FailureRecord, now: Date, fromStatuses: readonly string[] = ['sending']): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_Messages')
    .set({
      Status: 'failed',
      StatusRank: outboundRank.failed,
      FailedAt: now,
      LeaseUntil: null,
      NextAttemptAt: null,
      ErrorCode: failure.code,
      ErrorTitle: failure.title.slice(0, 512),
      ErrorDetails: failure.details,
      UpdatedAt: now,
    })
    .where('Id', '=', messageId)
    .where('Status', 'in', [...fromStatuses])
    .where('WhatsAppMessageId', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Meta may or may not have the message: `unknown`, unless something (a status webhook) already settled it. */
export async function markUnknown(db: Db, messageId: string, failure: FailureRecord, now: Date, onlyIfLeaseExpiredBy?: Date): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_Messages')
    .set({ Status: 'unknown', StatusRank: outboundRank.unknown, LeaseUntil: null, ErrorCode: failure.code, ErrorTitle: failure.title.slice(0, 512), ErrorDetails: failure.details, UpdatedAt: now })
    .where('Id', '=', messageId)
    .where('Status', '=', 'sending')
    .where('WhatsAppMessageId', 'is', null)
    .$if(onlyIfLeaseExpiredBy !== undefined, (q) => q.where('LeaseUntil', '<', onlyIfLeaseExpiredBy ?? now))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The outbound message of the same conversation that must leave before this one, if any is still waiting or in flight. */
export async function earlierPendingInConversation(db: Db, message: Pick<MessageRow, 'Id' | 'ConversationId' | 'MessageAt'>): Promise<Pick<MessageRow, 'Id' | 'NextAttemptAt' | 'Status'> | undefined> {
  return db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'NextAttemptAt', 'Status'])
    .where('ConversationId', '=', message.ConversationId)
    .where('Direction', '=', 'outbound')
    .where('Status', 'in', ['queued', 'sending'])
    .where((eb) => eb.or([eb('MessageAt', '<', message.MessageAt), eb.and([eb('MessageAt', '=', message.MessageAt), eb('Id', '<', message.Id)])]))
    .orderBy('MessageAt')
    .orderBy('Id')
    .limit(1)
    .executeTakeFirst();
}

/** The next queued outbound message of a conversation (to wake it as soon as its predecessor is done). */
export async function nextQueuedInConversation(db: Db, conversationId: string): Promise<Pick<MessageRow, 'Id' | 'FirmId' | 'NextAttemptAt'> | undefined> {
  return db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'FirmId', 'NextAttemptAt'])
    .where('ConversationId', '=', conversationId)
    .where('Direction', '=', 'outbound')
    .where('Status', '=', 'queued')
    .orderBy('MessageAt')
    .orderBy('Id')
    .limit(1)
    .executeTakeFirst();
}
