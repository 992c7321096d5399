// Turns one `value.statuses[]` element into the shape the inbox applies, and ranks statuses so they never go backwards.
import { MessageStatusSchema } from './webhook-payload.schemas';
import type { NormalizedError } from './normalize-inbound-message';

/** The statuses Meta sends for outbound messages (WHATSAPP.md §5). */
export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed';

/**
 * Rank of every status a message can hold; a status is applied only when its rank is higher than the stored one.
 * `failed` ranks above `sent` (a send that fails after Meta accepted it) but below `delivered`: a delivery receipt
 * is proof the message arrived, whatever came before. `played` (a voice note was played) implies `read`.
 * Outbound states set by the app itself (`queued`, `sending`) rank lowest; `received` is for inbound messages.
 */
export const statusRank: Readonly<Record<string, number>> = {
  received: 0,
  queued: 1,
  sending: 2,
  sent: 10,
  failed: 15,
  delivered: 20,
  read: 30,
  played: 40,
};

export const isDeliveryStatus = (status: string): status is DeliveryStatus => ['sent', 'delivered', 'read', 'played', 'failed'].includes(status);

/** True when `next` should replace `current` (never moves backwards; equal is a duplicate). */
export function isStatusAdvance(current: string, next: string): boolean {
  return (statusRank[next] ?? -1) > (statusRank[current] ?? -1);
}

export interface NormalizedStatus {
  readonly whatsAppMessageId: string;
  /** Meta's status string; only {@link DeliveryStatus} values change a message, others are recorded raw. */
  readonly status: string;
  /** WhatsApp's time of the status; undefined when absent. */
  readonly at: Date | undefined;
  readonly recipientWaId: string | undefined;
  readonly recipientUserId: string | undefined;
  readonly bizOpaqueCallbackData: string | undefined;
  readonly error: (NormalizedError & { readonly message: string | undefined; readonly href: string | undefined }) | undefined;
  readonly conversationId: string | undefined;
  readonly conversationOrigin: string | undefined;
  readonly pricingCategory: string | undefined;
  readonly rawJson: string;
}

export type NormalizeStatusResult = { ok: true; status: NormalizedStatus } | { ok: false; reason: string };

const nonEmpty = (value: string | null | undefined): string | undefined => (value === null || value === undefined || value === '' ? undefined : value);

/** Normalises one status; fails only when it lacks a message id or a status string. */
export function normalizeStatus(raw: unknown): NormalizeStatusResult {
  const parsed = MessageStatusSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `not a status: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''}` };
  const s = parsed.data;
  const error = s.errors?.[0];
  return {
    ok: true,
    status: {
      whatsAppMessageId: s.id,
      status: s.status,
      at: s.timestamp === undefined || s.timestamp === null ? undefined : new Date(s.timestamp * 1000),
      recipientWaId: nonEmpty(s.recipient_id),
      recipientUserId: nonEmpty(s.recipient_user_id),
      bizOpaqueCallbackData: nonEmpty(s.biz_opaque_callback_data),
      error: error
        ? {
            code: error.code ?? undefined,
            title: nonEmpty(error.title) ?? nonEmpty(error.message),
            message: nonEmpty(error.message),
            details: nonEmpty(error.error_data?.details) ?? nonEmpty(error.details),
            href: nonEmpty(error.href),
          }
        : undefined,
      conversationId: nonEmpty(s.conversation?.id),
      conversationOrigin: nonEmpty(s.conversation?.origin?.type),
      pricingCategory: nonEmpty(s.pricing?.category),
      rawJson: JSON.stringify(raw),
    },
  };
}
