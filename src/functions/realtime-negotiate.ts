// POST /api/realtime/negotiate: a 15-minute Web PubSub client URL for the signed-in operator (src/realtime/negotiate-realtime.ts).
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';
import { negotiateRealtime } from '../realtime/negotiate-realtime';

defineRoute({
  name: 'realtime-negotiate',
  method: 'POST',
  route: 'realtime/negotiate',
  access: 'operator',
  handle: async ({ services, actor }) => ok(await negotiateRealtime(services, actor)),
});
