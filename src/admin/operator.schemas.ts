// Operator fields as every boundary (REST, CLI, bootstrap) validates them: one schema per fact.
import { z } from 'zod';
import { EmailSchema, PhoneSchema } from '../shared/contact-address.schemas';

export const RoleSchema = z.enum(['Admin', 'Agent'], { message: 'must be Admin or Agent' });

const noControlCharacters = (value: string) => !/[\p{Cc}\p{Cf}]/u.test(value);

/** Letters, digits and `._@-`, 3–64 characters; compared case-insensitively. */
export const UserNameSchema = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(64, 'must be at most 64 characters')
  .regex(/^[\p{L}\p{N}._@-]+$/u, 'may hold only letters, digits and . _ @ -');

export const FullNameSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(128, 'must be at most 128 characters')
  .refine(noControlCharacters, 'must not contain control characters');

export const LanguageSchema = z.enum(['tr', 'en'], { message: 'must be tr or en' });

export const NewOperatorSchema = z.object({
  firmId: z.number().int().positive(),
  userName: UserNameSchema,
  fullName: FullNameSchema,
  email: EmailSchema.optional(),
  phone: PhoneSchema.optional(),
  role: RoleSchema,
  language: LanguageSchema.default('tr'),
  password: z.string(),
});

export type NewOperator = z.input<typeof NewOperatorSchema>;
