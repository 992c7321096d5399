// Reads one firm's audit log, newest first, filtered and paged by an opaque cursor.
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';

export const AuditLogQuerySchema = z.object({
  from: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' }).optional(),
  to: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' }).optional(),
  operatorId: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be an operator id').optional(),
  action: z.string().regex(/^[a-z][a-z0-9_.-]{1,63}$/, 'must be an action name').optional(),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type AuditLogQuery = z.infer<typeof AuditLogQuerySchema>;

export interface AuditLogItem {
  readonly sequence: number;
  readonly id: string;
  readonly action: string;
  readonly actorOperatorId: string | null;
  readonly actorUserName: string | null;
  readonly entityType: string | null;
  readonly entityId: string | null;
  readonly details: unknown;
  readonly ipAddress: string | null;
  readonly userAgent: string | null;
  readonly createdAt: string;
}

/** The cursor is the last sequence seen, wrapped so clients treat it as opaque. */
function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const value = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^s:/, ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new AppError('InvalidRequest', undefined, { fields: { 'query.cursor': 'is not a cursor from this endpoint' } });
  return value;
}

const encodeCursor = (sequence: number) => Buffer.from(`s:${sequence}`, 'utf8').toString('base64url');

/**
 * Rows of the caller's firm only. `operatorId` matches rows the operator did or that were done to them.
 * Pages are by `Sequence` descending, which is the chain's own order.
 */
export async function listAuditLogs(services: Pick<Services, 'db' | 'dialect'>, actor: Actor, query: AuditLogQuery): Promise<{ items: AuditLogItem[]; nextCursor: string | null }> {
  const before = decodeCursor(query.cursor);
  let select = services.db.selectFrom('WhatsApp_AuditLogs').selectAll().where('FirmId', '=', actor.firmId);
  if (before !== undefined) select = select.where('Sequence', '<', before);
  if (query.from) select = select.where('CreatedAt', '>=', new Date(query.from));
  if (query.to) select = select.where('CreatedAt', '<', new Date(query.to));
  if (query.action) select = select.where('Action', '=', query.action);
  if (query.operatorId) {
    const id = query.operatorId.toLowerCase();
    select = select.where((eb) => eb.or([eb('ActorOperatorId', '=', id), eb.and([eb('EntityType', '=', 'operator'), eb('EntityId', '=', id)])]));
  }
  const take = query.limit + 1;
  const ordered = select.orderBy('Sequence', 'desc');
  // The one dialect difference here: SQL Server has TOP, SQLite has LIMIT.
  const rows = await (services.dialect === 'mssql' ? ordered.top(take) : ordered.limit(take)).execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      sequence: row.Sequence,
      id: row.Id,
      action: row.Action,
      actorOperatorId: row.ActorOperatorId,
      actorUserName: row.ActorUserName,
      entityType: row.EntityType,
      entityId: row.EntityId,
      details: row.DetailsJson ? (JSON.parse(row.DetailsJson) as unknown) : null,
      ipAddress: row.IpAddress,
      userAgent: row.UserAgent,
      createdAt: row.CreatedAt.toISOString(),
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.Sequence) : null,
  };
}
