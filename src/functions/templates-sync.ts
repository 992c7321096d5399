// POST /api/admin/templates/sync: an admin pulls the firm's templates from its WhatsApp Business Account now.
import { recordAudit } from '../audit/record-audit';
import { ok } from '../http/respond';
import { defineRoute } from '../http/define-route';
import { syncTemplates } from '../templates/sync-templates';

defineRoute({
  name: 'templates-sync',
  method: 'POST',
  route: '{area:regex(^admin$)}/templates/sync',
  access: 'Admin',
  handle: async ({ services, actor, origin }) => {
    const result = await syncTemplates(services, actor.firmId);
    await recordAudit(services.db, { firmId: actor.firmId, action: 'templates.synced', actor, details: { ...result }, origin }, services.clock.now());
    return ok(result);
  },
});
