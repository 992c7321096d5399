// The `media-downloads` worker's use case: fetch an inbound message's file from Meta, check it, store it, mark it ready.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { Config } from '../config';
import type { Database } from '../db/tables';
import type { RealtimePublisher } from '../realtime/realtime-publisher';
import type { Clock } from '../shared/clock';
import { firmSecret } from '../firms/firm-secrets';
import { defaultMediaFileName, mediaBlobPath, mediaContainer } from './media-blob-store';
import { WhatsAppMediaClient, WhatsAppMediaError } from './whatsapp-media.client';

export interface MediaServices {
  readonly db: Kysely<Database>;
  readonly config: Pick<Config, 'jwt' | 'whatsApp' | 'bootstrap'>;
  readonly clock: Clock;
  readonly storage: { readonly blobs: BlobServiceClient };
  readonly realtime: RealtimePublisher;
}

/** Which delivery of the queue message this is; the last one marks the message `failed` before giving up. */
export interface DeliveryAttempt {
  readonly dequeueCount: number;
  readonly maxDequeueCount: number;
}

export type MediaDownloadOutcome = 'ready' | 'already-done' | 'failed';

interface Logger {
  warn(...args: unknown[]): void;
}

/**
 * Downloads the media of one inbound message: `GET /{media-id}` for a five-minute URL, the file with the bearer
 * token, then checks its size and SHA-256 against Meta's and stores it under `media/<firm>/<conversation>/<message>/`.
 * A transient failure throws (the queue retries, each time with a fresh URL); a permanent one (Meta no longer has
 * the media) or the last attempt marks the message's media `failed`, so it shows as such instead of pending forever.
 * The message itself (text, caption) was stored long before and is never at risk here.
 */
export async function downloadMessageMedia(services: MediaServices, job: { firmId: number; messageId: string }, attempt: DeliveryAttempt, log: Logger): Promise<MediaDownloadOutcome> {
  const message = await services.db
    .selectFrom('WhatsApp_Messages as m')
    .innerJoin('WhatsApp_Conversations as c', 'c.Id', 'm.ConversationId')
    .select(['m.Id', 'm.ConversationId', 'm.Type', 'm.MediaId', 'm.MediaState', 'm.MediaMimeType', 'm.MediaSha256', 'm.MediaFileName', 'c.PhoneNumberId'])
    .where('m.Id', '=', job.messageId)
    .where('m.FirmId', '=', job.firmId)
    .executeTakeFirst();
  if (!message?.MediaId || message.MediaState !== 'pending') return 'already-done';
  const mediaId = message.MediaId;

  try {
    const token = await firmSecret(services.db, services.config, job.firmId, 'AccessToken');
    if (!token) throw new WhatsAppMediaError(`firm ${job.firmId} has no WhatsApp access token`, false);
    const client = new WhatsAppMediaClient({ baseUrl: services.config.whatsApp.graphBaseUrl, apiVersion: services.config.whatsApp.graphApiVersion });
    const info = await client.getMediaInfo(mediaId, token, { phoneNumberId: message.PhoneNumberId });
    const { bytes, contentType } = await client.downloadMedia(info.url, token);
    if (info.fileSize !== undefined && bytes.length !== info.fileSize) {
      throw new WhatsAppMediaError(`downloaded ${bytes.length} bytes, Meta announced ${info.fileSize}`, false);
    }
    const digest = createHash('sha256').update(bytes).digest();
    for (const claimed of [info.sha256, message.MediaSha256 ?? undefined]) {
      if (claimed !== undefined && !sameDigest(digest, claimed)) throw new WhatsAppMediaError('the downloaded file does not match the SHA-256 Meta gave', false);
    }
    const mimeType = info.mimeType ?? message.MediaMimeType ?? contentType ?? 'application/octet-stream';
    const fileName = message.MediaFileName ?? defaultMediaFileName(message.Type, mediaId, mimeType);
    const blobPath = mediaBlobPath({ firmId: job.firmId, conversationId: message.ConversationId, messageId: message.Id, fileName });
    const container = await mediaContainer(services.storage.blobs);
    await container.getBlockBlobClient(blobPath).uploadData(bytes, {
      blobHTTPHeaders: { blobContentType: mimeType },
      metadata: { sha256: digest.toString('hex'), mediaid: mediaId },
    });
    const now = services.clock.now();
    const updated = await services.db
      .updateTable('WhatsApp_Messages')
      .set({ MediaState: 'ready', MediaBlobPath: blobPath, MediaSize: bytes.length, MediaMimeType: mimeType.slice(0, 255), MediaError: null, UpdatedAt: now })
      .where('Id', '=', message.Id)
      .where('MediaState', '=', 'pending')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) await publishMediaChange(services, job.firmId, message.ConversationId, message.Id, log);
    return 'ready';
  } catch (error) {
    const permanent = error instanceof WhatsAppMediaError && error.permanent;
    const last = attempt.dequeueCount >= attempt.maxDequeueCount;
    log.warn(`media ${mediaId} of message ${message.Id}: attempt ${attempt.dequeueCount} failed${permanent ? ' (permanent)' : ''}`, error);
    if (!permanent && !last) throw error;
    await markFailed(services, job.firmId, message.ConversationId, message.Id, error, log);
    // The last attempt still throws: the queue message lands in `media-downloads-poison`, which health reports.
    if (!permanent) throw error;
    return 'failed';
  }
}

async function markFailed(services: MediaServices, firmId: number, conversationId: string, messageId: string, error: unknown, log: Logger): Promise<void> {
  const reason = error instanceof Error ? error.message : String(error);
  const updated = await services.db
    .updateTable('WhatsApp_Messages')
    .set({ MediaState: 'failed', MediaError: reason.slice(0, 1000), UpdatedAt: services.clock.now() })
    .where('Id', '=', messageId)
    .where('MediaState', '=', 'pending')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) await publishMediaChange(services, firmId, conversationId, messageId, log);
}

async function publishMediaChange(services: MediaServices, firmId: number, conversationId: string, messageId: string, log: Logger): Promise<void> {
  await services.realtime
    .publish([{ type: 'message.updated', firmId, conversationId, messageId, change: 'media' }])
    .catch((error: unknown) => log.warn('media: real-time publish failed', error));
}

/** Meta gives SHA-256 as base64 in webhooks and as hex from `GET /{media-id}`; either form matches. */
export function sameDigest(digest: Buffer, claimed: string): boolean {
  const text = claimed.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return text.toLowerCase() === digest.toString('hex');
  return text.replace(/=+$/, '') === digest.toString('base64').replace(/=+$/, '') || text.replace(/=+$/, '') === digest.toString('base64url');
}
