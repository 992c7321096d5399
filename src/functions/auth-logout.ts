// POST /api/auth/logout: ends the caller's session (its refresh family and every access token of it).
import { endSession } from '../auth/sessions';
import { defineRoute } from '../http/define-route';
import { noContent } from '../http/respond';

defineRoute({
  name: 'auth-logout',
  method: 'POST',
  route: 'auth/logout',
  access: 'operator',
  maxBodyBytes: 4 * 1024,
  handle: async ({ services, actor, origin }) => {
    await endSession(services, actor, origin);
    return noContent();
  },
});
