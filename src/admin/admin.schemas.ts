// Request shapes of the admin endpoints, built from the shared operator field schemas.
import { z } from 'zod';
import { EmailSchema, PhoneSchema } from '../shared/contact-address.schemas';
import { FullNameSchema, LanguageSchema, RoleSchema, UserNameSchema } from './operator.schemas';

/** A UUID as the app makes them (lower- or upper-case hex). */
export const OperatorIdParamsSchema = z.object({
  operatorId: z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be an operator id'),
});

export const CreateOperatorBodySchema = z.object({
  userName: UserNameSchema,
  fullName: FullNameSchema,
  email: EmailSchema.optional(),
  phone: PhoneSchema.optional(),
  role: RoleSchema,
  language: LanguageSchema.optional(),
  /** Optional: without one, the operator is sent a reset link (e-mail) or code (SMS) to choose their own. */
  password: z.string().min(1).max(1024).optional(),
});

export const UpdateOperatorBodySchema = z
  .object({
    fullName: FullNameSchema.optional(),
    email: EmailSchema.nullable().optional(),
    phone: PhoneSchema.nullable().optional(),
    role: RoleSchema.optional(),
    isActive: z.boolean().optional(),
    language: LanguageSchema.optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'change at least one field', path: ['fullName'] });

export const AdminPasswordResetBodySchema = z.object({ channel: z.enum(['email', 'sms']).optional() });
