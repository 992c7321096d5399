// POST /api/admin/operators/{operatorId}/password-reset: sends the operator a reset link (e-mail) or code (SMS).
import { AdminPasswordResetBodySchema, OperatorIdParamsSchema } from '../admin/admin.schemas';
import { sendOperatorPasswordReset } from '../admin/send-operator-password-reset';
import { defineRoute } from '../http/define-route';
import { accepted } from '../http/respond';

defineRoute({
  name: 'admin-operators-password-reset',
  method: 'POST',
  route: '{area:regex(^admin$)}/operators/{operatorId}/password-reset',
  access: 'Admin',
  params: OperatorIdParamsSchema,
  body: AdminPasswordResetBodySchema,
  maxBodyBytes: 1024,
  handle: async ({ services, actor, params, body, origin }) => accepted(await sendOperatorPasswordReset(services, actor, params.operatorId, body.channel, origin)),
});
