// What a notification row holds besides its secret: one zod schema per kind for `DataJson` (and the channels the kind
// goes out on), written by `createNotification` and checked again by the worker, so a row that does not fit is refused.
import { z } from 'zod';
import type { NotificationRequest } from './create-notification';
import type { NotificationRow } from './notification.queries';

/** `Date#toISOString()` form: the renderers print it as `2026-11-27 03:14 UTC`. */
const InstantSchema = z.iso.datetime();
const MinutesSchema = z.number().int().positive();

export const PasswordResetLinkDataSchema = z.object({ expiresMinutes: MinutesSchema });
export const PasswordResetCodeDataSchema = z.object({ expiresMinutes: MinutesSchema });
export const PasswordChangedDataSchema = z.object({ at: InstantSchema, how: z.enum(['reset', 'change']) });
export const ChannelHealthAlertDataSchema = z.object({
  at: InstantSchema,
  phoneNumberId: z.string().min(1),
  // Present even when unknown: `null` is what the writer stores, a missing key is a broken row.
  displayPhoneNumber: z.string().nullable(),
  graphErrorCode: z.number().nullable(),
});

/** A stored notification as the worker may send it: its kind, a channel that kind goes out on, and that kind's data. */
export const StoredNotificationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('password-reset-link'), channel: z.literal('email'), data: PasswordResetLinkDataSchema }),
  z.object({ kind: z.literal('password-reset-code'), channel: z.literal('sms'), data: PasswordResetCodeDataSchema }),
  z.object({ kind: z.literal('password-changed'), channel: z.enum(['email', 'sms']), data: PasswordChangedDataSchema }),
  z.object({ kind: z.literal('channel-health-alert'), channel: z.literal('email'), data: ChannelHealthAlertDataSchema }),
]);

export type StoredNotification = z.infer<typeof StoredNotificationSchema>;
export type StoredNotificationKind = StoredNotification['kind'];

/** The `DataJson` values of one kind (of every kind when `K` is left out). */
export type NotificationData<K extends StoredNotificationKind = StoredNotificationKind> = Extract<StoredNotification, { kind: K }>['data'];

type RequestOf<K extends NotificationRequest['kind']> = Extract<NotificationRequest, { kind: K }>;

// The compiler checks each kind's request against its schema: a field renamed on one side stops the build.
const dataByKind: { readonly [K in NotificationRequest['kind']]: (request: RequestOf<K>) => NotificationData<K> } = {
  'password-reset-link': (request) => ({ expiresMinutes: request.expiresMinutes }),
  'password-reset-code': (request) => ({ expiresMinutes: request.expiresMinutes }),
  'password-changed': (request) => ({ at: request.at.toISOString(), how: request.how }),
  'channel-health-alert': (request) => ({
    at: request.at.toISOString(),
    phoneNumberId: request.phoneNumberId,
    displayPhoneNumber: request.displayPhoneNumber,
    graphErrorCode: request.graphErrorCode,
  }),
};

const kinds: ReadonlySet<string> = new Set(StoredNotificationSchema.options.map((option) => option.shape.kind.value));

/**
 * The request's non-secret values as `DataJson` stores them, checked against the kind's schema so that nothing is
 * written the worker would refuse (a `NaN` expiry, an invalid date): such a request throws in the caller's transaction.
 */
export function dataOf<K extends NotificationRequest['kind']>(request: RequestOf<K>): NotificationData<K> {
  const toData: (request: RequestOf<K>) => NotificationData<K> = dataByKind[request.kind];
  const data = toData(request);
  parseStored(request.kind, request.channel, data);
  return data;
}

/**
 * Reads a row's kind, channel and `DataJson` back, checked against the kind's schema. Throws when the kind is unknown,
 * the channel is not one the kind goes out on, or the data does not fit: nothing is filled in. The message names the
 * kind and the fields, never the data's values (it lands in `LastError` and the worker's log).
 */
export function parseNotificationRow(row: Pick<NotificationRow, 'Kind' | 'Channel' | 'DataJson'>): StoredNotification {
  let data: unknown;
  try {
    data = row.DataJson === null ? undefined : JSON.parse(row.DataJson);
  } catch {
    throw new Error(`notification data of kind ${row.Kind} is not JSON`);
  }
  return parseStored(row.Kind, row.Channel, data);
}

function parseStored(kind: string, channel: string, data: unknown): StoredNotification {
  if (!kinds.has(kind)) throw new Error(`unknown notification kind ${JSON.stringify(kind.slice(0, 40))}`);
  const parsed = StoredNotificationSchema.safeParse({ kind, channel, data });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`notification of kind ${kind} does not fit its schema: ${problems.join('; ')}`);
}
