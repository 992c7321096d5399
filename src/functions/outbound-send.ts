// Queue worker `outbound-messages`: sends one message (or read receipt) to Meta; see src/outbound/deliver-message.ts.
import { app } from '@azure/functions';
import { deliverMessage } from '../outbound/deliver-message';
import { getServices } from '../services';
import { queues } from '../storage/queue-catalogue';

app.storageQueue('outbound-send', {
  queueName: queues.outboundMessages.name,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const job = queues.outboundMessages.schema.parse(typeof message === 'string' ? JSON.parse(message) : message);
    const outcome = await deliverMessage(await getServices(), job, context);
    if (outcome !== 'sent' && outcome !== 'read-receipt-sent') context.log(`outbound message ${job.messageId}: ${outcome}`);
  },
});
