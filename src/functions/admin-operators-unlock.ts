// POST /api/admin/operators/{operatorId}/unlock: lifts a lockout early.
import { OperatorIdParamsSchema } from '../admin/admin.schemas';
import { unlockOperator } from '../admin/unlock-operator';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'admin-operators-unlock',
  method: 'POST',
  route: '{area:regex(^admin$)}/operators/{operatorId}/unlock',
  access: 'Admin',
  params: OperatorIdParamsSchema,
  maxBodyBytes: 1024,
  handle: async ({ services, actor, params, origin }) => ok(await unlockOperator(services, actor, params.operatorId, origin)),
});
