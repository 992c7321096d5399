// Where a person is reached (e-mail, phone), as every boundary validates it: operators, settings, notifications.
import { z } from 'zod';

export const EmailSchema = z.email('must be an e-mail address').max(254, 'must be at most 254 characters');

/** International format without `+` or spaces, as WhatsApp and NetGSM use it: 905551234567. */
export const PhoneSchema = z.string().trim().regex(/^[1-9]\d{9,14}$/, 'must be 10–15 digits in international format, e.g. 905551234567');
