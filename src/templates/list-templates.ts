// GET /api/templates as a use case: the caller's firm's templates with status and the parameters each needs.
import type { Services } from '../services';
import { applyPendingTemplateStatusEvents } from './apply-template-status';
import { templateParameterSpec, type TemplateParameterSpec } from './template-parameters';

export interface TemplateView {
  readonly id: string;
  readonly name: string;
  readonly language: string;
  readonly category: string;
  readonly status: string;
  readonly statusReason: string | null;
  /** Only approved templates can be sent. */
  readonly sendable: boolean;
  readonly parameters: TemplateParameterSpec;
  /** Meta's component definitions (texts with placeholders, buttons), for previews. */
  readonly components: unknown;
  readonly lastSyncedAt: string | null;
}

/**
 * The firm's templates, name then language. Status changes that arrived by webhook are applied first, so a template
 * paused a moment ago already shows as paused.
 */
export async function listTemplates(services: Pick<Services, 'db' | 'clock'>, firmId: number, filter: { status?: string } = {}): Promise<TemplateView[]> {
  await applyPendingTemplateStatusEvents(services.db, services.clock.now(), firmId);
  const rows = await services.db
    .selectFrom('WhatsApp_Templates')
    .selectAll()
    .where('FirmId', '=', firmId)
    .$if(filter.status !== undefined, (q) => q.where('Status', '=', (filter.status ?? '').toUpperCase()))
    .orderBy('Name')
    .orderBy('Language')
    .execute();
  return rows.map((row) => {
    let components: unknown = [];
    try {
      components = JSON.parse(row.ComponentsJson) as unknown;
    } catch {
      components = [];
    }
    return {
      id: row.Id,
      name: row.Name,
      language: row.Language,
      category: row.Category,
      status: row.Status,
      statusReason: row.StatusReason,
      sendable: row.Status === 'APPROVED',
      parameters: templateParameterSpec(row.ComponentsJson, row.ParameterFormat),
      components,
      lastSyncedAt: row.LastSyncedAt?.toISOString() ?? null,
    };
  });
}
