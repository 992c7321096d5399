// GET /api/templates: the caller's firm's message templates with status and the parameters each needs.
import { z } from 'zod';
import { ok } from '../http/respond';
import { defineRoute } from '../http/define-route';
import { listTemplates } from '../templates/list-templates';

defineRoute({
  name: 'templates-list',
  method: 'GET',
  route: 'templates',
  access: 'operator',
  query: z.object({ status: z.string().regex(/^[A-Za-z_]{1,32}$/).optional() }),
  handle: async ({ services, actor, query }) => ok({ templates: await listTemplates(services, actor.firmId, query) }),
});
