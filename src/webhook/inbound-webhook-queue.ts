// Keeps a verified body for a later replay on the `inbound-webhooks` queue; bodies too big for a queue message go to a blob.
import { randomUUID } from 'node:crypto';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { QueueServiceClient } from '@azure/storage-queue';
import { enqueue, queues, type QueuePayload } from '../storage/queue-catalogue';

/** Blob container holding bodies whose queue message would pass Azure's 64 KiB limit. */
export const INBOUND_BODY_CONTAINER = 'inbound-webhooks';

/** Azure Storage queue messages hold at most 64 KiB of (here base64) text. */
const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;

function base64Length(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 3) * 4;
}

/** Enqueues the raw body (or, when large, a reference to a blob holding it). Throws if it could not be kept. */
export async function keepForReplay(storage: { queues: QueueServiceClient; blobs: BlobServiceClient }, rawText: string, receivedAt: Date): Promise<void> {
  const inline: QueuePayload<'inboundWebhooks'> = { receivedAt: receivedAt.toISOString(), body: rawText };
  if (base64Length(JSON.stringify(inline)) <= MAX_QUEUE_MESSAGE_BYTES) {
    await enqueue(storage.queues, 'inboundWebhooks', inline);
    return;
  }
  const container = storage.blobs.getContainerClient(INBOUND_BODY_CONTAINER);
  await container.createIfNotExists();
  const name = `${receivedAt.toISOString().slice(0, 10)}/${randomUUID()}.json`;
  await container.getBlockBlobClient(name).upload(rawText, Buffer.byteLength(rawText, 'utf8'), { blobHTTPHeaders: { blobContentType: 'application/json' } });
  await enqueue(storage.queues, 'inboundWebhooks', { receivedAt: receivedAt.toISOString(), bodyBlob: name });
}

/** A replay message as the queue trigger hands it over (an object, or the JSON text, depending on the host). */
export function parseReplayMessage(message: unknown): QueuePayload<'inboundWebhooks'> {
  const value = typeof message === 'string' ? (JSON.parse(message) as unknown) : message;
  return queues.inboundWebhooks.schema.parse(value);
}

/**
 * The body text of a replay message, reading the blob when the body was too large for the queue. Undefined when
 * that blob is gone: it is deleted only after a successful replay, so the message is a redelivery of a done job.
 */
export async function replayBody(blobs: BlobServiceClient, payload: QueuePayload<'inboundWebhooks'>): Promise<{ text: string; blobName: string | undefined } | undefined> {
  if ('body' in payload) return { text: payload.body, blobName: undefined };
  const blobName = payload.bodyBlob;
  try {
    const bytes = await blobs.getContainerClient(INBOUND_BODY_CONTAINER).getBlockBlobClient(blobName).downloadToBuffer();
    return { text: bytes.toString('utf8'), blobName };
  } catch (error) {
    if ((error as { statusCode?: unknown }).statusCode === 404) return undefined;
    throw error;
  }
}

/** Deletes a replayed body's blob once it is stored (best effort: a leftover blob is only storage). */
export async function forgetReplayBlob(blobs: BlobServiceClient, blobName: string): Promise<void> {
  await blobs.getContainerClient(INBOUND_BODY_CONTAINER).getBlockBlobClient(blobName).deleteIfExists();
}
