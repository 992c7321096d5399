// The `outbound-messages` worker's use case: send one queued message to Meta once, and settle what happened.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database, MessageRow } from '../db/tables';
import type { RealtimeEvent } from '../realtime/realtime-publisher';
import type { Services } from '../services';
import { firmDefaultLanguage } from './firm-language';
import { TemplateParametersSchema, templateComponents, templateParameterSpec, type TemplateParameters, type TemplateParameterSpec } from '../templates/template-parameters';
import { ensureMetaMedia, UploadMissingError } from '../uploads/ensure-meta-media';
import { applyPendingStatuses } from '../webhook/apply-message-status';
import { publishInBackground } from '../realtime/background-publish';
import { firmSecret } from '../firms/firm-secrets';
import { markChannelHealthy, raiseChannelHealthAlert } from './channel-health';
import { backoffSeconds, classifySendError, explainSendFailure, type SendFailureReason } from './classify-send-error';
import {
  claimForSending,
  earlierPendingInConversation,
  enqueueOutbound,
  markFailed,
  markUnknown,
  nextQueuedInConversation,
  recordAccepted,
  releaseClaim,
  scheduleRetry,
  type FailureRecord,
} from './outbound.queries';
import { isUniqueViolation } from '../db/unique-violation';
import { isMediaType } from './outbound.schemas';
import { outboundSettings, type OutboundSettings } from './outbound-settings';
import { processPacer, type SendPacer } from './send-pacer';
import { WhatsAppCloudClient, WhatsAppCloudError, type SendMessageResult } from './whatsapp-cloud.client';

type DeliverServices = Pick<Services, 'db' | 'clock' | 'config' | 'storage' | 'realtime'>;

export interface DeliverLogger {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** What one delivery did (for logs and tests). */
export type DeliveryOutcome = 'sent' | 'failed' | 'unknown' | 'retry-scheduled' | 'deferred' | 'skipped' | 'read-receipt-sent';

export interface DeliverOptions {
  readonly pacer?: SendPacer;
  readonly settings?: OutboundSettings;
  readonly random?: () => number;
}

/** A number's pacer wait beyond this is given back to the queue instead of holding a worker slot. */
const MAX_IN_PROCESS_WAIT_MS = 5_000;
/** How often a message waiting behind an earlier one of its conversation looks again (it is also woken directly). */
const ORDER_RECHECK_SECONDS = 15;

interface LoadedMessage extends MessageRow {
  readonly PhoneNumberId: string;
  readonly CustomerWaId: string | null;
  readonly CustomerBsuid: string | null;
  readonly MessagesPerSecond: number | null;
  readonly HealthState: string | null;
}

async function loadMessage(db: Kysely<Database>, job: { firmId: number; messageId: string }): Promise<LoadedMessage | undefined> {
  return db
    .selectFrom('WhatsApp_Messages as m')
    .innerJoin('WhatsApp_Conversations as c', 'c.Id', 'm.ConversationId')
    .innerJoin('WhatsApp_Customers as cu', 'cu.Id', 'c.CustomerId')
    .leftJoin('WhatsApp_PhoneNumbers as p', 'p.PhoneNumberId', 'c.PhoneNumberId')
    .selectAll('m')
    .select(['c.PhoneNumberId', 'cu.WaId as CustomerWaId', 'cu.Bsuid as CustomerBsuid', 'p.MessagesPerSecond', 'p.HealthState'])
    .where('m.Id', '=', job.messageId)
    .where('m.FirmId', '=', job.firmId)
    .executeTakeFirst();
}

/**
 * Sends one message at most once per claim (SECURITY.md §6.2): the row is claimed (`queued` → `sending`) right before
 * the call and settled right after — `sent` with Meta's id, back to `queued` with a back-off when Meta said "not now",
 * `failed` when Meta refused for good, `unknown` when no answer came (never re-sent automatically). A message whose
 * conversation has an earlier message still waiting goes after it. Pacing (per number, per customer) happens before
 * the claim. Throws only for unexpected problems (the queue then retries; the poison handler settles the rest).
 */
export async function deliverMessage(services: DeliverServices, job: { firmId: number; messageId: string }, log: DeliverLogger, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
  const settings = options.settings ?? outboundSettings(services.config);
  const pacer = options.pacer ?? processPacer;
  const message = await loadMessage(services.db, job);
  if (!message) return 'skipped';
  if (message.Direction === 'inbound') return sendReadReceipt(services, message, settings);
  const now = services.clock.now();

  if (message.Status === 'sending') {
    if (message.LeaseUntil && message.LeaseUntil < now) return settleLostSend(services, message, now, log);
    return 'skipped';
  }
  if (message.Status !== 'queued' || message.WhatsAppMessageId !== null) return 'skipped';
  if (message.NextAttemptAt && message.NextAttemptAt.getTime() > now.getTime() + 1000) {
    // A duplicate queue message that came before the back-off ended: it waits for the rest.
    await enqueueOutbound(services, job.firmId, message.Id, now, (message.NextAttemptAt.getTime() - now.getTime()) / 1000);
    return 'deferred';
  }
  const before = await earlierPendingInConversation(services.db, message);
  if (before) {
    const untilBefore = before.NextAttemptAt ? (before.NextAttemptAt.getTime() - now.getTime()) / 1000 + 1 : 0;
    await enqueueOutbound(services, job.firmId, message.Id, now, Math.min(ORDER_RECHECK_SECONDS, Math.max(2, untilBefore)));
    return 'deferred';
  }

  const token = await firmSecret(services.db, services.config, job.firmId, 'AccessToken');
  if (!token) return failQueued(services, message, 'no-credentials', null, undefined, now, log);
  const client = new WhatsAppCloudClient(services.config.whatsApp.graphBaseUrl, message.PhoneNumberId, token, {
    apiVersion: services.config.whatsApp.graphApiVersion,
    timeoutInMs: settings.sendTimeoutMs,
  });

  let mediaId: string | undefined;
  if (message.UploadId) {
    try {
      mediaId = await ensureMetaMedia(services, client, job.firmId, message.UploadId, now);
    } catch (error) {
      return handleMediaUploadError(services, message, error, now, log, options.random);
    }
  }

  const recipient = message.CustomerWaId ? `+${message.CustomerWaId}` : (message.CustomerBsuid ?? '');
  const pairWait = pacer.takePairToken(message.PhoneNumberId, recipient);
  if (pairWait > 0) {
    await enqueueOutbound(services, job.firmId, message.Id, now, Math.max(1, pairWait / 1000));
    return 'deferred';
  }
  const slot = pacer.reserveNumberSlot(message.PhoneNumberId, message.MessagesPerSecond ?? settings.defaultMessagesPerSecond);
  if (slot.waitMs > MAX_IN_PROCESS_WAIT_MS) {
    slot.cancel();
    pacer.returnPairToken(message.PhoneNumberId, recipient);
    await enqueueOutbound(services, job.firmId, message.Id, now, slot.waitMs / 1000);
    return 'deferred';
  }
  if (slot.waitMs > 0) await sleep(slot.waitMs);

  const claimedAt = services.clock.now();
  if (!(await claimForSending(services.db, message.Id, claimedAt, settings.leaseMs))) {
    slot.cancel();
    pacer.returnPairToken(message.PhoneNumberId, recipient);
    return 'skipped';
  }
  const attempt = message.SendAttempts + 1;
  let request: { body: Record<string, unknown>; send: () => Promise<SendMessageResult> };
  try {
    request = buildSend(client, message, recipient, mediaId, await templateOf(services.db, message));
  } catch (error) {
    await releaseClaim(services.db, message.Id, claimedAt, claimedAt);
    throw error;
  }
  // The departure is counted right before the request starts, with nothing in between that could yield to other
  // work: the later it leaves after being counted, the more it can bunch with the next one at Meta's end.
  const rate = message.MessagesPerSecond ?? settings.defaultMessagesPerSecond;
  for (let wait = pacer.departNow(message.PhoneNumberId, rate); wait > 0; wait = pacer.departNow(message.PhoneNumberId, rate)) await sleep(wait);
  let result: SendMessageResult;
  try {
    result = await request.send();
  } catch (error) {
    if (error instanceof WhatsAppCloudError && error.details.code === 130429) pacer.noteThrottled(message.PhoneNumberId);
    return settleSendError(services, message, error, attempt, log, options.random);
  }
  return settleAccepted(services, message, result, request.body, log);
}

async function templateOf(db: Kysely<Database>, message: LoadedMessage): Promise<{ spec: TemplateParameterSpec; parameters: TemplateParameters } | undefined> {
  if (message.Type !== 'template') return undefined;
  const parameters = TemplateParametersSchema.parse(JSON.parse(message.TemplateParametersJson ?? '{}'));
  return { spec: await templateSpecOf(db, message, parameters), parameters };
}

/** The Graph call for a message row, and the body it sends (kept as the message's raw JSON). */
function buildSend(
  client: WhatsAppCloudClient,
  message: LoadedMessage,
  to: string,
  mediaId: string | undefined,
  template: { spec: TemplateParameterSpec; parameters: TemplateParameters } | undefined,
): { body: Record<string, unknown>; send: () => Promise<SendMessageResult> } {
  const options = {
    bizOpaqueCallbackData: message.Id,
    ...(message.ReplyToWhatsAppMessageId ? { replyToMessageId: message.ReplyToWhatsAppMessageId } : {}),
  };
  const describe = (type: string, object: Record<string, unknown>) => ({
    messaging_product: 'whatsapp',
    to,
    type,
    [type]: object,
    ...(options.replyToMessageId && type !== 'reaction' ? { context: { message_id: options.replyToMessageId } } : {}),
    biz_opaque_callback_data: message.Id,
  });
  if (message.Type === 'text') {
    const previewUrl = message.ContentJson?.includes('"previewUrl":true') ?? false;
    return { body: describe('text', { body: message.Text ?? '', ...(previewUrl ? { preview_url: true } : {}) }), send: () => client.sendTextMessage(to, message.Text ?? '', { ...options, previewUrl }) };
  }
  if (isMediaType(message.Type)) {
    if (!mediaId) throw new Error(`message ${message.Id} has no media id`);
    const media = { kind: message.Type, mediaId, ...(message.Text ? { caption: message.Text } : {}), ...(message.MediaFileName ? { fileName: message.MediaFileName } : {}) };
    return { body: describe(message.Type, { id: mediaId }), send: () => client.sendMediaMessage(to, media, options) };
  }
  if (message.Type === 'reaction') {
    const reaction = { messageId: message.ReactionToWhatsAppMessageId ?? '', emoji: message.ReactionEmoji ?? '' };
    return { body: describe('reaction', { message_id: reaction.messageId, emoji: reaction.emoji }), send: () => client.sendReactionMessage(to, reaction, options) };
  }
  if (message.Type === 'template' && template) {
    const components = templateComponents(template.spec, template.parameters, mediaId);
    const content = { name: message.TemplateName ?? '', languageCode: message.TemplateLanguage ?? '', components };
    return { body: describe('template', { name: content.name, language: { code: content.languageCode }, components }), send: () => client.sendTemplateMessage(to, content, options) };
  }
  throw new Error(`message ${message.Id} has type ${message.Type}, which cannot be sent`);
}

/** The stored template's parameter spec (button kinds, named body order); inferred from the values if it was removed. */
async function templateSpecOf(db: Kysely<Database>, message: LoadedMessage, parameters: TemplateParameters): Promise<TemplateParameterSpec> {
  const row = await db
    .selectFrom('WhatsApp_Templates')
    .select(['ComponentsJson', 'ParameterFormat'])
    .where('FirmId', '=', message.FirmId)
    .where('Name', '=', message.TemplateName ?? '')
    .where('Language', '=', message.TemplateLanguage ?? '')
    .executeTakeFirst();
  if (row) return templateParameterSpec(row.ComponentsJson, row.ParameterFormat);
  const named = parameters.body !== undefined && !Array.isArray(parameters.body);
  return {
    header: null,
    body: named ? Object.keys(parameters.body ?? {}) : [],
    bodyFormat: named ? 'named' : 'positional',
    buttons: (parameters.buttons ?? []).map((b) => ({ index: b.index, type: b.payload !== undefined ? 'quick_reply' : 'url', required: b.payload === undefined })),
  };
}

async function settleAccepted(services: DeliverServices, message: LoadedMessage, result: SendMessageResult, body: Record<string, unknown>, log: DeliverLogger): Promise<DeliveryOutcome> {
  const now = services.clock.now();
  const sent: RealtimeEvent = { type: 'message.updated', firmId: message.FirmId, conversationId: message.ConversationId, messageId: message.Id, change: 'status' };
  /** Records the acceptance; answers the real-time events it makes. */
  const record = (whatsAppMessageId: string | null) => services.db.transaction().execute(async (trx): Promise<RealtimeEvent[]> => {
    const events = [sent];
    await recordAccepted(trx, message.Id, whatsAppMessageId, JSON.stringify(body), now);
    if (whatsAppMessageId !== null) await applyPendingStatuses(trx, message.FirmId, message.Id, whatsAppMessageId, now);
    if (message.UploadId && isMediaType(message.Type)) {
      await trx.updateTable('WhatsApp_Messages').set({ MediaId: String((body[message.Type] as { id?: unknown } | undefined)?.id ?? '') || null }).where('Id', '=', message.Id).execute();
    }
    if (message.Type === 'reaction' && message.ReactionToWhatsAppMessageId) {
      const target = await trx
        .selectFrom('WhatsApp_Messages')
        .select(['Id', 'ConversationId'])
        .where('FirmId', '=', message.FirmId)
        .where('WhatsAppMessageId', '=', message.ReactionToWhatsAppMessageId)
        .executeTakeFirst();
      if (target) {
        await trx.updateTable('WhatsApp_Messages').set({ BusinessReaction: message.ReactionEmoji === '' ? null : message.ReactionEmoji, UpdatedAt: now }).where('Id', '=', target.Id).execute();
        events.push({ type: 'message.updated', firmId: message.FirmId, conversationId: target.ConversationId, messageId: target.Id, change: 'reaction' });
      }
    }
    return events;
  });
  let events: RealtimeEvent[];
  try {
    events = await record(result.messageId);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Meta's message ids are unique; an id another message already holds (a Graph stand-in that answers one id to every
    // send) must not fail a message that was accepted: it is recorded as sent, without that id.
    log.warn(`outbound: Graph answered ${result.messageId} for message ${message.Id}, an id another message of the firm holds; recorded as sent without it`);
    events = await record(null);
  }
  if (message.HealthState !== null && message.HealthState !== 'ok') await markChannelHealthy(services.db, message.FirmId, message.PhoneNumberId, now);
  publishInBackground(services.realtime, events, log);
  await wakeNext(services, message, now, log);
  return 'sent';
}

async function settleSendError(services: DeliverServices, message: LoadedMessage, error: unknown, attempt: number, log: DeliverLogger, random?: () => number): Promise<DeliveryOutcome> {
  const now = services.clock.now();
  const verdict = classifySendError(error);
  const language = await firmDefaultLanguage(services.db, message.FirmId);
  const graph = error instanceof WhatsAppCloudError ? error.details : {};
  const code = graph.code ?? null;
  const publish = () => publishInBackground(services.realtime, [{ type: 'message.updated', firmId: message.FirmId, conversationId: message.ConversationId, messageId: message.Id, change: 'status' }], log);
  const record = (reason: SendFailureReason): FailureRecord => ({
    code,
    title: graph.title ?? (error instanceof Error ? error.message : String(error)),
    details: explainSendFailure(reason, language) + metaNote(graph),
  });

  if (verdict.outcome === 'retry' && attempt < verdict.maxAttempts) {
    // Meta's pair limit counts its own refusals (retry after 4^X s); a throughput throttle before says nothing about the pair.
    const pairLimited = verdict.backoff === 'pair';
    // A `Retry-After` (a proxy's maintenance window) is honoured, so the few tries are not all spent inside it.
    const delay = Math.max(backoffSeconds(verdict.backoff, pairLimited ? message.PairLimitHits + 1 : attempt, random), Math.min(graph.retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS));
    const retryAt = new Date(now.getTime() + delay * 1000);
    if (await scheduleRetry(services.db, message.Id, retryAt, record(code ?? 'gave-up'), now, pairLimited)) {
      await enqueueOutbound(services, message.FirmId, message.Id, now, delay, true);
      publish();
    }
    return 'retry-scheduled';
  }
  if (verdict.outcome === 'unknown') {
    log.warn(`outbound: message ${message.Id}: ${error instanceof Error ? error.message : String(error)}; marked unknown, not re-sent`);
    if (await markUnknown(services.db, message.Id, record('unknown-outcome'), now)) publish();
    await wakeNext(services, message, now, log);
    return 'unknown';
  }
  const reason: SendFailureReason = verdict.outcome === 'retry' ? 'gave-up' : (code ?? 'gave-up');
  const failure = verdict.outcome === 'retry' ? { ...record('gave-up'), details: `${explainSendFailure('gave-up', language)} (${graph.errorDetails ?? graph.title ?? (error instanceof Error ? error.message : String(error))})` } : record(reason);
  if (await markFailed(services.db, message.Id, failure, now)) publish();
  if (verdict.outcome === 'fail' && verdict.channelHealth) {
    await raiseChannelHealthAlert(services.db, { firmId: message.FirmId, phoneNumberId: message.PhoneNumberId, code, messageId: message.Id }, now, services);
  }
  await wakeNext(services, message, now, log);
  return 'failed';
}

/** The longest `Retry-After` obeyed; a longer one still retries after this (the queue's visibility delay stays small). */
const MAX_RETRY_AFTER_SECONDS = 3600;

/** Meta's own words and its trace id (what Meta support asks for), appended to the operator's explanation. */
function metaNote(graph: WhatsAppCloudError['details']): string {
  const parts = [graph.errorDetails, graph.fbtraceId ? `fbtrace_id ${graph.fbtraceId}` : undefined].filter((part) => part !== undefined && part !== '');
  return parts.length > 0 ? ` (Meta: ${parts.join('; ')})` : '';
}

/** A `queued` message that cannot be sent at all (no credentials, file gone, Meta refused the file). */
async function failQueued(services: DeliverServices, message: LoadedMessage, reason: SendFailureReason, code: number | null, metaDetails: string | undefined, now: Date, log: DeliverLogger): Promise<DeliveryOutcome> {
  const language = await firmDefaultLanguage(services.db, message.FirmId);
  const failure: FailureRecord = { code, title: typeof reason === 'number' ? `Graph error ${reason}` : reason, details: explainSendFailure(reason, language) + (metaDetails ? ` (Meta: ${metaDetails})` : '') };
  if (await markFailed(services.db, message.Id, failure, now, ['queued'])) {
    publishInBackground(services.realtime, [{ type: 'message.updated', firmId: message.FirmId, conversationId: message.ConversationId, messageId: message.Id, change: 'status' }], log);
  }
  await wakeNext(services, message, now, log);
  return 'failed';
}

async function handleMediaUploadError(services: DeliverServices, message: LoadedMessage, error: unknown, now: Date, log: DeliverLogger, random?: () => number): Promise<DeliveryOutcome> {
  if (error instanceof UploadMissingError) return failQueued(services, message, 'media-missing', null, undefined, now, log);
  if (!(error instanceof WhatsAppCloudError)) throw error;
  const verdict = classifySendError(error);
  // An upload creates no message: one that timed out is simply uploaded again.
  if (verdict.outcome === 'fail') {
    const code = error.details.code ?? null;
    if (verdict.channelHealth) await raiseChannelHealthAlert(services.db, { firmId: message.FirmId, phoneNumberId: message.PhoneNumberId, code, messageId: message.Id }, now, services);
    return failQueued(services, message, code ?? 131053, code, error.details.errorDetails, now, log);
  }
  const delay = backoffSeconds(verdict.outcome === 'retry' ? verdict.backoff : 'transient', message.SendAttempts + 1, random);
  log.warn(`outbound: uploading the file of message ${message.Id} failed (${error.message}); trying again in ${delay} s`);
  await services.db
    .updateTable('WhatsApp_Messages')
    .set((eb) => ({ NextAttemptAt: new Date(now.getTime() + delay * 1000), SendAttempts: eb('SendAttempts', '+', 1), UpdatedAt: now }))
    .where('Id', '=', message.Id)
    .where('Status', '=', 'queued')
    .execute();
  if (message.SendAttempts + 1 >= 8) return failQueued(services, message, 'gave-up', error.details.code ?? null, error.message, now, log);
  await enqueueOutbound(services, message.FirmId, message.Id, now, delay);
  return 'retry-scheduled';
}

/** The worker that claimed this message died mid-send: Meta may have it, so it becomes `unknown`. */
async function settleLostSend(services: DeliverServices, message: LoadedMessage, now: Date, log: DeliverLogger): Promise<DeliveryOutcome> {
  const language = await firmDefaultLanguage(services.db, message.FirmId);
  const failure: FailureRecord = { code: null, title: 'worker-lost', details: explainSendFailure('worker-lost', language) };
  if (await markUnknown(services.db, message.Id, failure, now, now)) {
    publishInBackground(services.realtime, [{ type: 'message.updated', firmId: message.FirmId, conversationId: message.ConversationId, messageId: message.Id, change: 'status' }], log);
    await wakeNext(services, message, now, log);
    return 'unknown';
  }
  return 'skipped';
}

/** Wakes the conversation's next queued message now that this one is out of the way. */
async function wakeNext(services: DeliverServices, message: Pick<MessageRow, 'ConversationId' | 'Id'>, now: Date, log: DeliverLogger): Promise<void> {
  const next = await nextQueuedInConversation(services.db, message.ConversationId);
  if (!next || next.Id === message.Id) return;
  const delay = next.NextAttemptAt ? Math.max(0, (next.NextAttemptAt.getTime() - now.getTime()) / 1000) : 0;
  await enqueueOutbound(services, next.FirmId, next.Id, now, delay).catch((error: unknown) => log.warn(`outbound: could not wake message ${next.Id}`, error));
}

/** Marks an inbound message read at Meta (blue ticks). Idempotent at Meta, so every failure may simply be retried. */
async function sendReadReceipt(services: DeliverServices, message: LoadedMessage, settings: OutboundSettings): Promise<DeliveryOutcome> {
  if (!message.WhatsAppMessageId) return 'skipped';
  const token = await firmSecret(services.db, services.config, message.FirmId, 'AccessToken');
  if (!token) return 'skipped';
  const client = new WhatsAppCloudClient(services.config.whatsApp.graphBaseUrl, message.PhoneNumberId, token, {
    apiVersion: services.config.whatsApp.graphApiVersion,
    timeoutInMs: settings.sendTimeoutMs,
  });
  try {
    await client.markMessageAsRead(message.WhatsAppMessageId);
  } catch (error) {
    const verdict = classifySendError(error);
    if (verdict.outcome === 'fail') return 'skipped';
    throw error;
  }
  return 'read-receipt-sent';
}
