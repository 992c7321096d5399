// Timer: every 30 seconds, conversations of agents offline too long go back to the queue and the queue goes to agents online.
import { app } from '@azure/functions';
import { runAssignmentSweep } from '../assignment/run-assignment-sweep';
import { getServices } from '../services';

app.timer('assignment-sweep', {
  // Every 30 s: well inside the default 300 s grace period, and an agent coming online gets waiting work within 30 s.
  schedule: '*/30 * * * * *',
  handler: async (_timer, context) => {
    const services = await getServices();
    const result = await runAssignmentSweep(services, context);
    if (result.released > 0 || result.assigned > 0) {
      context.log(`assignment: ${result.released} conversation(s) handed back, ${result.assigned} assigned, over ${result.firms} firm(s)`);
    }
  },
});
