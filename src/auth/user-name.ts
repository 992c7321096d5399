// How user names, e-mail addresses and phone numbers are compared: one normal form each, used on write and on look-up.

/** The form kept in `UserNameNormalized` (case and every Turkish i folded); defined beside the schema. */
export { normalizeUserName } from '../db/normalize-user-name';

/** The form kept in `EmailNormalized`. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase();
}

/** Digits only, as `Phone` keeps them (905551234567); `+90 555 123 45 67` finds the same operator. */
export function normalizePhone(phone: string): string {
  return phone.replace(/\D/g, '');
}
