// GET /api/admin/inbox-settings: the admin's firm's assignment mode, inbox visibility and offline grace (route form: admin-operators-list.ts).
import { getInboxSettings } from '../admin/get-inbox-settings';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'admin-inbox-settings-get',
  method: 'GET',
  route: '{area:regex(^admin$)}/inbox-settings',
  access: 'Admin',
  handle: async ({ services, actor }) => ok(await getInboxSettings(services, actor)),
});
