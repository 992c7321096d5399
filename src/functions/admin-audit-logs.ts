// GET /api/admin/audit-logs?from&to&operatorId&action&cursor&limit: the admin's firm's audit log, newest first.
import { AuditLogQuerySchema, listAuditLogs } from '../audit/list-audit-logs';
import { defineRoute } from '../http/define-route';
import { ok } from '../http/respond';

defineRoute({
  name: 'admin-audit-logs',
  method: 'GET',
  route: '{area:regex(^admin$)}/audit-logs',
  access: 'Admin',
  query: AuditLogQuerySchema,
  handle: async ({ services, actor, query }) => ok(await listAuditLogs(services, actor, query)),
});
