// Firm rows: the bootstrap of a firm (and its WhatsApp number) from settings.
import type { Kysely } from 'kysely';
import { newId } from '../shared/ids';
import type { Database } from './tables';

export interface EnsureFirmInput {
  readonly firmId: number;
  readonly displayName: string;
  /** Meta's phone number id of the firm's WhatsApp number (`WhatsApp__PhoneNumberId`), if configured. */
  readonly phoneNumberId?: string;
  /** The WhatsApp Business Account id (`WhatsApp__BusinessAccountId`), if configured. */
  readonly businessAccountId?: string;
  readonly now: Date;
}

export interface EnsureFirmResult {
  readonly firmCreated: boolean;
  readonly phoneNumberCreated: boolean;
}

async function ensureFirmOnce(db: Kysely<Database>, input: EnsureFirmInput): Promise<EnsureFirmResult> {
  return db.transaction().execute(async (trx) => {
    const firm = await trx.selectFrom('WhatsApp_FirmSettings').select('FirmId').where('FirmId', '=', input.firmId).executeTakeFirst();
    if (!firm) {
      await trx
        .insertInto('WhatsApp_FirmSettings')
        .values({
          FirmId: input.firmId,
          DisplayName: input.displayName,
          BusinessAccountId: input.businessAccountId ?? null,
          CreatedAt: input.now,
          UpdatedAt: input.now,
        })
        .execute();
    }
    let phoneNumberCreated = false;
    if (input.phoneNumberId !== undefined) {
      const owner = await trx.selectFrom('WhatsApp_PhoneNumbers').select('FirmId').where('PhoneNumberId', '=', input.phoneNumberId).executeTakeFirst();
      if (owner && owner.FirmId !== input.firmId) {
        throw new Error(`WhatsApp phone number id ${input.phoneNumberId} already belongs to firm ${owner.FirmId}, not firm ${input.firmId}`);
      }
      if (!owner) {
        await trx
          .insertInto('WhatsApp_PhoneNumbers')
          .values({
            Id: newId(input.now.getTime()),
            FirmId: input.firmId,
            PhoneNumberId: input.phoneNumberId,
            BusinessAccountId: input.businessAccountId ?? null,
            CreatedAt: input.now,
            UpdatedAt: input.now,
          })
          .execute();
        phoneNumberCreated = true;
      }
    }
    return { firmCreated: !firm, phoneNumberCreated };
  });
}

/**
 * Makes sure the firm exists, and its WhatsApp number when one is given; changes nothing that exists
 * (admins may have edited it). Safe when several instances start at once: the loser of an insert race
 * finds the winner's rows on its second look. Throws when the number belongs to another firm.
 */
export async function ensureFirm(db: Kysely<Database>, input: EnsureFirmInput): Promise<EnsureFirmResult> {
  try {
    return await ensureFirmOnce(db, input);
  } catch (error) {
    const again = await ensureFirmOnce(db, input).catch(() => undefined);
    if (again) return again;
    throw error;
  }
}

/** The firm that owns a WhatsApp business number, or undefined (an unrouted webhook). */
export async function findFirmIdByPhoneNumberId(db: Kysely<Database>, phoneNumberId: string): Promise<number | undefined> {
  const row = await db.selectFrom('WhatsApp_PhoneNumbers').select('FirmId').where('PhoneNumberId', '=', phoneNumberId).executeTakeFirst();
  return row?.FirmId;
}
