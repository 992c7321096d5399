// Operator fields as every boundary (REST, CLI, bootstrap) validates them: one schema per fact.
import { z } from 'zod';

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

export const EmailSchema = z.email('must be an e-mail address').max(254, 'must be at most 254 characters');

/** International format without `+` or spaces, as WhatsApp and NetGSM use it: 905551234567. */
export const PhoneSchema = z.string().trim().regex(/^[1-9]\d{9,14}$/, 'must be 10–15 digits in international format, e.g. 905551234567');

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
