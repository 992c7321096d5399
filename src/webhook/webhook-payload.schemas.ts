// zod models of Meta's webhook envelope, messages and statuses (WHATSAPP.md §3–5). Meta shapes stop in src/webhook/.
//
// Every object is "loose": fields Meta adds later pass through untouched, and each level is validated on its own
// (envelope, then change, then each message and status, then each message's typed part) so that one odd item
// never stops the rest of a batch from being stored.
import { z } from 'zod';

/** Meta sends Unix seconds as strings; some captures (and library fixtures) have JSON numbers. */
export const UnixSecondsSchema = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d{1,12}$/)
    .transform(Number),
]);

export const WhatsAppErrorSchema = z.looseObject({
  code: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
  title: z.string().nullish(),
  message: z.string().nullish(),
  /** Older captures put `details` at the top level instead of under `error_data`. */
  details: z.string().nullish(),
  error_data: z.looseObject({ details: z.string().nullish() }).nullish(),
  href: z.string().nullish(),
});
export type WhatsAppError = z.infer<typeof WhatsAppErrorSchema>;

// ── Envelope ────────────────────────────────────────────────────────────────────────────────────────────────

export const WebhookChangeSchema = z.looseObject({
  field: z.string(),
  value: z.unknown(),
});
export type WebhookChange = z.infer<typeof WebhookChangeSchema>;

export const WebhookEntrySchema = z.looseObject({
  id: z.union([z.string(), z.number()]).nullish(),
  time: z.number().nullish(),
  changes: z.array(z.unknown()),
});

/** The outer envelope; entries and changes are validated one by one afterwards. */
export const WebhookEnvelopeSchema = z.looseObject({
  object: z.string().nullish(),
  entry: z.array(z.unknown()),
});
export type WebhookEnvelope = z.infer<typeof WebhookEnvelopeSchema>;

// ── `messages` change value ─────────────────────────────────────────────────────────────────────────────────

export const WebhookMetadataSchema = z.looseObject({
  display_phone_number: z.string().nullish(),
  phone_number_id: z.string().min(1),
});

export const WebhookContactSchema = z.looseObject({
  wa_id: z.string().nullish(),
  /** Business-scoped user id (BSUID), 2026 onwards (WHATSAPP.md §12). */
  user_id: z.string().nullish(),
  parent_user_id: z.string().nullish(),
  identity_key_hash: z.string().nullish(),
  profile: z
    .looseObject({
      name: z.string().nullish(),
      username: z.string().nullish(),
      country_code: z.string().nullish(),
    })
    .nullish(),
});
export type WebhookContact = z.infer<typeof WebhookContactSchema>;

export const MessagesChangeValueSchema = z.looseObject({
  messaging_product: z.string().nullish(),
  metadata: WebhookMetadataSchema,
  contacts: z.array(z.unknown()).nullish(),
  messages: z.array(z.unknown()).nullish(),
  statuses: z.array(z.unknown()).nullish(),
  errors: z.array(z.unknown()).nullish(),
});
export type MessagesChangeValue = z.infer<typeof MessagesChangeValueSchema>;

// ── Inbound message (common part) ───────────────────────────────────────────────────────────────────────────

export const MessageContextSchema = z.looseObject({
  from: z.string().nullish(),
  id: z.string().nullish(),
  forwarded: z.boolean().nullish(),
  frequently_forwarded: z.boolean().nullish(),
  referred_product: z.looseObject({ catalog_id: z.string().nullish(), product_retailer_id: z.string().nullish() }).nullish(),
});

export const MessageReferralSchema = z.looseObject({
  source_url: z.string().nullish(),
  source_id: z.string().nullish(),
  source_type: z.string().nullish(),
  body: z.string().nullish(),
  headline: z.string().nullish(),
  media_type: z.string().nullish(),
  image_url: z.string().nullish(),
  video_url: z.string().nullish(),
  thumbnail_url: z.string().nullish(),
  ctwa_clid: z.string().nullish(),
});

/** What every inbound message has; the part named by `type` is parsed separately (see `MessageContentSchemas`). */
export const InboundMessageSchema = z.looseObject({
  id: z.string().min(1),
  from: z.string().nullish(),
  from_user_id: z.string().nullish(),
  /** A placeholder time (docs' "<TIMESTAMP>") must not lose the message: it is stored at the time it reached us. */
  timestamp: UnixSecondsSchema.nullish().catch(undefined),
  /** Old payloads used `unknown`; a missing type is kept as `unknown` too. */
  type: z.string().min(1).catch('unknown'),
  group_id: z.string().nullish(),
  context: MessageContextSchema.nullish().catch(undefined),
  referral: MessageReferralSchema.nullish().catch(undefined),
  errors: z.array(WhatsAppErrorSchema).nullish().catch(undefined),
});
export type InboundMessage = z.infer<typeof InboundMessageSchema>;

// ── Inbound message (typed parts) ───────────────────────────────────────────────────────────────────────────

export const TextContentSchema = z.looseObject({ body: z.string() });

export const MediaContentSchema = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().nullish(),
  sha256: z.string().nullish(),
  caption: z.string().nullish(),
  filename: z.string().nullish(),
  /** Added to inbound media webhooks from late 2025; never relied on (WHATSAPP.md §4). */
  url: z.string().nullish(),
  voice: z.boolean().nullish(),
  animated: z.boolean().nullish(),
});
export type MediaContent = z.infer<typeof MediaContentSchema>;

export const LocationContentSchema = z.looseObject({
  latitude: z.number(),
  longitude: z.number(),
  name: z.string().nullish(),
  address: z.string().nullish(),
  url: z.string().nullish(),
});

export const SharedContactSchema = z.looseObject({
  name: z.looseObject({ formatted_name: z.string().nullish(), first_name: z.string().nullish(), last_name: z.string().nullish() }).nullish(),
  phones: z.array(z.looseObject({ phone: z.string().nullish(), wa_id: z.string().nullish(), type: z.string().nullish() })).nullish(),
});
export const ContactsContentSchema = z.array(SharedContactSchema);

export const InteractiveContentSchema = z.looseObject({
  type: z.string(),
  button_reply: z.looseObject({ id: z.string(), title: z.string() }).nullish(),
  list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().nullish() }).nullish(),
  nfm_reply: z.looseObject({ response_json: z.string().nullish(), body: z.string().nullish(), name: z.string().nullish() }).nullish(),
});

export const ButtonContentSchema = z.looseObject({ payload: z.string().nullish(), text: z.string() });

/** `emoji` is omitted (or, in older captures, empty) when the customer removes the reaction. */
export const ReactionContentSchema = z.looseObject({ message_id: z.string().min(1), emoji: z.string().nullish() });

export const OrderContentSchema = z.looseObject({
  catalog_id: z.string().nullish(),
  text: z.string().nullish(),
  product_items: z
    .array(
      z.looseObject({
        product_retailer_id: z.string().nullish(),
        quantity: z.number().nullish(),
        item_price: z.number().nullish(),
        currency: z.string().nullish(),
      }),
    )
    .nullish(),
});

export const SystemContentSchema = z.looseObject({
  body: z.string().nullish(),
  type: z.string().nullish(),
  /** user_changed_number: the customer's new phone number. */
  wa_id: z.string().nullish(),
  /** The same in older payloads (type `customer_changed_number`), which Meta may still deliver. */
  new_wa_id: z.string().nullish(),
  /** user_changed_user_id: the new and previous BSUIDs. */
  user_id: z.string().nullish(),
  previous_user_id: z.string().nullish(),
});

export const UnsupportedContentSchema = z.looseObject({ type: z.string().nullish() });

/** Coexistence numbers only: the customer deleted a message for everyone. */
export const RevokeContentSchema = z.looseObject({ original_message_id: z.string().min(1) });

/** The customer edited an earlier message; `message` carries the new text or caption. */
export const EditContentSchema = z.looseObject({
  original_message_id: z.string().min(1),
  message: z
    .looseObject({
      type: z.string().nullish(),
      text: z.looseObject({ body: z.string().nullish() }).nullish(),
      image: z.looseObject({ caption: z.string().nullish() }).nullish(),
      video: z.looseObject({ caption: z.string().nullish() }).nullish(),
      document: z.looseObject({ caption: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

/** The typed part for each type Meta documents; any other type is kept raw. */
export const MessageContentSchemas = {
  text: TextContentSchema,
  image: MediaContentSchema,
  video: MediaContentSchema,
  audio: MediaContentSchema,
  document: MediaContentSchema,
  sticker: MediaContentSchema,
  location: LocationContentSchema,
  contacts: ContactsContentSchema,
  interactive: InteractiveContentSchema,
  button: ButtonContentSchema,
  reaction: ReactionContentSchema,
  order: OrderContentSchema,
  system: SystemContentSchema,
  unsupported: UnsupportedContentSchema,
  revoke: RevokeContentSchema,
  edit: EditContentSchema,
} as const;
export type KnownMessageType = keyof typeof MessageContentSchemas;

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

// ── Status ──────────────────────────────────────────────────────────────────────────────────────────────────

export const MessageStatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: UnixSecondsSchema.nullish().catch(undefined),
  recipient_id: z.string().nullish(),
  recipient_user_id: z.string().nullish(),
  recipient_type: z.string().nullish(),
  biz_opaque_callback_data: z.string().nullish(),
  conversation: z
    .looseObject({
      id: z.string().nullish(),
      expiration_timestamp: UnixSecondsSchema.nullish(),
      origin: z.looseObject({ type: z.string().nullish() }).nullish(),
    })
    .nullish()
    .catch(undefined),
  pricing: z
    .looseObject({ billable: z.boolean().nullish(), pricing_model: z.string().nullish(), type: z.string().nullish(), category: z.string().nullish() })
    .nullish()
    .catch(undefined),
  errors: z.array(WhatsAppErrorSchema).nullish().catch(undefined),
});
export type MessageStatus = z.infer<typeof MessageStatusSchema>;
