// The inbound use case after the signature check: every change of a body, each routed and stored on its own.
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import type { Clock } from '../shared/clock';
import type { RealtimeEvent, RealtimePublisher } from '../realtime/realtime-publisher';
import { publishInBackground } from '../realtime/background-publish';
import { writeMessagesChange } from './change-writer';
import type { IngestResult, RoutedMessagesChange } from './ingest-messages-change';
import { normalizeInboundMessage, type NormalizedInboundMessage } from './normalize-inbound-message';
import { normalizeStatus, type NormalizedStatus } from './normalize-status';
import type { ParsedChange, ParsedWebhook } from './parse-webhook-payload';
import { findFirmByBusinessAccountId, findFirmByPhoneNumberId, recordWebhookEvent } from './webhook-events.queries';
import { MessagesChangeValueSchema, WebhookContactSchema, type WebhookContact } from './webhook-payload.schemas';

/** Where the use case writes what an operator of the system (not of a firm) should see. */
export interface WebhookLog {
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface ProcessWebhookDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly realtime: RealtimePublisher;
  /** Puts one media download on the `media-downloads` queue. */
  enqueueMediaDownload(firmId: number, messageId: string): Promise<void>;
  readonly log: WebhookLog;
  /**
   * Inbox (issue 6): decides who gets conversations this change created or reopened (src/assignment). Awaited after
   * commit; it never throws (a conversation it could not assign waits in the queue for the assignment sweep).
   */
  readonly onConversationsOpened?: (firmId: number, opened: readonly { conversationId: string; reopened: boolean }[]) => Promise<void>;
  /** New messages the number received (Meta counts them in its throughput, so the sending pacer hears of them). */
  readonly onMessagesReceived?: (phoneNumberId: string, count: number) => void;
}

export interface ProcessWebhookResult {
  readonly changes: number;
  /** Changes not (fully) stored: the caller keeps the body for a replay. */
  readonly failedChanges: number;
  readonly storedMessages: number;
  readonly duplicateMessages: number;
}

/**
 * Processes a verified body: each `entry[].changes[]` on its own (one transaction per `messages` change), so a
 * failing change never stops the rest. Other fields, unrouted numbers and unreadable shapes are kept raw in
 * WhatsApp_WebhookEvents. Idempotent: processing the same body again changes nothing already stored.
 */
export async function processWebhook(deps: ProcessWebhookDeps, parsed: Exclude<ParsedWebhook, { kind: 'malformed' }>, rawText: string, receivedAt: Date): Promise<ProcessWebhookResult> {
  if (parsed.kind === 'unrecognised') {
    try {
      await recordWebhookEvent(deps.db, {
        firmId: undefined,
        field: 'unknown',
        businessAccountId: undefined,
        phoneNumberId: undefined,
        state: 'ignored',
        payloadJson: rawText,
        error: 'the body is not a WhatsApp webhook envelope',
        receivedAt,
      });
      return { changes: 0, failedChanges: 0, storedMessages: 0, duplicateMessages: 0 };
    } catch (error) {
      deps.log.error('webhook: could not record a body of unknown shape', error);
      return { changes: 0, failedChanges: 1, storedMessages: 0, duplicateMessages: 0 };
    }
  }
  let failedChanges = 0;
  let storedMessages = 0;
  let duplicateMessages = 0;
  for (const change of parsed.changes) {
    try {
      const outcome = await processChange(deps, change, receivedAt);
      storedMessages += outcome.stored;
      duplicateMessages += outcome.duplicates;
    } catch (error) {
      failedChanges++;
      deps.log.error(`webhook: change ${change.entryIndex}.${change.changeIndex} (${change.field ?? 'unknown'}) failed`, error);
    }
  }
  return { changes: parsed.changes.length, failedChanges, storedMessages, duplicateMessages };
}

async function processChange(deps: ProcessWebhookDeps, change: ParsedChange, receivedAt: Date): Promise<{ stored: number; duplicates: number }> {
  const none = { stored: 0, duplicates: 0 };
  const base = { businessAccountId: change.businessAccountId, receivedAt };
  if (change.field === undefined) {
    await recordWebhookEvent(deps.db, { ...base, firmId: undefined, field: 'unknown', phoneNumberId: undefined, state: 'ignored', payloadJson: JSON.stringify(change.raw), error: 'the change has no field/value' });
    return none;
  }
  if (change.field !== 'messages') {
    // Template status, account updates, …: kept for the issues that act on them.
    const firmId = change.businessAccountId ? await findFirmByBusinessAccountId(deps.db, change.businessAccountId) : undefined;
    await recordWebhookEvent(deps.db, { ...base, firmId, field: change.field, phoneNumberId: undefined, state: 'pending', payloadJson: JSON.stringify(change.raw) });
    return none;
  }
  const value = MessagesChangeValueSchema.safeParse(change.value);
  if (!value.success) {
    await recordWebhookEvent(deps.db, {
      ...base,
      firmId: undefined,
      field: 'messages',
      phoneNumberId: undefined,
      state: 'ignored',
      payloadJson: JSON.stringify(change.raw),
      error: `unreadable messages value: ${value.error.issues[0]?.message ?? ''} at ${value.error.issues[0]?.path.join('.') ?? ''}`,
    });
    return none;
  }
  const phoneNumberId = value.data.metadata.phone_number_id;
  const firmId = await firmOfPhoneNumber(deps.db, phoneNumberId, deps.clock.now());
  if (firmId === undefined) {
    // Answered 200 all the same: Meta would otherwise retry for a week something no firm here can take.
    await recordWebhookEvent(deps.db, { ...base, firmId: undefined, field: 'messages', phoneNumberId, state: 'unrouted', payloadJson: JSON.stringify(change.raw) });
    deps.log.warn(`webhook: no firm owns phone number id ${phoneNumberId}; change kept as unrouted`);
    return none;
  }
  if (value.data.errors?.length) {
    // System-, app- or account-level errors (e.g. 130429): kept for alerting.
    await recordWebhookEvent(deps.db, {
      ...base,
      firmId,
      field: 'messages',
      phoneNumberId,
      state: 'pending',
      payloadJson: JSON.stringify({ metadata: value.data.metadata, errors: value.data.errors }),
    });
  }

  const messages: NormalizedInboundMessage[] = [];
  const statuses: NormalizedStatus[] = [];
  const rejected: { rawJson: string; reason: string }[] = [];
  for (const raw of value.data.messages ?? []) {
    const result = normalizeInboundMessage(raw, { changeErrors: value.data.errors ?? undefined });
    if (result.ok && result.message.whatsAppMessageId.length <= 256) messages.push(result.message);
    else rejected.push({ rawJson: JSON.stringify(raw), reason: result.ok ? 'the message id is longer than 256 characters' : result.reason });
  }
  for (const raw of value.data.statuses ?? []) {
    const result = normalizeStatus(raw);
    if (result.ok && result.status.whatsAppMessageId.length <= 256) statuses.push(result.status);
    else rejected.push({ rawJson: JSON.stringify(raw), reason: result.ok ? 'the message id is longer than 256 characters' : result.reason });
  }
  const contacts: WebhookContact[] = [];
  for (const raw of value.data.contacts ?? []) {
    const contact = WebhookContactSchema.safeParse(raw);
    if (contact.success) contacts.push(contact.data);
  }

  const routed: RoutedMessagesChange = { firmId, phoneNumberId, contacts, messages, statuses, receivedAt };
  const { result, failure } = await ingestWithFallback(deps, routed);
  for (const item of [...rejected, ...result.unattached]) {
    await recordWebhookEvent(deps.db, { ...base, firmId, field: 'messages', phoneNumberId, state: 'failed', payloadJson: item.rawJson, error: item.reason });
  }
  await afterCommit(deps, firmId, result);
  deps.onMessagesReceived?.(phoneNumberId, result.stored);
  if (failure !== undefined) throw failure;
  return { stored: result.stored, duplicates: result.duplicates };
}

/**
 * One transaction for the whole change. If it fails for a reason other than the database being unreachable,
 * each message and status is retried alone, so one poisonous item cannot keep a thousand good ones out.
 */
async function ingestWithFallback(deps: ProcessWebhookDeps, change: RoutedMessagesChange): Promise<{ result: IngestResult; failure: unknown }> {
  try {
    return { result: await writeMessagesChange(deps.db, deps.clock, change), failure: undefined };
  } catch (error) {
    if (change.messages.length + change.statuses.length <= 1 || isDatabaseUnavailable(error)) throw error;
    deps.log.warn('webhook: a change failed as a whole; storing its items one by one', error);
    const merged: IngestResult = { events: [], mediaMessageIds: [], unattached: [], stored: 0, duplicates: 0 };
    let failure: unknown;
    const items: RoutedMessagesChange[] = [
      ...change.messages.map((m) => ({ ...change, messages: [m], statuses: [] })),
      ...change.statuses.map((s) => ({ ...change, messages: [], statuses: [s] })),
    ];
    for (const item of items) {
      try {
        const one = await writeMessagesChange(deps.db, deps.clock, item);
        merged.events.push(...one.events);
        merged.mediaMessageIds.push(...one.mediaMessageIds);
        merged.unattached.push(...one.unattached);
        merged.stored += one.stored;
        merged.duplicates += one.duplicates;
      } catch (itemError) {
        failure ??= itemError;
        const rawJson = item.messages[0]?.rawJson ?? item.statuses[0]?.rawJson ?? '{}';
        merged.unattached.push({ rawJson, reason: `could not be stored: ${itemError instanceof Error ? itemError.message : String(itemError)}`.slice(0, 4000) });
      }
    }
    return { result: merged, failure };
  }
}

/** Hands what changed to the real-time port and queues media downloads; a failed enqueue fails the change so the body is replayed. */
async function afterCommit(deps: ProcessWebhookDeps, firmId: number, result: IngestResult): Promise<void> {
  // Not awaited: the lane publishes in commit order, so nothing the next delivery changes can overtake these events,
  // and Meta's answer never waits on Web PubSub (a backlog there once held every webhook for 50 ms).
  publishInBackground(deps.realtime, dedupeEvents(result.events), deps.log);
  for (const messageId of new Set(result.mediaMessageIds)) await deps.enqueueMediaDownload(firmId, messageId);
  // Inbox (issue 6): automatic assignment of new and reopened conversations.
  if (deps.onConversationsOpened) await deps.onConversationsOpened(firmId, openedConversations(result.events));
}

/** Conversations a change created or reopened, once each, in order (inbox, issue 6). */
function openedConversations(events: readonly RealtimeEvent[]): { conversationId: string; reopened: boolean }[] {
  const opened = new Map<string, boolean>();
  for (const event of events) {
    if (event.type === 'conversation.updated' && (event.change === 'created' || event.change === 'reopened')) {
      opened.set(event.conversationId, (opened.get(event.conversationId) ?? false) || event.change === 'reopened');
    }
  }
  return [...opened].map(([conversationId, reopened]) => ({ conversationId, reopened }));
}

function dedupeEvents(events: readonly RealtimeEvent[]): RealtimeEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    const key = JSON.stringify(event);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const routes = new WeakMap<Kysely<Database>, Map<string, { firmId: number; at: number }>>();
/** Numbers rarely change hands: a known route is reused for a few seconds (unknown numbers are always looked up). */
const ROUTE_TTL_MS = 5_000;

async function firmOfPhoneNumber(db: Kysely<Database>, phoneNumberId: string, now: Date): Promise<number | undefined> {
  let cache = routes.get(db);
  if (!cache) {
    cache = new Map();
    routes.set(db, cache);
  }
  const hit = cache.get(phoneNumberId);
  if (hit && now.getTime() - hit.at < ROUTE_TTL_MS && hit.at <= now.getTime()) return hit.firmId;
  const firmId = await findFirmByPhoneNumberId(db, phoneNumberId);
  if (firmId === undefined) cache.delete(phoneNumberId);
  else cache.set(phoneNumberId, { firmId, at: now.getTime() });
  return firmId;
}

/** Errors that say the database cannot be reached or written at all (retrying item by item would not help). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|NOTADB|CORRUPT)/.test(code)) return true;
  if (name === 'ConnectionError' || name === 'TimeoutError') return true;
  return typeof code === 'string' && ['ETIMEOUT', 'ESOCKET', 'ECONNCLOSED', 'ECONNRESET', 'ECONNREFUSED', 'ELOGIN', 'EINSTLOOKUP'].includes(code);
}
