// PATCH /api/admin/inbox-settings: changes any of assignmentMode, inboxVisibility and offlineGraceSeconds of the admin's firm.
import { UpdateInboxSettingsBodySchema } from '../admin/inbox-settings.schemas';
import { updateFirmInboxSettings } from '../admin/update-inbox-settings';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'admin-inbox-settings-update',
  method: 'PATCH',
  route: '{area:regex(^admin$)}/inbox-settings',
  access: 'Admin',
  body: UpdateInboxSettingsBodySchema,
  maxBodyBytes: 1024,
  handle: async ({ services, actor, body, origin }) => ok(await updateFirmInboxSettings(services, actor, body, origin)),
});
