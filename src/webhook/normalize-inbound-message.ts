// Turns one inbound message of a webhook into the flat shape the inbox stores, keeping Meta's raw JSON beside it.
import type { z } from 'zod';
import {
  InboundMessageSchema,
  MEDIA_TYPES,
  MessageContentSchemas,
  WhatsAppErrorSchema,
  type KnownMessageType,
  type MediaType,
  type WhatsAppError,
} from './webhook-payload.schemas';

/** How the inbox treats a message: shown in the thread, or applied to another message, or a notice. */
export type MessageRole = 'content' | 'reaction' | 'revoke' | 'edit' | 'system';

export interface NormalizedMedia {
  readonly mediaType: MediaType;
  readonly mediaId: string;
  readonly mimeType: string | undefined;
  /** As Meta sent it (base64 of the SHA-256 digest). */
  readonly sha256: string | undefined;
  readonly fileName: string | undefined;
  readonly voice: boolean;
  readonly animated: boolean;
}

export interface NormalizedError {
  readonly code: number | undefined;
  readonly title: string | undefined;
  readonly details: string | undefined;
}

/** One inbound message, ready to be stored. */
export interface NormalizedInboundMessage {
  readonly whatsAppMessageId: string;
  /** Meta's `type` as sent (`text`, `image`, …, `unsupported`, or a type this code does not know). */
  readonly type: string;
  readonly role: MessageRole;
  /** WhatsApp's own time of the message (not the time it reached us); undefined when absent or unreadable. */
  readonly sentAt: Date | undefined;
  /** Sender phone number (`from`); undefined when Meta sent it empty (username users). */
  readonly fromWaId: string | undefined;
  /** Sender business-scoped user id (`from_user_id`). */
  readonly fromUserId: string | undefined;
  readonly groupId: string | undefined;
  /** The text an operator reads: body, caption, button text, reply title, location name, … */
  readonly text: string | undefined;
  readonly media: NormalizedMedia | undefined;
  readonly replyToWhatsAppMessageId: string | undefined;
  readonly forwarded: boolean;
  readonly frequentlyForwarded: boolean;
  /** For reactions, revokes and edits: the message they apply to. */
  readonly targetWhatsAppMessageId: string | undefined;
  /** For reactions: the emoji, or null when the customer removed the reaction. */
  readonly reactionEmoji: string | null | undefined;
  /** For system messages: the identity change it announces. */
  readonly system: { readonly kind: string; readonly newWaId: string | undefined; readonly newUserId: string | undefined; readonly previousUserId: string | undefined } | undefined;
  /** Meta's error on the message (unsupported types, undownloadable media…). */
  readonly error: NormalizedError | undefined;
  /** False when the part named by `type` did not have the documented shape; the raw JSON still has it. */
  readonly contentValid: boolean;
  /** Structured details clients show (typed part, context, referral), as JSON text. */
  readonly detailsJson: string;
  /** The message exactly as Meta sent it, as JSON text. */
  readonly rawJson: string;
}

export type NormalizeResult = { ok: true; message: NormalizedInboundMessage } | { ok: false; reason: string };

const isMediaType = (type: string): type is MediaType => (MEDIA_TYPES as readonly string[]).includes(type);
const isKnownType = (type: string): type is KnownMessageType => Object.hasOwn(MessageContentSchemas, type);
const nonEmpty = (value: string | null | undefined): string | undefined => (value === null || value === undefined || value === '' ? undefined : value);

/**
 * Normalises one element of `value.messages[]`. Fails only when the message has no id (it could not be stored
 * idempotently); every other oddity (unknown type, a malformed typed part) is kept with `contentValid: false`.
 */
export function normalizeInboundMessage(raw: unknown, options: { changeErrors?: readonly unknown[] } = {}): NormalizeResult {
  const parsed = InboundMessageSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `not a message: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''}` };
  const message = parsed.data;
  const rawRecord = raw as Record<string, unknown>;
  const type = message.type;
  const typedRaw = rawRecord[type];

  const base = {
    whatsAppMessageId: message.id,
    type,
    sentAt: message.timestamp === undefined || message.timestamp === null ? undefined : new Date(message.timestamp * 1000),
    fromWaId: nonEmpty(message.from),
    fromUserId: nonEmpty(message.from_user_id),
    groupId: nonEmpty(message.group_id),
    replyToWhatsAppMessageId: nonEmpty(message.context?.id),
    forwarded: message.context?.forwarded === true || message.context?.frequently_forwarded === true,
    frequentlyForwarded: message.context?.frequently_forwarded === true,
    error: firstError(message.errors) ?? (typedRaw === undefined ? changeError(options.changeErrors) : undefined),
    rawJson: JSON.stringify(raw),
  };
  const details = (content: unknown) =>
    JSON.stringify({
      [type]: content,
      ...(message.context ? { context: message.context } : {}),
      ...(message.referral ? { referral: message.referral } : {}),
      ...(rawRecord.identity !== undefined ? { identity: rawRecord.identity } : {}),
    });
  const empty = {
    text: undefined,
    media: undefined,
    targetWhatsAppMessageId: undefined,
    reactionEmoji: undefined,
    system: undefined,
  };

  if (!isKnownType(type)) {
    return { ok: true, message: { ...base, ...empty, role: 'content', contentValid: false, detailsJson: details(typedRaw ?? null) } };
  }
  const typed = (MessageContentSchemas[type] as z.ZodType).safeParse(typedRaw);
  if (!typed.success) {
    // A documented type without its documented part (Meta sends e.g. `interactive` with only an error): keep it raw.
    const role: MessageRole = type === 'system' ? 'system' : 'content';
    return { ok: true, message: { ...base, ...empty, role, contentValid: false, detailsJson: details(typedRaw ?? null) } };
  }
  const part = typed.data;
  return { ok: true, message: { ...base, ...empty, ...typedFields(type, part), contentValid: true, detailsJson: details(part) } };
}

type TypedFields = Pick<NormalizedInboundMessage, 'role' | 'text' | 'media' | 'targetWhatsAppMessageId' | 'reactionEmoji' | 'system'>;

function typedFields(type: KnownMessageType, part: unknown): Partial<TypedFields> & Pick<TypedFields, 'role'> {
  if (isMediaType(type)) {
    const media = part as z.infer<(typeof MessageContentSchemas)['image']>;
    return {
      role: 'content',
      text: nonEmpty(media.caption),
      media: {
        mediaType: type,
        mediaId: media.id,
        mimeType: nonEmpty(media.mime_type),
        sha256: nonEmpty(media.sha256),
        fileName: nonEmpty(media.filename),
        voice: media.voice === true,
        animated: media.animated === true,
      },
    };
  }
  switch (type) {
    case 'text':
      return { role: 'content', text: (part as z.infer<(typeof MessageContentSchemas)['text']>).body };
    case 'location': {
      const location = part as z.infer<(typeof MessageContentSchemas)['location']>;
      const label = [nonEmpty(location.name), nonEmpty(location.address)].filter(Boolean).join(', ');
      return { role: 'content', text: label || `${location.latitude}, ${location.longitude}` };
    }
    case 'contacts': {
      const contacts = part as z.infer<(typeof MessageContentSchemas)['contacts']>;
      const names = contacts.map((c) => nonEmpty(c.name?.formatted_name) ?? [c.name?.first_name, c.name?.last_name].filter(Boolean).join(' ')).filter(Boolean);
      return { role: 'content', text: names.join(', ') || undefined };
    }
    case 'interactive': {
      const interactive = part as z.infer<(typeof MessageContentSchemas)['interactive']>;
      const text = interactive.button_reply?.title ?? interactive.list_reply?.title ?? nonEmpty(interactive.nfm_reply?.body) ?? undefined;
      return { role: 'content', text };
    }
    case 'button':
      return { role: 'content', text: (part as z.infer<(typeof MessageContentSchemas)['button']>).text };
    case 'order':
      return { role: 'content', text: nonEmpty((part as z.infer<(typeof MessageContentSchemas)['order']>).text) };
    case 'reaction': {
      const reaction = part as z.infer<(typeof MessageContentSchemas)['reaction']>;
      return { role: 'reaction', targetWhatsAppMessageId: reaction.message_id, reactionEmoji: nonEmpty(reaction.emoji) ?? null, text: nonEmpty(reaction.emoji) };
    }
    case 'revoke':
      return { role: 'revoke', targetWhatsAppMessageId: (part as z.infer<(typeof MessageContentSchemas)['revoke']>).original_message_id };
    case 'edit': {
      const edit = part as z.infer<(typeof MessageContentSchemas)['edit']>;
      const m = edit.message;
      const text = nonEmpty(m?.text?.body) ?? nonEmpty(m?.image?.caption) ?? nonEmpty(m?.video?.caption) ?? nonEmpty(m?.document?.caption);
      return { role: 'edit', targetWhatsAppMessageId: edit.original_message_id, text };
    }
    case 'system': {
      const system = part as z.infer<(typeof MessageContentSchemas)['system']>;
      return {
        role: 'system',
        text: nonEmpty(system.body),
        system: {
          kind: nonEmpty(system.type) ?? 'unknown',
          newWaId: nonEmpty(system.wa_id) ?? nonEmpty(system.new_wa_id),
          newUserId: nonEmpty(system.user_id),
          previousUserId: nonEmpty(system.previous_user_id),
        },
      };
    }
    case 'unsupported':
      return { role: 'content' };
    default:
      return { role: 'content' };
  }
}

/**
 * Meta sometimes reports why a message has no content on the change (`value.errors`, e.g. 131000 "Unsupported webhook
 * payload" beside an `interactive` with no `interactive` part) rather than on the message: such a message keeps it.
 */
function changeError(changeErrors: readonly unknown[] | undefined): NormalizedError | undefined {
  if (!changeErrors?.length) return undefined;
  const errors = changeErrors.flatMap((e) => {
    const parsed = WhatsAppErrorSchema.safeParse(e);
    return parsed.success ? [parsed.data] : [];
  });
  return firstError(errors);
}

function firstError(errors: readonly WhatsAppError[] | null | undefined): NormalizedError | undefined {
  const error = errors?.[0];
  if (!error) return undefined;
  return {
    code: error.code ?? undefined,
    title: nonEmpty(error.title) ?? nonEmpty(error.message),
    details: nonEmpty(error.error_data?.details) ?? nonEmpty(error.details),
  };
}

/** The one-line preview a conversation list shows for a message. */
export function messagePreview(message: Pick<NormalizedInboundMessage, 'type' | 'text' | 'media'>): string {
  const text = message.text?.replace(/\s+/g, ' ').trim();
  if (message.media) return text ? `[${message.media.mediaType}] ${text}` : `[${message.media.mediaType}]`;
  if (text) return text;
  return `[${message.type}]`;
}
