// Timer: applies template status webhooks that no request has applied yet (listing and sending apply them at once too).
import { app } from '@azure/functions';
import { getServices } from '../services';
import { applyPendingTemplateStatusEvents } from '../templates/apply-template-status';

app.timer('templates-status-apply', {
  schedule: '30 * * * * *',
  handler: async (_timer, context) => {
    const services = await getServices();
    const applied = await applyPendingTemplateStatusEvents(services.db, services.clock.now());
    if (applied > 0) context.log(`applied ${applied} template status change(s)`);
  },
});
