// POST /api/auth/password-reset/confirm: a link token (or a user name and SMS code) and a new password.
import { PasswordResetConfirmBodySchema } from '../auth/auth.schemas';
import { confirmPasswordReset } from '../auth/password-reset';
import { defineRoute } from '../http/define-route';
import { noContent } from '../http/respond';

defineRoute({
  name: 'auth-password-reset-confirm',
  method: 'POST',
  route: 'auth/password-reset/confirm',
  access: 'anonymous',
  body: PasswordResetConfirmBodySchema,
  maxBodyBytes: 8 * 1024,
  handle: async ({ services, body, origin }) => {
    if (body.token !== undefined) await confirmPasswordReset(services, { token: body.token, newPassword: body.newPassword, origin });
    else await confirmPasswordReset(services, { code: body.code ?? '', userName: body.userName ?? '', newPassword: body.newPassword, origin });
    return noContent();
  },
});
