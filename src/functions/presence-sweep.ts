// Timer: every 2 minutes, connections Web PubSub no longer has are closed in the presence table (src/presence/).
import { app } from '@azure/functions';
import { sweepPresence } from '../presence/sweep-presence';
import { getServices } from '../services';

app.timer('presence-sweep', {
  schedule: '0 */2 * * * *',
  handler: async (_timer, context) => {
    const result = await sweepPresence(await getServices(), context);
    if (result.closed > 0) context.log(`presence: ${result.closed} of ${result.checked} recorded connection(s) were gone; closed`);
  },
});
