// GET /api/admin/operators: the operators of the admin's firm.
// Routes under admin/ are written `{area:regex(^admin$)}/…`: the Functions host refuses any route template that
// starts with "admin" (its own management API), even under the `api` prefix; the constraint serves the same URL.
import { listOperators } from '../admin/list-operators';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'admin-operators-list',
  method: 'GET',
  route: '{area:regex(^admin$)}/operators',
  access: 'Admin',
  handle: async ({ services, actor }) => ok(await listOperators(services, actor)),
});
