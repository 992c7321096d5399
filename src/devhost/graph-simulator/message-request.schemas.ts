// zod schemas for the bodies of POST /{phone-number-id}/messages, with the limits Meta documents (WHATSAPP.md §6).
import { z } from 'zod';

/** Every `type` the send endpoint accepts (Meta's list; inbound-only types such as `button` and `order` are not here). */
export const sendableTypes = [
  'text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'interactive', 'template', 'reaction',
] as const;
export type SendableType = (typeof sendableTypes)[number];
export const mediaTypes = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaType = (typeof mediaTypes)[number];

const httpUrlSchema = z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL');
const numberLikeSchema = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]);

/** Fields every message body shares. `type` defaults to text, as Meta's does. */
export const MessageEnvelopeSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.enum(['individual', 'group']).optional(),
  to: z.string().min(1),
  type: z.enum(sendableTypes).optional(),
  context: z.looseObject({ message_id: z.string().min(1) }).optional(),
  biz_opaque_callback_data: z.string().max(512).optional(),
});
export type MessageEnvelope = z.infer<typeof MessageEnvelopeSchema>;

/** Mark-as-read, optionally with a typing indicator (MR, TI). */
export const StatusUpdateSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  status: z.literal('read'),
  message_id: z.string().min(1),
  typing_indicator: z.looseObject({ type: z.literal('text') }).optional(),
});
export type StatusUpdate = z.infer<typeof StatusUpdateSchema>;

export const TextSchema = z.looseObject({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() });

/** A media object by uploaded id or by link, never both (SEND-image/document/audio). */
export const MediaObjectSchema = z
  .looseObject({
    id: z.string().min(1).optional(),
    link: httpUrlSchema.optional(),
    caption: z.string().max(1024).optional(),
    filename: z.string().min(1).max(240).optional(),
    voice: z.boolean().optional(),
  })
  .refine((m) => (m.id === undefined) !== (m.link === undefined), { message: "exactly one of 'id' or 'link' is required" });
export type MediaObject = z.infer<typeof MediaObjectSchema>;

export const LocationSchema = z.looseObject({
  latitude: numberLikeSchema,
  longitude: numberLikeSchema,
  name: z.string().optional(),
  address: z.string().optional(),
});

export const ContactsSchema = z
  .array(
    z.looseObject({
      name: z.looseObject({ formatted_name: z.string().min(1) }),
      phones: z.array(z.looseObject({ phone: z.string().optional(), type: z.string().optional(), wa_id: z.string().optional() })).optional(),
      emails: z.array(z.looseObject({ email: z.string().optional(), type: z.string().optional() })).optional(),
    }),
  )
  .min(1);

/** `emoji: ""` removes a reaction, so an empty string is valid. */
export const ReactionSchema = z.looseObject({ message_id: z.string().min(1), emoji: z.string() });

const InteractiveTextSchema = (max: number) => z.looseObject({ text: z.string().min(1).max(max) });

const InteractiveHeaderSchema = z.looseObject({
  type: z.enum(['text', 'image', 'video', 'document']),
  text: z.string().min(1).max(60).optional(),
  image: MediaObjectSchema.optional(),
  video: MediaObjectSchema.optional(),
  document: MediaObjectSchema.optional(),
}).refine((h) => h[h.type] !== undefined, { message: 'the header object named by header type is required' });

const ReplyButtonsSchema = z.looseObject({
  type: z.literal('button'),
  header: InteractiveHeaderSchema.optional(),
  body: InteractiveTextSchema(1024),
  footer: InteractiveTextSchema(60).optional(),
  action: z.looseObject({
    buttons: z
      .array(z.looseObject({ type: z.literal('reply'), reply: z.looseObject({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }) }))
      .min(1)
      .max(3),
  }),
});

const ListSchema = z.looseObject({
  type: z.literal('list'),
  header: z.looseObject({ type: z.literal('text'), text: z.string().min(1).max(60) }).optional(),
  body: InteractiveTextSchema(4096),
  footer: InteractiveTextSchema(60).optional(),
  action: z.looseObject({
    button: z.string().min(1).max(20),
    sections: z
      .array(
        z.looseObject({
          title: z.string().min(1).max(24).optional(),
          rows: z
            .array(z.looseObject({ id: z.string().min(1).max(200), title: z.string().min(1).max(24), description: z.string().max(72).optional() }))
            .min(1),
        }),
      )
      .min(1)
      .max(10)
      .refine((sections) => sections.reduce((n, s) => n + s.rows.length, 0) <= 10, { message: 'a list may hold at most 10 rows in all' })
      .refine((sections) => sections.length === 1 || sections.every((s) => s.title !== undefined), { message: 'every section needs a title when there are several' }),
  }),
});

const CtaUrlSchema = z.looseObject({
  type: z.literal('cta_url'),
  body: InteractiveTextSchema(1024),
  action: z.looseObject({
    name: z.literal('cta_url'),
    parameters: z.looseObject({ display_text: z.string().min(1).max(20), url: httpUrlSchema }),
  }),
});

/** Interactive kinds the simulator checks loosely: they need a body (except location requests) and an action. */
const OtherInteractiveSchema = z.looseObject({
  type: z.enum(['flow', 'location_request_message', 'product', 'product_list', 'catalog_message', 'address_message', 'voice_call']),
  action: z.looseObject({}),
});

export const InteractiveSchema = z.discriminatedUnion('type', [ReplyButtonsSchema, ListSchema, CtaUrlSchema, OtherInteractiveSchema]);

const TemplateParameterSchema = z.looseObject({
  type: z.enum(['text', 'currency', 'date_time', 'image', 'video', 'document', 'location', 'payload', 'coupon_code', 'action', 'expiration_time_ms', 'product', 'order_status', 'limited_time_offer', 'tap_target_configuration', 'ttl_minutes']),
  text: z.string().optional(),
  parameter_name: z.string().regex(/^[a-z0-9_]+$/).optional(),
  payload: z.string().optional(),
  image: MediaObjectSchema.optional(),
  video: MediaObjectSchema.optional(),
  document: MediaObjectSchema.optional(),
});
export type TemplateParameter = z.infer<typeof TemplateParameterSchema>;

export const TemplateComponentSchema = z.looseObject({
  type: z.enum(['header', 'body', 'button', 'footer', 'carousel', 'limited_time_offer']),
  sub_type: z.string().optional(),
  index: z.union([z.number().int().min(0), z.string().regex(/^\d+$/)]).optional(),
  parameters: z.array(TemplateParameterSchema).optional(),
});
export type TemplateComponent = z.infer<typeof TemplateComponentSchema>;

export const TemplateSchema = z.looseObject({
  name: z.string().min(1).max(512),
  language: z.looseObject({ code: z.string().min(1), policy: z.literal('deterministic').optional() }),
  components: z.array(TemplateComponentSchema).optional(),
});
export type TemplateRequest = z.infer<typeof TemplateSchema>;

/** The schema of the object named by `type`. */
export const typeObjectSchemas: Record<SendableType, z.ZodType> = {
  text: TextSchema,
  image: MediaObjectSchema,
  video: MediaObjectSchema,
  audio: MediaObjectSchema,
  document: MediaObjectSchema,
  sticker: MediaObjectSchema,
  location: LocationSchema,
  contacts: ContactsSchema,
  interactive: InteractiveSchema,
  template: TemplateSchema,
  reaction: ReactionSchema,
};
