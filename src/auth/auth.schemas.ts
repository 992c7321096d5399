// Request bodies of the /auth endpoints. Limits sit well above honest input and far below anything costly.
import { z } from 'zod';

/** Longest user name a sign-in accepts (stored names are at most 64; this only bounds the input). */
const MAX_LOGIN_NAME = 256;
/** Longest password input hashed at all (the policy caps new ones at 128 code points; legacy ones may be longer). */
const MAX_PASSWORD_INPUT = 1024;

const password = z.string().min(1, 'is required').max(MAX_PASSWORD_INPUT, `must be at most ${MAX_PASSWORD_INPUT} characters`);

export const LoginBodySchema = z.object({
  userName: z.string().min(1, 'is required').max(MAX_LOGIN_NAME, `must be at most ${MAX_LOGIN_NAME} characters`),
  password,
});

export const RefreshBodySchema = z.object({
  refreshToken: z.string().min(1, 'is required').max(256, 'is not a refresh token'),
});

export const ChangePasswordBodySchema = z.object({
  currentPassword: password,
  newPassword: password,
});

export const PasswordResetRequestBodySchema = z
  .object({
    userName: z.string().trim().min(1).max(MAX_LOGIN_NAME).optional(),
    email: z.string().trim().min(3).max(320).optional(),
    phone: z.string().trim().min(5).max(32).optional(),
    /** Defaults to `sms` when only a phone number is given, else `email`. */
    channel: z.enum(['email', 'sms'], { message: 'must be email or sms' }).optional(),
  })
  .refine((b) => [b.userName, b.email, b.phone].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of userName, email or phone',
    path: ['userName'],
  });

export const PasswordResetConfirmBodySchema = z
  .object({
    token: z.string().min(1).max(128).optional(),
    code: z.string().min(1).max(16).optional(),
    userName: z.string().min(1).max(MAX_LOGIN_NAME).optional(),
    newPassword: password,
  })
  .refine((b) => (b.token === undefined) !== (b.code === undefined), { message: 'give either token or code', path: ['token'] })
  .refine((b) => b.code === undefined || b.userName !== undefined, { message: 'is required with a code', path: ['userName'] });
