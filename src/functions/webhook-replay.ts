// Queue worker `inbound-webhooks`: replays bodies the webhook kept because storing them failed; never duplicates.
import { app } from '@azure/functions';
import { withAssignment } from '../assignment/with-assignment';
import { getServices } from '../services';
import { queues } from '../storage/queue-catalogue';
import { replayInboundWebhook } from '../webhook/receive-webhook';

app.storageQueue('inbound-webhooks-replay', {
  queueName: queues.inboundWebhooks.name,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    await replayInboundWebhook(withAssignment(await getServices(), context), message, context);
  },
});
