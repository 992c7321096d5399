// Applies `message_template_status_update` webhooks (kept raw by the webhook in WhatsApp_WebhookEvents) to WhatsApp_Templates.
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/tables';
import { normalizeLanguage } from './template-parameters';

export const TEMPLATE_STATUS_FIELD = 'message_template_status_update';

/** The change's `value` (WHATSAPP.md §8, TSU). Ids may come as numbers or strings. */
const TemplateStatusValueSchema = z.looseObject({
  event: z.string().min(1),
  message_template_id: z.union([z.number(), z.string()]).nullish(),
  message_template_name: z.string().nullish(),
  message_template_language: z.string().nullish(),
  reason: z.string().nullish(),
  other_info: z.looseObject({ title: z.string().nullish() }).nullish(),
});
const ChangeSchema = z.looseObject({ field: z.string().optional(), value: z.unknown() });

/** Events that are a template's new status; the rest map onto one (a reinstated template is approved again). */
const statusOfEvent: Record<string, string> = { REINSTATED: 'APPROVED', UNARCHIVED: 'APPROVED', FLAGGED: 'APPROVED' };

/**
 * Applies one status change to the firm's stored template (found by Meta's id, else by name and language).
 * Answers false when no stored template matches (the next sync brings it in with its status).
 */
export async function applyTemplateStatusChange(db: Kysely<Database>, firmId: number, value: unknown, now: Date): Promise<boolean> {
  const parsed = TemplateStatusValueSchema.safeParse(value);
  if (!parsed.success) return false;
  const v = parsed.data;
  const event = v.event.toUpperCase();
  const candidates = await db
    .selectFrom('WhatsApp_Templates')
    .select(['Id', 'Name', 'Language', 'MetaTemplateId'])
    .where('FirmId', '=', firmId)
    .$if(v.message_template_id !== undefined && v.message_template_id !== null, (q) =>
      q.where((eb) => eb.or([eb('MetaTemplateId', '=', String(v.message_template_id)), eb('Name', '=', v.message_template_name ?? '')])),
    )
    .$if(v.message_template_id === undefined || v.message_template_id === null, (q) => q.where('Name', '=', v.message_template_name ?? ''))
    .execute();
  const wantedLanguage = v.message_template_language ? normalizeLanguage(v.message_template_language).toLowerCase() : undefined;
  const target =
    candidates.find((c) => v.message_template_id != null && c.MetaTemplateId === String(v.message_template_id)) ??
    candidates.find((c) => wantedLanguage !== undefined && normalizeLanguage(c.Language).toLowerCase() === wantedLanguage);
  if (!target) return false;
  const reason = [event === 'FLAGGED' ? 'FLAGGED' : undefined, v.reason && v.reason !== 'NONE' ? v.reason : undefined, v.other_info?.title ?? undefined]
    .filter(Boolean)
    .join(': ');
  await db
    .updateTable('WhatsApp_Templates')
    .set({ Status: statusOfEvent[event] ?? event, StatusReason: reason === '' ? null : reason.slice(0, 256), UpdatedAt: now })
    .where('Id', '=', target.Id)
    .execute();
  return true;
}

/**
 * Applies every template status change the webhook kept as `pending` (all firms, or one), oldest first, and marks
 * each `processed` (or `ignored` when no stored template matches). Safe to run concurrently: a change is claimed
 * with a conditional update before it is applied.
 */
export async function applyPendingTemplateStatusEvents(db: Kysely<Database>, now: Date, firmId?: number): Promise<number> {
  const pending = await db
    .selectFrom('WhatsApp_WebhookEvents')
    .select(['Id', 'FirmId', 'PayloadJson'])
    .where('Field', '=', TEMPLATE_STATUS_FIELD)
    .where('State', '=', 'pending')
    .$if(firmId !== undefined, (q) => q.where('FirmId', '=', firmId ?? 0))
    .orderBy('ReceivedAt')
    .limit(500)
    .execute();
  let applied = 0;
  for (const event of pending) {
    if (event.FirmId === null) continue;
    let value: unknown;
    try {
      value = ChangeSchema.parse(JSON.parse(event.PayloadJson)).value;
    } catch {
      value = undefined;
    }
    const ok = value !== undefined && (await applyTemplateStatusChange(db, event.FirmId, value, now));
    await db
      .updateTable('WhatsApp_WebhookEvents')
      .set({ State: ok ? 'processed' : 'ignored', ProcessedAt: now, Error: ok ? null : 'no stored template matches; the next sync brings it in' })
      .where('Id', '=', event.Id)
      .where('State', '=', 'pending')
      .execute();
    if (ok) applied++;
  }
  return applied;
}
