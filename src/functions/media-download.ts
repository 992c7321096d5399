// Queue worker `media-downloads`: stores an inbound message's file; retried by the queue, marked failed on the last try.
import { app } from '@azure/functions';
import { downloadMessageMedia } from '../media/download-message-media';
import { getServices } from '../services';
import { queues } from '../storage/queue-catalogue';

/** host.json `extensions.queues.maxDequeueCount`: the attempt that, failing, sends the message to the poison queue. */
const MAX_DEQUEUE_COUNT = 5;

app.storageQueue('media-download', {
  queueName: queues.mediaDownloads.name,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const job = queues.mediaDownloads.schema.parse(typeof message === 'string' ? JSON.parse(message) : message);
    const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
    await downloadMessageMedia(await getServices(), job, { dequeueCount, maxDequeueCount: MAX_DEQUEUE_COUNT }, context);
  },
});
