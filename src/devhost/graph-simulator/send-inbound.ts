// sendInbound(): registers the customer's media (so the app can GET and download it) and posts the signed message webhook.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { InboundMediaInput, InboundResult, SendInboundOptions, SendStatusOptions } from './graph-simulator.types';
import { buildInboundWebhook, inboundMediaKinds, type InboundContent } from './inbound-message';
import { mimeTypeForFile } from './media-types';
import { phoneById, type SimulatorState } from './simulator-state';
import { buildStatusObject, statusSubject } from './status-progression';
import type { SimulatedPhoneNumber } from './webhook-envelope';
import type { WebhookDelivery } from './webhook-sender';

function phoneFor(state: SimulatorState, phoneNumberId: string | undefined): SimulatedPhoneNumber {
  const phone = phoneNumberId === undefined ? state.phoneNumbers[0] : phoneById(state, phoneNumberId);
  if (phone === undefined) throw new Error(`Unknown phone number id ${phoneNumberId ?? '(none configured)'}`);
  return phone;
}

async function registerInboundMedia(state: SimulatorState, input: InboundMediaInput, phone: SimulatedPhoneNumber) {
  if ('mediaId' in input) {
    const existing = state.media.get(input.mediaId);
    if (existing === undefined) throw new Error(`Media ${input.mediaId} is not registered`);
    return existing;
  }
  const bytes = 'bytes' in input ? input.bytes : await readFile(input.file);
  const mimeType = input.mimeType ?? ('file' in input ? mimeTypeForFile(input.file) : 'application/octet-stream');
  const filename = input.filename ?? ('file' in input ? basename(input.file) : undefined);
  return state.media.put({ bytes, mimeType, phoneNumberId: phone.phoneNumberId, origin: 'inbound', ...(filename === undefined ? {} : { filename }) });
}

async function contentOf(state: SimulatorState, options: SendInboundOptions, phone: SimulatedPhoneNumber): Promise<{ content: InboundContent; mediaId?: string }> {
  for (const kind of inboundMediaKinds) {
    const input = options[kind];
    if (input === undefined) continue;
    const media = await registerInboundMedia(state, input, phone);
    const extras = {
      ...(input.caption === undefined ? {} : { caption: input.caption }),
      ...(input.voice === undefined ? {} : { voice: input.voice }),
      ...(input.animated === undefined ? {} : { animated: input.animated }),
      ...(kind === 'document' ? { filename: input.filename ?? media.filename ?? 'document' } : {}),
    };
    const ref = { id: media.id, mimeType: media.mimeType, sha256Base64: media.sha256Base64, url: state.media.signedUrl(state.baseUrl, media.id, state.mediaUrlTtlMs) };
    return { content: { kind: 'media', mediaKind: kind, media: ref, extras }, mediaId: media.id };
  }
  if (options.text !== undefined) return { content: { kind: 'text', body: options.text } };
  if (options.location !== undefined) return { content: { kind: 'location', location: options.location } };
  if (options.contacts !== undefined) return { content: { kind: 'contacts', contacts: options.contacts } };
  if (options.interactive !== undefined) return { content: { kind: 'interactive', interactive: options.interactive } };
  if (options.button !== undefined) return { content: { kind: 'button', button: options.button } };
  if (options.reaction !== undefined) return { content: { kind: 'reaction', reaction: options.reaction } };
  if (options.order !== undefined) return { content: { kind: 'order', order: options.order } };
  if (options.message !== undefined) return { content: { kind: 'raw', message: options.message } };
  throw new Error('sendInbound needs one of text, image, video, audio, document, sticker, location, contacts, interactive, button, reaction, order, message');
}

export async function sendInbound(state: SimulatorState, options: SendInboundOptions): Promise<InboundResult> {
  const phone = phoneFor(state, options.phoneNumberId);
  const { content, mediaId } = await contentOf(state, options, phone);
  const built = buildInboundWebhook({
    phone,
    from: options.from,
    content,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.referral === undefined ? {} : { referral: options.referral }),
  });
  const delivery = await state.webhooks.deliver(built.payload, `inbound ${content.kind === 'media' ? content.mediaKind : content.kind}`);
  return { messageId: built.messageId, ...(mediaId === undefined ? {} : { mediaId }), payload: built.payload, delivery };
}

/** Posts one status webhook, filling recipient, phone number, callback data and category from the accepted send. */
export function sendStatus(state: SimulatorState, options: SendStatusOptions): Promise<WebhookDelivery> {
  const accepted = state.accepted.get(options.messageId);
  const phone = phoneFor(state, options.phoneNumberId ?? accepted?.phoneNumberId);
  const callbackData = options.bizOpaqueCallbackData ?? accepted?.bizOpaqueCallbackData;
  const subject = statusSubject({
    messageId: options.messageId,
    recipientId: options.recipientId ?? accepted?.waId ?? accepted?.to ?? '',
    apiVersion: accepted?.apiVersion ?? state.apiVersion,
    category: accepted?.category ?? 'service',
    acceptedAt: accepted === undefined ? Date.now() : Date.parse(accepted.acceptedAt),
    ...(callbackData === undefined ? {} : { bizOpaqueCallbackData: callbackData }),
  });
  const at = options.timestamp === undefined ? Date.now() : typeof options.timestamp === 'number' ? options.timestamp : options.timestamp.getTime();
  const status = buildStatusObject({
    subject,
    status: options.status,
    at,
    pricing: options.pricing ?? state.statusBehaviour.pricing,
    ...(options.error === undefined ? {} : { error: options.error }),
  });
  return state.postStatus(phone, status);
}
