// Lists the WhatsApp business numbers of the admin's firm with their channel health (GET /api/admin/phone-numbers).
import type { Actor } from '../auth/actor';
import type { Services } from '../services';

/** How a business number appears to its firm's admins: never its token. */
export interface PhoneNumberView {
  /** Meta's phone number id. */
  readonly phoneNumberId: string;
  /** The number as people dial it, when it is stored. */
  readonly displayPhoneNumber: string | null;
  readonly verifiedName: string | null;
  readonly isActive: boolean;
  /** `ok`, or why the number cannot send (`token-invalid`: Meta refused its access token; `account-blocked`: Meta refused the number or its account). */
  readonly healthState: string;
  /** The Graph API error code that changed the state (190 or 0 for a refused token); null when healthy. */
  readonly healthErrorCode: number | null;
  readonly healthChangedAt: string | null;
  /** The number's sending pace: its own, or `WhatsApp__MessagesPerSecond` when it names none. */
  readonly messagesPerSecond: number;
}

/** Firms have a handful of numbers, so no paging. */
export async function listPhoneNumbers(services: Pick<Services, 'db' | 'config'>, actor: Actor): Promise<{ items: PhoneNumberView[] }> {
  const rows = await services.db
    .selectFrom('WhatsApp_PhoneNumbers')
    .select(['PhoneNumberId', 'DisplayPhoneNumber', 'VerifiedName', 'IsActive', 'HealthState', 'HealthErrorCode', 'HealthChangedAt', 'MessagesPerSecond'])
    .where('FirmId', '=', actor.firmId)
    .orderBy('PhoneNumberId')
    .execute();
  return {
    items: rows.map((row) => ({
      phoneNumberId: row.PhoneNumberId,
      displayPhoneNumber: row.DisplayPhoneNumber,
      verifiedName: row.VerifiedName,
      isActive: row.IsActive,
      healthState: row.HealthState,
      healthErrorCode: row.HealthErrorCode,
      healthChangedAt: row.HealthChangedAt?.toISOString() ?? null,
      messagesPerSecond: row.MessagesPerSecond ?? services.config.whatsApp.messagesPerSecond,
    })),
  };
}
