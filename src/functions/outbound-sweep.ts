// Timer: every minute, queue messages whose enqueue was lost and settle sends whose worker died (src/outbound/sweep-outbound.ts).
import { app } from '@azure/functions';
import { sweepOutbound } from '../outbound/sweep-outbound';
import { getServices } from '../services';

app.timer('outbound-sweep', {
  schedule: '0 * * * * *',
  handler: async (_timer, context) => {
    const result = await sweepOutbound(await getServices(), context);
    if (result.requeued + result.settledUnknown > 0) context.warn(`outbound sweep: ${result.requeued} re-queued, ${result.settledUnknown} marked unknown`);
  },
});
