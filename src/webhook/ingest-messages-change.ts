// Stores one routed `messages` change in one transaction: customers, conversations, messages (once each), statuses.
import type { Kysely } from 'kysely';
import type { Database, NewRow } from '../db/tables';
import { newId } from '../shared/ids';
import { preparedQuery } from '../db/prepared-query';
import type { RealtimeEvent } from '../realtime/realtime-publisher';
import { applyAnnotationsTo, findByWhatsAppId } from './apply-annotations';
import { applyMessageStatus } from './apply-message-status';
import { applyConversationActivity, findOrCreateConversation, foldActivity, type ConversationActivity } from '../inbox/conversation-activity';
import { applyIdentityChange, identityOf, resolveCustomer, type CustomerIdentity } from './customer-identity';
import { messagePreview, type NormalizedInboundMessage } from './normalize-inbound-message';
import type { NormalizedStatus } from './normalize-status';
import { isUniqueViolation } from '../db/unique-violation';
import type { WebhookContact } from './webhook-payload.schemas';

/** A change routed to its firm, already normalised. */
export interface RoutedMessagesChange {
  readonly firmId: number;
  readonly phoneNumberId: string;
  readonly contacts: readonly WebhookContact[];
  readonly messages: readonly NormalizedInboundMessage[];
  readonly statuses: readonly NormalizedStatus[];
  readonly receivedAt: Date;
}

export interface IngestResult {
  /** Real-time events to publish after commit. */
  readonly events: RealtimeEvent[];
  /** Stored messages whose media still has to be downloaded (new ones, and duplicates still pending). */
  readonly mediaMessageIds: string[];
  /** Items that could not be attached to anyone (no sender at all); the caller records them raw. */
  readonly unattached: { readonly rawJson: string; readonly reason: string }[];
  stored: number;
  duplicates: number;
}

/** `messageRow` sets the same columns for every message (null where there is nothing), so the insert is prepared once. */
const insertMessage = preparedQuery<NewRow<'WhatsApp_Messages'>, never>((db, row) => db.insertInto('WhatsApp_Messages').values(row));

/** Annotation messages change another message instead of appearing in the thread list. */
const isAnnotation = (m: NormalizedInboundMessage) => m.role === 'reaction' || m.role === 'revoke' || m.role === 'edit';

/**
 * Stores a change's messages and statuses, inside the caller's transaction (see change-writer.ts). Idempotent: a message whose WhatsApp id is already stored for the
 * firm is skipped (and a concurrent duplicate insert loses on the unique key and is skipped too), statuses only
 * ever move forward, so replaying a change any number of times, in any order, ends in the same rows.
 */
export async function ingestInto(trx: Kysely<Database>, change: RoutedMessagesChange, now: Date): Promise<IngestResult> {
  const { firmId, phoneNumberId } = change;
  const result: IngestResult = { events: [], mediaMessageIds: [], unattached: [], stored: 0, duplicates: 0 };
  const customers = new Map<string, string>();
  const conversations = new Map<string, { id: string; resolved: boolean }>();
  const activity = new Map<string, ConversationActivity>();

  for (const message of change.messages) {
    const existing = await findByWhatsAppId(trx, firmId, message.whatsAppMessageId);
    if (existing) {
      result.duplicates++;
      if (existing.MediaState === 'pending') result.mediaMessageIds.push(existing.Id);
      continue;
    }

    const customerId = await customerFor(trx, firmId, message, change.contacts, customers, now);
    if (!customerId) {
      result.unattached.push({ rawJson: message.rawJson, reason: 'the message names no sender (no from, from_user_id or matching contact)' });
      continue;
    }
    let conversation = conversations.get(customerId);
    const at = message.sentAt ?? change.receivedAt;
    if (!conversation) {
      const found = await findOrCreateConversation(trx, { firmId, phoneNumberId, customerId }, at, now);
      conversation = { id: found.id, resolved: found.resolved };
      conversations.set(customerId, conversation);
      if (found.created) result.events.push({ type: 'conversation.updated', firmId, conversationId: found.id, change: 'created' });
    }
    const conversationId = conversation.id;

    const id = newId(now.getTime());
    const replyTo = message.replyToWhatsAppMessageId ? await findByWhatsAppId(trx, firmId, message.replyToWhatsAppMessageId) : undefined;
    try {
      await insertMessage(trx, messageRow(id, firmId, conversationId, message, at, replyTo?.Id, now));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      result.duplicates++;
      continue;
    }
    result.stored++;
    result.events.push({ type: 'message.created', firmId, conversationId, messageId: id });
    if (message.media) result.mediaMessageIds.push(id);

    if (isAnnotation(message) && message.targetWhatsAppMessageId) {
      const target = await findByWhatsAppId(trx, firmId, message.targetWhatsAppMessageId);
      if (target) await applyAnnotationsTo(trx, firmId, target, now, result.events);
    } else {
      // Annotations can overtake the message they point at; they wait, keyed by its WhatsApp id, and apply now.
      await applyAnnotationsTo(trx, firmId, { Id: id, ConversationId: conversationId, WhatsAppMessageId: message.whatsAppMessageId }, now, result.events);
    }

    const inboundAt = at.getTime() > now.getTime() ? now : at;
    activity.set(
      conversationId,
      foldActivity(activity.get(conversationId), {
        at: isAnnotation(message) ? inboundAt : at,
        preview: isAnnotation(message) ? undefined : messagePreview(message),
        fromCustomer: message.role !== 'system',
        unread: message.role === 'content',
        reopens: message.role === 'content' && conversation.resolved,
      }),
    );
  }

  for (const status of change.statuses) await applyMessageStatus(trx, firmId, status, now, result.events);

  for (const [conversationId, folded] of activity) {
    const { reopened } = await applyConversationActivity(trx, conversationId, folded, now);
    result.events.push({ type: 'conversation.updated', firmId, conversationId, change: reopened ? 'reopened' : 'activity' });
  }
  return result;
}

/** The customer a message belongs to; identity changes (system messages) are applied on the way. */
async function customerFor(
  trx: Kysely<Database>,
  firmId: number,
  message: NormalizedInboundMessage,
  contacts: readonly WebhookContact[],
  cache: Map<string, string>,
  now: Date,
): Promise<string | undefined> {
  let identity: CustomerIdentity | undefined;
  if (message.role === 'system' && message.system) {
    const system = message.system;
    const changed = await applyIdentityChange(
      trx,
      firmId,
      { kind: system.kind, oldWaId: message.fromWaId, newWaId: system.newWaId, previousUserId: system.previousUserId, newUserId: system.newUserId },
      now,
    );
    cache.clear();
    if (changed) return changed;
    // An unknown customer (or a replay after the change was applied): file it under the new identity.
    const waId = system.kind === 'user_changed_number' ? (system.newWaId ?? message.fromWaId) : message.fromWaId;
    const userId = system.newUserId ?? message.fromUserId;
    identity = waId || userId ? { waId, userId } : undefined;
  } else {
    identity = identityOf(message, contacts);
  }
  if (!identity) return undefined;
  const key = `${identity.userId ?? ''}|${identity.waId ?? ''}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const id = await resolveCustomer(trx, firmId, identity, now);
  cache.set(key, id);
  return id;
}

function messageRow(
  id: string,
  firmId: number,
  conversationId: string,
  m: NormalizedInboundMessage,
  at: Date,
  replyToMessageId: string | undefined,
  now: Date,
): NewRow<'WhatsApp_Messages'> {
  const media = m.media;
  const details = JSON.parse(m.detailsJson) as { referral?: unknown };
  return {
    Id: id,
    FirmId: firmId,
    ConversationId: conversationId,
    Direction: 'inbound',
    Type: m.type.slice(0, 32),
    Status: 'received',
    StatusRank: 0,
    MessageAt: at,
    Text: m.role === 'reaction' ? null : (m.text ?? null),
    ContentJson: m.detailsJson,
    RawJson: m.rawJson,
    MediaId: media?.mediaId.slice(0, 128) ?? null,
    MediaState: media ? 'pending' : null,
    MediaMimeType: media?.mimeType?.slice(0, 255) ?? null,
    MediaSha256: media?.sha256?.slice(0, 128) ?? null,
    MediaFileName: media?.fileName?.slice(0, 512) ?? null,
    ReplyToWhatsAppMessageId: m.replyToWhatsAppMessageId?.slice(0, 256) ?? null,
    ReplyToMessageId: replyToMessageId ?? null,
    ReactionEmoji: m.role === 'reaction' ? (m.reactionEmoji ?? '').slice(0, 32) : null,
    ReactionToWhatsAppMessageId: m.role === 'reaction' ? (m.targetWhatsAppMessageId?.slice(0, 256) ?? null) : null,
    TargetWhatsAppMessageId: isAnnotation(m) ? (m.targetWhatsAppMessageId?.slice(0, 256) ?? null) : null,
    IsForwarded: m.forwarded,
    IsFrequentlyForwarded: m.frequentlyForwarded,
    ReferralJson: details.referral === undefined ? null : JSON.stringify(details.referral),
    ErrorCode: m.error?.code ?? null,
    ErrorTitle: m.error?.title?.slice(0, 512) ?? null,
    ErrorDetails: m.error?.details ?? null,
    WhatsAppMessageId: m.whatsAppMessageId,
    WhatsAppTimestamp: m.sentAt ?? null,
    CreatedAt: now,
    UpdatedAt: now,
  };
}
