// Checks a template send before anything is queued: the template exists in that language, is approved, and the values fit.
import type { Kysely } from 'kysely';
import type { Database, TemplateRow } from '../db/tables';
import { AppError } from '../shared/app-error';
import { applyPendingTemplateStatusEvents } from './apply-template-status';
import { checkTemplateParameters, normalizeLanguage, templateParameterSpec, type TemplateParameters, type TemplateParameterSpec } from './template-parameters';

export interface ResolvedTemplate {
  readonly row: TemplateRow;
  readonly spec: TemplateParameterSpec;
}

function invalid(fields: Record<string, string>): AppError {
  const text = Object.entries(fields)
    .map(([field, problem]) => `${field}: ${problem}`)
    .join('; ');
  return new AppError('TemplateInvalid', { tr: `Şablon gönderilemez — ${text}`, en: `The template cannot be sent — ${text}` }, { fields });
}

/** The approved template `name`/`language` of the firm whose parameters `values` fit, or a 422 naming what is wrong. */
export async function resolveTemplateSend(db: Kysely<Database>, firmId: number, send: { name: string; language: string; parameters?: TemplateParameters | undefined }, now: Date): Promise<ResolvedTemplate> {
  await applyPendingTemplateStatusEvents(db, now, firmId);
  const rows = await db.selectFrom('WhatsApp_Templates').selectAll().where('FirmId', '=', firmId).where('Name', '=', send.name).execute();
  if (rows.length === 0) throw invalid({ name: `no template named "${send.name}" (sync templates if it was created recently)` });
  const wanted = normalizeLanguage(send.language).toLowerCase();
  const row = rows.find((r) => normalizeLanguage(r.Language).toLowerCase() === wanted);
  if (!row) throw invalid({ language: `"${send.name}" has no ${send.language} version; it exists in ${rows.map((r) => r.Language).join(', ')}` });
  if (row.Status !== 'APPROVED') {
    throw invalid({ name: `"${send.name}" (${row.Language}) is ${row.Status}${row.StatusReason ? ` (${row.StatusReason})` : ''}, not APPROVED` });
  }
  const spec = templateParameterSpec(row.ComponentsJson, row.ParameterFormat);
  const problems = checkTemplateParameters(spec, send.parameters);
  if (Object.keys(problems).length > 0) throw invalid(problems);
  return { row, spec };
}
