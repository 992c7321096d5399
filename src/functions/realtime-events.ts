// POST and OPTIONS /api/realtime/events: Web PubSub's event handler (signed CloudEvents; src/realtime/handle-realtime-event.ts).
import { app } from '@azure/functions';
import { handleRealtimeEvent } from '../realtime/handle-realtime-event';
import { getServices } from '../services';

app.http('realtime-events', {
  methods: ['POST', 'OPTIONS'],
  route: 'realtime/events',
  authLevel: 'anonymous',
  handler: async (request, context) => {
    try {
      const services = await getServices();
      const response = await handleRealtimeEvent(services, { method: request.method, header: (name) => request.headers.get(name) }, context);
      return { status: response.status, headers: { 'cache-control': 'no-store', ...response.headers } };
    } catch (error) {
      // 5xx: the service retries connected/disconnected, and the presence change is idempotent.
      context.error('realtime: an upstream event failed', error);
      return { status: 500, headers: { 'cache-control': 'no-store' } };
    }
  },
});
