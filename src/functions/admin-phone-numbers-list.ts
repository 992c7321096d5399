// GET /api/admin/phone-numbers: the admin's firm's WhatsApp numbers and their channel health (route form: admin-operators-list.ts).
import { listPhoneNumbers } from '../admin/list-phone-numbers';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'admin-phone-numbers-list',
  method: 'GET',
  route: '{area:regex(^admin$)}/phone-numbers',
  access: 'Admin',
  handle: async ({ services, actor }) => ok(await listPhoneNumbers(services, actor)),
});
