// GET /api/admin/operators/{operatorId}: one operator of the admin's firm; another firm's id is 404.
import { OperatorIdParamsSchema } from '../admin/admin.schemas';
import { findFirmOperatorOr404 } from '../admin/find-firm-operator';
import { toOperatorView } from '../admin/operator-view';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'admin-operators-get',
  method: 'GET',
  route: '{area:regex(^admin$)}/operators/{operatorId}',
  access: 'Admin',
  params: OperatorIdParamsSchema,
  handle: async ({ services, actor, params }) => ok(toOperatorView(await findFirmOperatorOr404(services, actor, params.operatorId), services.clock.now())),
});
