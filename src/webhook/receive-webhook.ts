// POST /api/webhook as a use case: verify the raw bytes, parse, process; keep the body for a replay when anything fails.
import type { Kysely } from 'kysely';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { QueueServiceClient } from '@azure/storage-queue';
import type { Config } from '../config';
import type { Database } from '../db/tables';
import type { RealtimePublisher } from '../realtime/realtime-publisher';
import type { Clock } from '../shared/clock';
import { enqueue } from '../storage/queue-catalogue';
import { forgetReplayBlob, keepForReplay, parseReplayMessage, replayBody } from './inbound-webhook-queue';
import { parseWebhookPayload } from './parse-webhook-payload';
import { processWebhook, type ProcessWebhookDeps, type WebhookLog } from './process-webhook';
import { verifyWebhookSignature } from './verify-signature';
import { verifySubscription, type SubscriptionQuery } from './verify-subscription';
import { webhookCredentials } from './webhook-credentials';

/** What the webhook needs from the app's services. */
export interface WebhookServices {
  readonly db: Kysely<Database>;
  readonly config: Pick<Config, 'jwt' | 'whatsApp' | 'bootstrap'>;
  readonly clock: Clock;
  readonly storage: { readonly queues: QueueServiceClient; readonly blobs: BlobServiceClient };
  readonly realtime: RealtimePublisher;
  /** Inbox (issue 6): automatic assignment, given by the function that composes the services (see ProcessWebhookDeps). */
  readonly onConversationsOpened?: ProcessWebhookDeps['onConversationsOpened'];
  /** Outbound (issue 7): the sending pacer counts what the number received (see ProcessWebhookDeps). */
  readonly onMessagesReceived?: ProcessWebhookDeps['onMessagesReceived'];
}

export interface WebhookResponse {
  readonly status: 200 | 400 | 401 | 403 | 503;
  /** Plain text: the challenge for the handshake, a short word otherwise. */
  readonly text: string;
}

function processDeps(services: WebhookServices, log: WebhookLog): ProcessWebhookDeps {
  return {
    db: services.db,
    clock: services.clock,
    realtime: services.realtime,
    log,
    enqueueMediaDownload: (firmId, messageId) => enqueue(services.storage.queues, 'mediaDownloads', { firmId, messageId }),
    onConversationsOpened: services.onConversationsOpened,
    onMessagesReceived: services.onMessagesReceived,
  };
}

/** The handshake: 200 with the challenge, or 403. */
export async function verifyWebhookSubscription(services: WebhookServices, query: SubscriptionQuery, log: WebhookLog): Promise<WebhookResponse> {
  let tokens: readonly string[];
  try {
    tokens = (await webhookCredentials(services, { onError: (firmId, error) => log.error(`webhook: firm ${firmId}'s verify token does not open`, error) })).verifyTokens;
  } catch (error) {
    log.error('webhook: could not read verify tokens; only the setting is used', error);
    tokens = services.config.whatsApp.verifyToken ? [services.config.whatsApp.verifyToken] : [];
  }
  const challenge = verifySubscription(query, tokens);
  return challenge === undefined ? { status: 403, text: 'Forbidden' } : { status: 200, text: challenge };
}

/**
 * A delivery from Meta. 401 unless the signature is valid for some configured app secret (nothing is stored);
 * 400 for a signed body that is not JSON; otherwise 200 — after storing it, or, if storing failed, after putting
 * the body on the `inbound-webhooks` queue. 503 only when even that failed, so Meta delivers again.
 */
export async function receiveWebhook(services: WebhookServices, input: { rawBody: Buffer; signatureHeader: string | null }, log: WebhookLog): Promise<WebhookResponse> {
  const receivedAt = services.clock.now();
  if (!(await isSigned(services, input, log))) {
    log.warn('webhook: refused a delivery with a missing or wrong X-Hub-Signature-256');
    return { status: 401, text: 'Unauthorized' };
  }
  const rawText = input.rawBody.toString('utf8');
  const parsed = parseWebhookPayload(rawText);
  if (parsed.kind === 'malformed') return { status: 400, text: 'Bad Request' };
  try {
    const result = await processWebhook(processDeps(services, log), parsed, rawText, receivedAt);
    if (result.failedChanges === 0) return { status: 200, text: 'OK' };
  } catch (error) {
    log.error('webhook: processing failed', error);
  }
  try {
    await keepForReplay(services.storage, rawText, receivedAt);
    return { status: 200, text: 'OK' };
  } catch (error) {
    log.error('webhook: could not keep a failed delivery for replay; asking Meta to deliver again', error);
    return { status: 503, text: 'Service Unavailable' };
  }
}

async function isSigned(services: WebhookServices, input: { rawBody: Buffer; signatureHeader: string | null }, log: WebhookLog): Promise<boolean> {
  const onError = (firmId: number, error: unknown) => log.error(`webhook: firm ${firmId}'s app secret does not open`, error);
  try {
    const cached = await webhookCredentials(services, { onError });
    if (verifyWebhookSignature(input.rawBody, input.signatureHeader, cached.appSecrets)) return true;
    // A firm added moments ago is not in the cache yet; re-read (at most once a second).
    const fresh = await webhookCredentials(services, { fresh: true, onError });
    return fresh !== cached && verifyWebhookSignature(input.rawBody, input.signatureHeader, fresh.appSecrets);
  } catch (error) {
    // Database down: the default firm's secret from settings still tells a real delivery from a forged one.
    log.error('webhook: could not read app secrets; checking with the setting only', error);
    const fallback = services.config.whatsApp.appSecret;
    return fallback !== undefined && verifyWebhookSignature(input.rawBody, input.signatureHeader, [fallback]);
  }
}

/**
 * The `inbound-webhooks` queue trigger: processes a kept body again. Throws while any change still fails, so the
 * host retries it and, after `maxDequeueCount`, parks it in `inbound-webhooks-poison` (reported by /api/health).
 */
export async function replayInboundWebhook(services: WebhookServices, message: unknown, log: WebhookLog): Promise<void> {
  const payload = parseReplayMessage(message);
  const kept = await replayBody(services.storage.blobs, payload);
  if (!kept) {
    log.warn('webhook replay: the kept body was already replayed (its blob is gone); nothing to do');
    return;
  }
  const { text, blobName } = kept;
  const parsed = parseWebhookPayload(text);
  if (parsed.kind === 'malformed') {
    log.error('webhook replay: the kept body is not JSON; dropping it');
    return;
  }
  const receivedAt = new Date(payload.receivedAt);
  const result = await processWebhook(processDeps(services, log), parsed, text, Number.isNaN(receivedAt.getTime()) ? services.clock.now() : receivedAt);
  if (result.failedChanges > 0) throw new Error(`webhook replay: ${result.failedChanges} of ${result.changes} changes still fail`);
  if (blobName) await forgetReplayBlob(services.storage.blobs, blobName).catch((error: unknown) => log.warn('webhook replay: could not delete the kept body', error));
}
