// An admin sends an operator of their firm a password reset (link by e-mail or code by SMS).
import type { Actor, RequestOrigin } from '../auth/actor';
import { sendPasswordReset } from '../auth/password-reset';
import { throttleRules } from '../auth/throttle-rules';
import { preferredChannel, type NotificationChannel } from '../notifications/create-notification';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { findFirmOperatorOr404 } from './find-firm-operator';

/** Unlike the anonymous request, an admin is told why nothing was sent. */
export async function sendOperatorPasswordReset(
  services: Services,
  actor: Actor,
  operatorId: string,
  channel: NotificationChannel | undefined,
  origin: RequestOrigin,
): Promise<{ channel: NotificationChannel }> {
  const operator = await findFirmOperatorOr404(services, actor, operatorId);
  const chosen = channel ?? preferredChannel(operator);
  if (!chosen) throw noAddress('email');
  const result = await sendPasswordReset(services, operator, chosen, origin, actor);
  switch (result) {
    case 'sent':
      return { channel: chosen };
    case 'no-address':
      throw noAddress(chosen);
    case 'inactive':
      throw new AppError('Conflict', { tr: 'Operatör hesabı kapalı.', en: 'The operator is deactivated.' });
    case 'limited':
      throw new AppError('TooManyRequests', undefined, { retryAfterSeconds: throttleRules.resetRequestsPerAccount.windowSeconds });
  }
}

function noAddress(channel: NotificationChannel): AppError {
  return channel === 'email'
    ? new AppError('InvalidRequest', { tr: 'Operatörün e-posta adresi yok.', en: 'The operator has no e-mail address.' }, { fields: { 'body.channel': 'no e-mail address' } })
    : new AppError('InvalidRequest', { tr: 'Operatörün telefon numarası yok.', en: 'The operator has no phone number.' }, { fields: { 'body.channel': 'no phone number' } });
}
