// Request bodies of the sending endpoints: one flat shape per message (so case-insensitive binding works), checked per type.
import { z } from 'zod';
import { TemplateParametersSchema } from '../templates/template-parameters';

export const outboundTypes = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'template', 'reaction'] as const;
export type OutboundType = (typeof outboundTypes)[number];
export const mediaMessageTypes = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaMessageType = (typeof mediaMessageTypes)[number];

export const isMediaType = (type: string): type is MediaMessageType => (mediaMessageTypes as readonly string[]).includes(type);

const idSchema = z.uuid('must be an id');

/** Which fields each type takes (the rest must be absent, so a typo is a 400 rather than silently ignored). */
const fieldsByType: Record<OutboundType, readonly string[]> = {
  text: ['text', 'previewUrl'],
  image: ['uploadId', 'caption'],
  video: ['uploadId', 'caption'],
  document: ['uploadId', 'caption', 'fileName'],
  audio: ['uploadId'],
  sticker: ['uploadId'],
  template: ['name', 'language', 'parameters'],
  reaction: ['messageId', 'emoji'],
};
const requiredByType: Record<OutboundType, readonly string[]> = {
  text: ['text'],
  image: ['uploadId'],
  video: ['uploadId'],
  document: ['uploadId'],
  audio: ['uploadId'],
  sticker: ['uploadId'],
  template: ['name', 'language'],
  reaction: ['messageId', 'emoji'],
};
const typeFields = ['text', 'previewUrl', 'uploadId', 'caption', 'fileName', 'name', 'language', 'parameters', 'messageId', 'emoji'] as const;

/** `POST /api/conversations/{conversationId}/messages`. */
export const SendMessageBodySchema = z
  .object({
    /** The client's idempotency key: the same key twice returns the first message and sends nothing new. */
    clientMessageId: z.string().trim().min(1).max(100),
    type: z.enum(outboundTypes),
    text: z.string().min(1).max(4096).optional(),
    previewUrl: z.boolean().optional(),
    uploadId: idSchema.optional(),
    caption: z.string().min(1).max(1024).optional(),
    fileName: z.string().min(1).max(240).optional(),
    name: z.string().min(1).max(512).optional(),
    language: z.string().regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/, 'must be a language code such as tr or en_US').optional(),
    parameters: TemplateParametersSchema.optional(),
    /** The message (our id) a reaction is for. */
    messageId: idSchema.optional(),
    /** One emoji; '' removes the reaction. */
    emoji: z.string().max(32).optional(),
    /** Our id of the message this one replies to (shown quoted). */
    replyTo: idSchema.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    for (const field of typeFields) {
      if (body[field] !== undefined && !fieldsByType[body.type].includes(field)) ctx.addIssue({ code: 'custom', path: [field], message: `not used by ${body.type} messages` });
    }
    for (const field of requiredByType[body.type]) {
      if (body[field as (typeof typeFields)[number]] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for ${body.type} messages` });
    }
    if (body.type === 'reaction' && body.replyTo !== undefined) ctx.addIssue({ code: 'custom', path: ['replyTo'], message: 'a reaction cannot quote a message' });
  });
export type SendMessageBody = z.infer<typeof SendMessageBodySchema>;

/** A template send: name, language and the values for its placeholders. */
export const TemplateSendSchema = z.object({
  name: z.string().min(1).max(512),
  language: z.string().regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/, 'must be a language code such as tr or en_US'),
  parameters: TemplateParametersSchema.optional(),
});

/** `POST /api/conversations`: reach a customer by template (outreach, or after the window closed). */
export const StartConversationBodySchema = z
  .object({
    clientMessageId: z.string().trim().min(1).max(100),
    /** The customer's phone number with country code (digits; `+`, spaces and dashes are ignored). */
    phone: z
      .string()
      .transform((v) => v.replace(/[\s\-().+]/g, ''))
      .pipe(z.string().regex(/^[1-9]\d{7,14}$/, 'must be a phone number with country code (8–15 digits)')),
    /** Which business number to send from; the firm's first active number when absent. */
    phoneNumberId: z.string().regex(/^\d{5,20}$/).optional(),
    template: TemplateSendSchema,
  })
  .strict();
export type StartConversationBody = z.infer<typeof StartConversationBodySchema>;

export const MessageIdParamsSchema = z.object({ messageId: idSchema });
export const ConversationIdParamsSchema = z.object({ conversationId: idSchema });
