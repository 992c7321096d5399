// Builds realistic inbound `messages[]` items and their webhook envelope (WHATSAPP.md §4); shared by the simulator and the CLI.
import { newWamid } from './graph-ids';
import { unixSeconds, webhookEnvelope, type SimulatedPhoneNumber, type WebhookEnvelope } from './webhook-envelope';

/** Media already registered with the simulator, as a webhook describes it. */
export interface InboundMediaRef {
  id: string;
  mimeType: string;
  sha256Base64: string;
  /** The download URL Meta has added to inbound media since 2025-11 (gradual rollout). */
  url?: string;
}

/** Per-kind extras for an inbound media message. */
export interface InboundMediaExtras {
  caption?: string;
  filename?: string;
  voice?: boolean;
  animated?: boolean;
}

export type InboundMediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';
export const inboundMediaKinds: readonly InboundMediaKind[] = ['image', 'video', 'audio', 'document', 'sticker'];

/** Everything but the media bytes: which kind of message the customer sends. */
export type InboundContent =
  | { kind: 'text'; body: string }
  | { kind: 'media'; mediaKind: InboundMediaKind; media: InboundMediaRef; extras: InboundMediaExtras }
  | { kind: 'location'; location: { latitude: number; longitude: number; name?: string; address?: string; url?: string } }
  | { kind: 'contacts'; contacts: Array<Record<string, unknown>> }
  | { kind: 'interactive'; interactive: InboundInteractive }
  | { kind: 'button'; button: { payload: string; text: string } }
  | { kind: 'reaction'; reaction: { messageId: string; emoji?: string } }
  | { kind: 'order'; order: Record<string, unknown> }
  | { kind: 'raw'; message: Record<string, unknown> };

export type InboundInteractive =
  | { type: 'button_reply'; id: string; title: string }
  | { type: 'list_reply'; id: string; title: string; description?: string }
  | { type: 'nfm_reply'; responseJson: string; body?: string; name?: string };

/** Who sends it and when; the content decides the rest. */
export interface InboundEnvelopeInput {
  phone: SimulatedPhoneNumber;
  from: string;
  name?: string;
  /** BSUID of the customer (2026 usernames); sets `user_id` on the contact and `from_user_id` on the message. */
  userId?: string;
  id?: string;
  timestamp?: Date | number;
  context?: { id: string; from?: string } | { forwarded: true } | { frequently_forwarded: true };
  referral?: Record<string, unknown>;
  content: InboundContent;
}

function mediaObject(kind: InboundMediaKind, media: InboundMediaRef, extras: InboundMediaExtras): Record<string, unknown> {
  return {
    ...(extras.caption !== undefined && ['image', 'video', 'document'].includes(kind) ? { caption: extras.caption } : {}),
    ...(kind === 'document' ? { filename: extras.filename ?? 'document' } : {}),
    mime_type: media.mimeType,
    sha256: media.sha256Base64,
    id: media.id,
    ...(media.url === undefined ? {} : { url: media.url }),
    ...(kind === 'audio' ? { voice: extras.voice ?? false } : {}),
    ...(kind === 'sticker' ? { animated: extras.animated ?? false } : {}),
  };
}

function interactiveObject(interactive: InboundInteractive): Record<string, unknown> {
  switch (interactive.type) {
    case 'button_reply':
      return { type: 'button_reply', button_reply: { id: interactive.id, title: interactive.title } };
    case 'list_reply':
      return {
        type: 'list_reply',
        list_reply: { id: interactive.id, title: interactive.title, ...(interactive.description === undefined ? {} : { description: interactive.description }) },
      };
    case 'nfm_reply':
      return { type: 'nfm_reply', nfm_reply: { response_json: interactive.responseJson, body: interactive.body ?? 'Sent', name: interactive.name ?? 'flow' } };
  }
}

function typedContent(content: InboundContent): Record<string, unknown> {
  switch (content.kind) {
    case 'text':
      return { type: 'text', text: { body: content.body } };
    case 'media':
      return { type: content.mediaKind, [content.mediaKind]: mediaObject(content.mediaKind, content.media, content.extras) };
    case 'location':
      return { type: 'location', location: content.location };
    case 'contacts':
      return { type: 'contacts', contacts: content.contacts };
    case 'interactive':
      return { type: 'interactive', interactive: interactiveObject(content.interactive) };
    case 'button':
      return { type: 'button', button: content.button };
    case 'reaction':
      return {
        type: 'reaction',
        reaction: { message_id: content.reaction.messageId, ...(content.reaction.emoji === undefined ? {} : { emoji: content.reaction.emoji }) },
      };
    case 'order':
      return { type: 'order', order: content.order };
    case 'raw':
      return content.message;
  }
}

/** The customer's number as Meta writes `from`/`wa_id`: digits only. */
export function waIdOf(phone: string): string {
  return phone.replace(/\D/g, '');
}

/** Builds the `messages[]` item and the full signed-to-be envelope for one inbound message. */
export function buildInboundWebhook(input: InboundEnvelopeInput): { messageId: string; message: Record<string, unknown>; payload: WebhookEnvelope } {
  const from = waIdOf(input.from);
  const messageId = input.id ?? newWamid(from, 'inbound');
  const context =
    input.context === undefined
      ? undefined
      : 'id' in input.context
        ? { from: input.context.from ?? input.phone.displayPhoneNumber, id: input.context.id }
        : input.context;
  const message: Record<string, unknown> = {
    ...(context === undefined ? {} : { context }),
    from,
    ...(input.userId === undefined ? {} : { from_user_id: input.userId }),
    id: messageId,
    timestamp: unixSeconds(input.timestamp),
    ...(input.referral === undefined ? {} : { referral: input.referral }),
    ...typedContent(input.content),
  };
  const contact = {
    profile: { name: input.name ?? 'Test Customer' },
    wa_id: from,
    ...(input.userId === undefined ? {} : { user_id: input.userId }),
  };
  return { messageId, message, payload: webhookEnvelope(input.phone, { contacts: [contact], messages: [message] }) };
}
