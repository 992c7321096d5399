// POST /api/admin/operators: creates an operator in the admin's firm (route form explained in admin-operators-list.ts).
import { CreateOperatorBodySchema } from '../admin/admin.schemas';
import { createFirmOperator } from '../admin/create-firm-operator';
import { defineRoute } from '../http/define-route';
import { created } from '../http/respond';

defineRoute({
  name: 'admin-operators-create',
  method: 'POST',
  route: '{area:regex(^admin$)}/operators',
  access: 'Admin',
  body: CreateOperatorBodySchema,
  maxBodyBytes: 16 * 1024,
  handle: async ({ services, actor, body, origin }) => created(await createFirmOperator(services, actor, body, origin)),
});
