// zod schemas for the simulator's /_sim control API bodies (used by scripts/simulate.ts and other processes).
import { z } from 'zod';

const FaultActionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('error'),
    code: z.number().int(),
    status: z.number().int().min(100).max(599).optional(),
    message: z.string().optional(),
    details: z.string().optional(),
    subcode: z.number().int().nullable().optional(),
  }),
  z.object({ kind: z.literal('http-status'), status: z.number().int().min(100).max(599), body: z.string().optional() }),
  z.object({ kind: z.literal('timeout-after-accept'), delayMs: z.number().int().min(0).optional() }),
  z.object({ kind: z.literal('connection-reset'), afterAccept: z.boolean().optional() }),
  z.object({ kind: z.literal('delay'), ms: z.number().int().min(0) }),
  z.object({ kind: z.literal('fail-async'), code: z.number().int(), title: z.string().optional(), details: z.string().optional() }),
]);

export const FaultRuleSchema = z.object({
  match: z
    .object({
      method: z.string().optional(),
      path: z.string().optional(),
      phoneNumberId: z.string().optional(),
      to: z.string().optional(),
      messageType: z.string().optional(),
    })
    .optional(),
  action: FaultActionSchema,
  skip: z.number().int().min(0).optional(),
  times: z.number().int().min(1).optional(),
  probability: z.number().min(0).max(1).optional(),
});

/** Media sent over the control API as base64. */
export const MediaUploadSchema = z.object({
  base64: z.string(),
  mimeType: z.string().min(1),
  filename: z.string().optional(),
  phoneNumberId: z.string().optional(),
});

const InboundMediaSchema = z.union([
  z.object({
    base64: z.string(),
    mimeType: z.string().min(1),
    caption: z.string().optional(),
    filename: z.string().optional(),
    voice: z.boolean().optional(),
    animated: z.boolean().optional(),
  }),
  z.object({
    mediaId: z.string().min(1),
    caption: z.string().optional(),
    filename: z.string().optional(),
    voice: z.boolean().optional(),
    animated: z.boolean().optional(),
  }),
]);
export type InboundMediaBody = z.infer<typeof InboundMediaSchema>;

export const InboundSchema = z.object({
  from: z.string().min(1),
  name: z.string().optional(),
  userId: z.string().optional(),
  phoneNumberId: z.string().optional(),
  id: z.string().optional(),
  timestamp: z.number().optional(),
  context: z
    .union([z.object({ id: z.string(), from: z.string().optional() }), z.object({ forwarded: z.literal(true) }), z.object({ frequently_forwarded: z.literal(true) })])
    .optional(),
  referral: z.record(z.string(), z.unknown()).optional(),
  text: z.string().optional(),
  image: InboundMediaSchema.optional(),
  video: InboundMediaSchema.optional(),
  audio: InboundMediaSchema.optional(),
  document: InboundMediaSchema.optional(),
  sticker: InboundMediaSchema.optional(),
  location: z
    .object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional(), url: z.string().optional() })
    .optional(),
  contacts: z.array(z.record(z.string(), z.unknown())).optional(),
  interactive: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('button_reply'), id: z.string(), title: z.string() }),
      z.object({ type: z.literal('list_reply'), id: z.string(), title: z.string(), description: z.string().optional() }),
      z.object({ type: z.literal('nfm_reply'), responseJson: z.string(), body: z.string().optional(), name: z.string().optional() }),
    ])
    .optional(),
  button: z.object({ payload: z.string(), text: z.string() }).optional(),
  reaction: z.object({ messageId: z.string(), emoji: z.string().optional() }).optional(),
  order: z.record(z.string(), z.unknown()).optional(),
  message: z.record(z.string(), z.unknown()).optional(),
});

export const StatusSchema = z.object({
  messageId: z.string().min(1),
  status: z.enum(['sent', 'delivered', 'read', 'failed', 'played']),
  recipientId: z.string().optional(),
  phoneNumberId: z.string().optional(),
  bizOpaqueCallbackData: z.string().optional(),
  timestamp: z.number().optional(),
  error: z.object({ code: z.number().int(), title: z.string().optional(), details: z.string().optional() }).optional(),
  pricing: z.boolean().optional(),
});

export const StatusBehaviourPatchSchema = z.object({
  auto: z.boolean().optional(),
  delaysMs: z.object({ sent: z.number().min(0), delivered: z.number().min(0), read: z.number().min(0) }).optional(),
  finalStatus: z.enum(['sent', 'delivered', 'read']).optional(),
  failWith: z.object({ code: z.number().int(), title: z.string().optional(), details: z.string().optional() }).nullable().optional(),
  pricing: z.boolean().optional(),
});

export const LimitsSchema = z.object({
  throughputPerSecond: z.number().int().min(1).nullable().optional(),
  pairRateLimit: z.object({ intervalMs: z.number().int().min(1), burst: z.number().int().min(1) }).nullable().optional(),
});

export const WebhookUrlSchema = z.object({ url: z.string().url().nullable() });

const TemplateComponentSchema = z.looseObject({ type: z.enum(['HEADER', 'BODY', 'FOOTER', 'BUTTONS']) });
export const TemplateInputSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().min(1),
  language: z.string().min(1),
  status: z.enum(['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'FLAGGED', 'ARCHIVED', 'PENDING_DELETION', 'LIMIT_EXCEEDED', 'LOCKED']),
  category: z.enum(['UTILITY', 'MARKETING', 'AUTHENTICATION']),
  parameter_format: z.enum(['NAMED', 'POSITIONAL']).optional(),
  components: z.array(TemplateComponentSchema),
  wabaId: z.string().optional(),
});
