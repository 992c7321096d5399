// Queue worker `outbound-messages-poison`: a message whose sending failed five times ends `failed` (or `unknown`), live.
import { app } from '@azure/functions';
import { abandonPoisonMessage } from '../outbound/abandon-poison-message';
import { getServices } from '../services';
import { queues } from '../storage/queue-catalogue';

app.storageQueue('outbound-poison', {
  queueName: `${queues.outboundMessages.name}-poison`,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const job = queues.outboundMessages.schema.parse(typeof message === 'string' ? JSON.parse(message) : message);
    const status = await abandonPoisonMessage(await getServices(), job, context);
    context.error(`outbound message ${job.messageId} reached the poison queue; it is now ${status ?? 'gone'}`);
  },
});
