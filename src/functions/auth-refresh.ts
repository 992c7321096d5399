// POST /api/auth/refresh: rotates the refresh token and returns a new pair; reuse of an old one ends the session.
import { RefreshBodySchema } from '../auth/auth.schemas';
import { refreshSession } from '../auth/sessions';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'auth-refresh',
  method: 'POST',
  route: 'auth/refresh',
  access: 'anonymous',
  body: RefreshBodySchema,
  maxBodyBytes: 4 * 1024,
  handle: async ({ services, body, origin }) => ok(await refreshSession(services, body.refreshToken, origin)),
});
