// Every queue the app uses, with its payload schema: payloads carry ids, never copies of rows.
import type { QueueServiceClient } from '@azure/storage-queue';
import { z } from 'zod';

export const queues = {
  /** A verified webhook body to replay: inline, or (over the 64 KiB message limit) the name of a blob holding it. */
  inboundWebhooks: {
    name: 'inbound-webhooks',
    schema: z.union([z.object({ receivedAt: z.string(), body: z.string() }).strict(), z.object({ receivedAt: z.string(), bodyBlob: z.string() }).strict()]),
  },
  mediaDownloads: { name: 'media-downloads', schema: z.object({ firmId: z.number().int(), messageId: z.string() }) },
  outboundMessages: { name: 'outbound-messages', schema: z.object({ firmId: z.number().int(), messageId: z.string() }) },
  notifications: { name: 'notifications', schema: z.object({ firmId: z.number().int(), notificationId: z.string() }) },
} as const;

export type QueueName = keyof typeof queues;
export type QueuePayload<N extends QueueName> = z.infer<(typeof queues)[N]['schema']>;

/** Every queue name, with its `-poison` twin, for health checks and set-up. */
export const allQueueNames = Object.values(queues).map((q) => q.name);

/**
 * Sends one message the way the Functions queue output binding does: base64 of the JSON text
 * (host.json keeps the default `messageEncoding: base64`, and the SDK does not encode by itself).
 */
export async function enqueue<N extends QueueName>(
  client: QueueServiceClient,
  queue: N,
  payload: QueuePayload<N>,
  options: { visibilityTimeoutSeconds?: number } = {},
): Promise<void> {
  const spec = queues[queue];
  const text = JSON.stringify(spec.schema.parse(payload));
  await client.getQueueClient(spec.name).sendMessage(Buffer.from(text, 'utf8').toString('base64'), {
    visibilityTimeout: options.visibilityTimeoutSeconds,
  });
}

/** Creates every queue and its poison twin if missing (idempotent). */
export async function ensureQueues(client: QueueServiceClient): Promise<void> {
  await Promise.all(allQueueNames.flatMap((name) => [client.getQueueClient(name).createIfNotExists(), client.getQueueClient(`${name}-poison`).createIfNotExists()]));
}
