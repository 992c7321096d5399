// Timer: every day at 03:00 UTC each firm's templates are synced from its WABA (webhooks keep statuses current between).
import { app } from '@azure/functions';
import { getServices } from '../services';
import { syncAllFirmsTemplates } from '../templates/sync-templates';

app.timer('templates-sync-daily', {
  schedule: '0 0 3 * * *',
  handler: async (_timer, context) => {
    const results = await syncAllFirmsTemplates(await getServices(), { warn: (message) => context.warn(message) });
    context.log(`template sync: ${results.map((r) => `firm ${r.firmId}: ${r.listed} listed, ${r.created} new, ${r.removed} removed`).join('; ') || 'no firm has a WABA'}`);
  },
});
