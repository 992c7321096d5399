// GET /api/auth/me: the signed-in operator's own profile.
import { getOwnProfile } from '../auth/get-own-profile';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'auth-me',
  method: 'GET',
  route: 'auth/me',
  access: 'operator',
  handle: async ({ services, actor }) => ok(await getOwnProfile(services, actor)),
});
