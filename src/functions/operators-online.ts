// GET /api/operators/online: the caller's firm's operators with a live real-time connection (src/presence/).
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';
import { listOnlineOperators } from '../presence/list-online-operators';

defineRoute({
  name: 'operators-online',
  method: 'GET',
  route: 'operators/online',
  access: 'operator',
  handle: async ({ services, actor }) => ok(await listOnlineOperators(services, actor.firmId)),
});
