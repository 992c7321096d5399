// PATCH /api/admin/operators/{operatorId}: name, e-mail, phone, language, role, active flag.
import { OperatorIdParamsSchema, UpdateOperatorBodySchema } from '../admin/admin.schemas';
import { updateOperator } from '../admin/update-operator';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'admin-operators-update',
  method: 'PATCH',
  route: '{area:regex(^admin$)}/operators/{operatorId}',
  access: 'Admin',
  params: OperatorIdParamsSchema,
  body: UpdateOperatorBodySchema,
  maxBodyBytes: 16 * 1024,
  handle: async ({ services, actor, params, body, origin }) => ok(await updateOperator(services, actor, params.operatorId, body, origin)),
});
