// POST /api/auth/password: a signed-in operator changes their password; every session ends and a new pair is returned.
import { ChangePasswordBodySchema } from '../auth/auth.schemas';
import { changePassword } from '../auth/change-password';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'auth-password',
  method: 'POST',
  route: 'auth/password',
  access: 'operator',
  body: ChangePasswordBodySchema,
  maxBodyBytes: 8 * 1024,
  handle: async ({ services, actor, body, origin }) =>
    ok(await changePassword(services, { actor, currentPassword: body.currentPassword, newPassword: body.newPassword, origin })),
});
