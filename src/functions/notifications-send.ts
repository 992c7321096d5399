// Queue worker `notifications`: sends one e-mail or SMS by (firm, notification id); the last failed try marks it failed.
import { app } from '@azure/functions';
import { abandonNotification, deliverNotification } from '../notifications/deliver-notification';
import { getServices } from '../services';
import { queues } from '../storage/queue-catalogue';

/** host.json `extensions.queues.maxDequeueCount`: the attempt that, failing, sends the message to the poison queue. */
const MAX_DEQUEUE_COUNT = 5;

app.storageQueue('notifications-send', {
  queueName: queues.notifications.name,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const job = queues.notifications.schema.parse(typeof message === 'string' ? JSON.parse(message) : message);
    const services = await getServices();
    try {
      const outcome = await deliverNotification(services, job);
      if (outcome.status === 'sent') {
        const where = outcome.receipt.outboxPath ? ` written to ${outcome.receipt.outboxPath}` : '';
        context.log(`notification ${job.notificationId} (${outcome.kind}, ${outcome.channel}) sent via ${outcome.provider}${where}`);
      } else {
        context.log(`notification ${job.notificationId}: ${outcome.status}, nothing to send`);
      }
    } catch (error) {
      const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
      if (dequeueCount >= MAX_DEQUEUE_COUNT) {
        await abandonNotification(services, job);
        context.error(`notification ${job.notificationId} failed for the last time and is marked failed`);
      }
      throw error;
    }
  },
});
