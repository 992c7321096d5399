// Pulls a firm's message templates from its WhatsApp Business Account into WhatsApp_Templates (manual sync and the daily timer).
import { z } from 'zod';
import type { Services } from '../services';
import { newId } from '../shared/ids';
import { AppError } from '../shared/app-error';
import { firmSecret } from '../firms/firm-secrets';
import { WhatsAppCloudClient, WhatsAppCloudError } from '../outbound/whatsapp-cloud.client';
import { parameterCount, templateParameterSpec } from './template-parameters';

const ListedTemplateSchema = z.looseObject({
  id: z.string().nullish(),
  name: z.string().min(1).max(512),
  language: z.string().min(1).max(16),
  status: z.string().min(1).max(32),
  category: z.string().max(32).nullish(),
  sub_category: z.string().max(64).nullish(),
  parameter_format: z.string().max(16).nullish(),
  rejected_reason: z.string().max(256).nullish(),
  components: z.array(z.unknown()).nullish(),
});

export interface TemplateSyncResult {
  readonly firmId: number;
  readonly businessAccountId: string;
  readonly listed: number;
  readonly created: number;
  readonly updated: number;
  /** Stored templates Meta no longer lists, now `DELETED`. */
  readonly removed: number;
}

type SyncServices = Pick<Services, 'db' | 'config' | 'clock'>;

/** The firm's WABA id: its settings row, else the one its numbers share. */
export async function businessAccountOf(db: Services['db'], firmId: number): Promise<string | undefined> {
  const firm = await db.selectFrom('WhatsApp_FirmSettings').select('BusinessAccountId').where('FirmId', '=', firmId).executeTakeFirst();
  if (firm?.BusinessAccountId) return firm.BusinessAccountId;
  const number = await db
    .selectFrom('WhatsApp_PhoneNumbers')
    .select('BusinessAccountId')
    .where('FirmId', '=', firmId)
    .where('BusinessAccountId', 'is not', null)
    .orderBy('CreatedAt')
    .executeTakeFirst();
  return number?.BusinessAccountId ?? undefined;
}

/**
 * Lists every template of the firm's WABA and stores it (name + language is the key). A template Meta stopped
 * listing is kept as `DELETED` (messages still refer to it). Throws ServiceUnavailable when Meta cannot be asked.
 */
export async function syncTemplates(services: SyncServices, firmId: number): Promise<TemplateSyncResult> {
  const businessAccountId = await businessAccountOf(services.db, firmId);
  if (!businessAccountId) {
    throw new AppError('InvalidRequest', { tr: 'Firmanın WhatsApp Business hesap numarası (WABA) tanımlı değil.', en: 'The firm has no WhatsApp Business Account id (WABA).' });
  }
  const token = await firmSecret(services.db, services.config, firmId, 'AccessToken');
  if (!token) throw new AppError('ServiceUnavailable', { tr: 'Firmanın WhatsApp erişim anahtarı tanımlı değil.', en: 'The firm has no WhatsApp access token.' });
  const client = new WhatsAppCloudClient(services.config.whatsApp.graphBaseUrl, '', token, { apiVersion: services.config.whatsApp.graphApiVersion, timeoutInMs: 30_000 });
  const listed: z.infer<typeof ListedTemplateSchema>[] = [];
  try {
    for await (const item of client.listMessageTemplates(businessAccountId)) {
      const parsed = ListedTemplateSchema.safeParse(item);
      if (parsed.success) listed.push(parsed.data);
    }
  } catch (error) {
    if (error instanceof WhatsAppCloudError) {
      throw new AppError('ServiceUnavailable', { tr: `Şablonlar WhatsApp'tan alınamadı: ${error.message}`, en: `Templates could not be fetched from WhatsApp: ${error.message}` });
    }
    throw error;
  }

  const now = services.clock.now();
  const existing = await services.db.selectFrom('WhatsApp_Templates').select(['Id', 'Name', 'Language', 'Status']).where('FirmId', '=', firmId).execute();
  const byKey = new Map(existing.map((row) => [`${row.Name}\u0000${row.Language}`, row]));
  let created = 0;
  let updated = 0;
  await services.db.transaction().execute(async (trx) => {
    for (const t of listed) {
      const componentsJson = JSON.stringify(t.components ?? []);
      const fields = {
        BusinessAccountId: businessAccountId,
        MetaTemplateId: t.id ?? null,
        Category: (t.category ?? 'UTILITY').toUpperCase(),
        SubCategory: t.sub_category ?? null,
        Status: t.status.toUpperCase(),
        StatusReason: t.rejected_reason && t.rejected_reason !== 'NONE' ? t.rejected_reason : null,
        ParameterFormat: t.parameter_format?.toUpperCase() ?? null,
        ComponentsJson: componentsJson,
        ParameterCount: parameterCount(templateParameterSpec(componentsJson, t.parameter_format ?? null)),
        LastSyncedAt: now,
        UpdatedAt: now,
      };
      const key = `${t.name}\u0000${t.language}`;
      const row = byKey.get(key);
      if (row) {
        await trx.updateTable('WhatsApp_Templates').set(fields).where('Id', '=', row.Id).execute();
        byKey.delete(key);
        updated++;
      } else {
        await trx.insertInto('WhatsApp_Templates').values({ Id: newId(now.getTime()), FirmId: firmId, Name: t.name, Language: t.language, ...fields, CreatedAt: now }).execute();
        created++;
      }
    }
  });
  const gone = [...byKey.values()].filter((row) => row.Status !== 'DELETED').map((row) => row.Id);
  if (gone.length > 0) {
    await services.db.updateTable('WhatsApp_Templates').set({ Status: 'DELETED', UpdatedAt: now }).where('FirmId', '=', firmId).where('Id', 'in', gone).execute();
  }
  return { firmId, businessAccountId, listed: listed.length, created, updated, removed: gone.length };
}

/** Syncs every firm that has a WABA id; one firm's failure does not stop the others. */
export async function syncAllFirmsTemplates(services: SyncServices, log: { warn(message: string): void }): Promise<TemplateSyncResult[]> {
  const firms = await services.db.selectFrom('WhatsApp_FirmSettings').select('FirmId').execute();
  const results: TemplateSyncResult[] = [];
  for (const { FirmId } of firms) {
    if (!(await businessAccountOf(services.db, FirmId))) continue;
    try {
      results.push(await syncTemplates(services, FirmId));
    } catch (error) {
      log.warn(`template sync of firm ${FirmId} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return results;
}
