// The language a firm's operators read stored explanations in (WhatsApp_FirmSettings.DefaultLanguage; Turkish by default).
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import type { Language } from '../shared/app-error';

const cache = new WeakMap<Kysely<Database>, Map<number, { language: Language; at: number }>>();
const TTL_MS = 60_000;

/** The firm's default language, read at most once a minute per process (it changes rarely). */
export async function firmDefaultLanguage(db: Kysely<Database>, firmId: number): Promise<Language> {
  let byFirm = cache.get(db);
  if (!byFirm) {
    byFirm = new Map();
    cache.set(db, byFirm);
  }
  const hit = byFirm.get(firmId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.language;
  const row = await db.selectFrom('WhatsApp_FirmSettings').select('DefaultLanguage').where('FirmId', '=', firmId).executeTakeFirst();
  const language: Language = row?.DefaultLanguage === 'en' ? 'en' : 'tr';
  byFirm.set(firmId, { language, at: Date.now() });
  return language;
}
