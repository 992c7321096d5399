// POST /api/auth/password-reset: asks for a reset link (e-mail) or code (SMS); always the same 202, whoever asks.
import { PasswordResetRequestBodySchema } from '../auth/auth.schemas';
import { requestPasswordReset, type ResetIdentifier } from '../auth/password-reset';
import { defineRoute } from '../http/define-route';
import { accepted } from '../http/respond';

const answer = {
  tr: 'Bu bilgilerle bir hesap varsa, parola sıfırlama bağlantısı veya kodu gönderildi.',
  en: 'If an account matches, a password reset link or code has been sent.',
} as const;

defineRoute({
  name: 'auth-password-reset',
  method: 'POST',
  route: 'auth/password-reset',
  access: 'anonymous',
  body: PasswordResetRequestBodySchema,
  maxBodyBytes: 4 * 1024,
  handle: async ({ services, body, origin, language }) => {
    const identifier: ResetIdentifier =
      body.userName !== undefined ? { userName: body.userName } : body.email !== undefined ? { email: body.email } : { phone: body.phone ?? '' };
    const channel = body.channel ?? (body.phone !== undefined ? 'sms' : 'email');
    await requestPasswordReset(services, { identifier, channel, origin });
    return accepted({ status: 'accepted', message: answer[language] });
  },
});
