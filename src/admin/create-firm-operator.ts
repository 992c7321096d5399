// An admin creates an operator in their own firm, with a password or with a reset sent to choose one.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Actor, RequestOrigin } from '../auth/actor';
import { sendPasswordReset } from '../auth/password-reset';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import type { CreateOperatorBodySchema } from './admin.schemas';
import { createOperator } from './create-operator';
import { toOperatorView, type OperatorView } from './operator-view';

export type CreateFirmOperatorInput = z.infer<typeof CreateOperatorBodySchema>;

/**
 * The firm is the admin's own, whatever the body says. Without a password the account gets an unusable random
 * one and the operator is sent a reset (e-mail first, else SMS) to choose their own.
 */
export async function createFirmOperator(services: Services, actor: Actor, input: CreateFirmOperatorInput, origin: RequestOrigin): Promise<OperatorView> {
  if (input.password === undefined && !input.email && !input.phone) {
    throw new AppError(
      'InvalidRequest',
      { tr: 'Parola ya da sıfırlama gönderilecek bir e-posta veya telefon gerekli.', en: 'Give a password, or an e-mail or phone to send a reset to.' },
      { fields: { 'body.password': 'is required without email or phone' } },
    );
  }
  const generated = input.password === undefined;
  const row = await createOperator(
    services,
    {
      firmId: actor.firmId,
      userName: input.userName,
      fullName: input.fullName,
      email: input.email,
      phone: input.phone,
      role: input.role,
      language: input.language ?? 'tr',
      password: input.password ?? randomBytes(32).toString('base64url'),
    },
    { actor, origin, via: 'api', passwordGenerated: generated },
  );
  if (generated) await sendPasswordReset(services, row, row.Email ? 'email' : 'sms', origin, actor);
  return toOperatorView(row, services.clock.now());
}
