// POST /api/auth/login: user name and password (old API body shape accepted) → access token, refresh token, operator.
import { LoginBodySchema } from '../auth/auth.schemas';
import { signIn } from '../auth/sign-in';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'auth-login',
  method: 'POST',
  route: 'auth/login',
  access: 'anonymous',
  body: LoginBodySchema,
  maxBodyBytes: 8 * 1024,
  handle: async ({ services, body, origin }) => ok(await signIn(services, { userName: body.userName, password: body.password, origin })),
});
