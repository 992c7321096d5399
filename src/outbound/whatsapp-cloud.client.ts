// The Graph API client for sending: messages, read receipts, media uploads and template listings (WHATSAPP.md §6–8).
import { z } from 'zod';
import { readGraphError } from '../shared/graph-error';
import { parseJson } from '../shared/parse-json';

/** Options every call takes, named as the Azure SDK guidelines name them. */
export interface OperationOptions {
  readonly abortSignal?: AbortSignal;
  /** Gives up (and reports a timeout) after this long; default the client's `timeoutInMs`. */
  readonly timeoutInMs?: number;
}

/** Options of a message send. */
export interface SendMessageOptions extends OperationOptions {
  /** Shows the message as a reply to this WhatsApp message id (`context.message_id`). */
  readonly replyToMessageId?: string;
  /** Echoed back by Meta in status webhooks (≤ 512 characters): the app's own message id. */
  readonly bizOpaqueCallbackData?: string;
}

/** A media object sent by Meta media id (never by link: Meta cannot always fetch links, ANCHORS.md row 11). */
export interface MediaMessageContent {
  readonly kind: 'image' | 'video' | 'audio' | 'document' | 'sticker';
  readonly mediaId: string;
  readonly caption?: string;
  readonly fileName?: string;
}

/** A template as the send API takes it: name, language and ready-made `components`. */
export interface TemplateMessageContent {
  readonly name: string;
  readonly languageCode: string;
  readonly components: readonly Record<string, unknown>[];
}

export interface SendMessageResult {
  /** Meta's `wamid.…`. */
  readonly messageId: string;
  /** The recipient's WhatsApp id as Meta resolved it ('' when sent to a BSUID). */
  readonly waId: string | undefined;
  /** `accepted` / `held_for_quality_assessment` for paced templates. */
  readonly messageStatus: string | undefined;
}

/**
 * What went wrong. `graph`: Meta answered with its error envelope (branch on `code` and `details`); `http`: an HTTP
 * error without one (a proxy's 5xx); `not-sent`: the request never left (connection refused, DNS) so Meta cannot
 * have it; `unknown`: the request was written but no answer came (timeout, reset) so Meta may have accepted it;
 * `malformed`: an answer that is neither a result nor an error.
 */
export type WhatsAppCloudErrorKind = 'graph' | 'http' | 'not-sent' | 'unknown' | 'malformed';

/** A failed Graph call with everything needed to classify it. */
export class WhatsAppCloudError extends Error {
  constructor(
    readonly kind: WhatsAppCloudErrorKind,
    message: string,
    readonly details: {
      readonly httpStatus?: number;
      readonly code?: number;
      readonly subcode?: number;
      readonly title?: string;
      readonly errorDetails?: string;
      readonly fbtraceId?: string;
      /** Graph's own `is_transient` flag, when it sent one. */
      readonly isTransient?: boolean;
      /** A `Retry-After` header on the error answer (a proxy in front of Graph may send one), in seconds. */
      readonly retryAfterSeconds?: number;
      readonly causeCode?: string;
    } = {},
  ) {
    super(message);
    this.name = 'WhatsAppCloudError';
  }
}

const SendResponseSchema = z.looseObject({
  contacts: z.array(z.looseObject({ wa_id: z.string().nullish() })).nullish(),
  messages: z.array(z.looseObject({ id: z.string().min(1), message_status: z.string().nullish() })).min(1),
});

const UploadResponseSchema = z.looseObject({ id: z.string().min(1) });

const TemplateListingSchema = z.looseObject({
  data: z.array(z.looseObject({})),
  paging: z.looseObject({ next: z.string().nullish() }).nullish(),
});

/** Socket errors that happen before a request is written: Meta cannot have received anything. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

export interface WhatsAppCloudClientOptions {
  /** `v21.0`. */
  readonly apiVersion: string;
  /** Default per-call timeout; 20 s. */
  readonly timeoutInMs?: number;
}

/**
 * One business phone number's view of the WhatsApp Cloud API. Names follow the Azure SDK guidelines
 * (`sendTextMessage(to, text, options?)`, `abortSignal`, `timeoutInMs`); every failure is a {@link WhatsAppCloudError}.
 * The Cloud API has no idempotency key, so the client never retries by itself: the caller decides.
 */
export class WhatsAppCloudClient {
  private readonly timeoutInMs: number;

  /**
   * @param endpoint `https://graph.facebook.com` or the simulator's base URL
   * @param phoneNumberId the business number messages are sent from
   * @param accessToken the system-user token (never logged)
   */
  constructor(
    private readonly endpoint: string,
    readonly phoneNumberId: string,
    private readonly accessToken: string,
    private readonly options: WhatsAppCloudClientOptions,
  ) {
    this.timeoutInMs = options.timeoutInMs ?? 20_000;
  }

  sendTextMessage(to: string, text: string, options: SendMessageOptions & { previewUrl?: boolean } = {}): Promise<SendMessageResult> {
    return this.sendMessage(to, 'text', { body: text, ...(options.previewUrl ? { preview_url: true } : {}) }, options);
  }

  sendMediaMessage(to: string, media: MediaMessageContent, options: SendMessageOptions = {}): Promise<SendMessageResult> {
    const object: Record<string, unknown> = { id: media.mediaId };
    if (media.caption && ['image', 'video', 'document'].includes(media.kind)) object['caption'] = media.caption;
    if (media.fileName && media.kind === 'document') object['filename'] = media.fileName;
    return this.sendMessage(to, media.kind, object, options);
  }

  sendTemplateMessage(to: string, template: TemplateMessageContent, options: SendMessageOptions = {}): Promise<SendMessageResult> {
    const object: Record<string, unknown> = { name: template.name, language: { code: template.languageCode } };
    if (template.components.length > 0) object['components'] = template.components;
    return this.sendMessage(to, 'template', object, options);
  }

  /** `emoji: ''` removes the business's reaction. Reactions cannot be contextual replies, so `replyToMessageId` is ignored. */
  sendReactionMessage(to: string, reaction: { messageId: string; emoji: string }, options: SendMessageOptions = {}): Promise<SendMessageResult> {
    const { replyToMessageId: _ignored, ...rest } = options;
    return this.sendMessage(to, 'reaction', { message_id: reaction.messageId, emoji: reaction.emoji }, rest);
  }

  /** Marks an inbound message (and the ones before it) read: the customer sees blue ticks. Safe to repeat. */
  async markMessageAsRead(messageId: string, options: OperationOptions = {}): Promise<void> {
    await this.post(`${this.phoneNumberId}/messages`, jsonBody({ messaging_product: 'whatsapp', status: 'read', message_id: messageId }), options);
  }

  /** Uploads a file to Meta (`POST /{phone-number-id}/media`); the id is valid 30 days. Safe to repeat. */
  async uploadMedia(file: { bytes: Uint8Array; mimeType: string; fileName: string }, options: OperationOptions = {}): Promise<{ mediaId: string }> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.mimeType);
    form.set('file', new Blob([file.bytes], { type: file.mimeType }), file.fileName);
    const answer = await this.post(`${this.phoneNumberId}/media`, { body: form, headers: {} }, options);
    const parsed = UploadResponseSchema.safeParse(answer);
    if (!parsed.success) throw new WhatsAppCloudError('malformed', 'the media upload answered without an id');
    return { mediaId: parsed.data.id };
  }

  /** Every template of a WhatsApp Business Account, page by page (`paging.next`). */
  async *listMessageTemplates(businessAccountId: string, options: OperationOptions = {}): AsyncIterableIterator<Record<string, unknown>> {
    const fields = 'name,language,status,category,sub_category,parameter_format,components,rejected_reason,id';
    let url: string | undefined = `${this.base()}/${encodeURIComponent(businessAccountId)}/message_templates?fields=${fields}&limit=100`;
    for (let page = 0; url !== undefined && page < 100; page++) {
      const answer = await this.call(url, { method: 'GET', headers: {} }, options);
      const parsed = TemplateListingSchema.safeParse(answer);
      if (!parsed.success) throw new WhatsAppCloudError('malformed', 'the template listing has an unexpected shape');
      for (const item of parsed.data.data) yield item;
      const next = parsed.data.paging?.next;
      url = next ? this.onEndpoint(next) : undefined;
    }
  }

  /** Sends any message type (`type` names the object Meta expects under that key). */
  async sendMessage(to: string, type: string, object: Record<string, unknown>, options: SendMessageOptions = {}): Promise<SendMessageResult> {
    const body: Record<string, unknown> = { messaging_product: 'whatsapp', recipient_type: 'individual', to, type, [type]: object };
    if (options.replyToMessageId) body['context'] = { message_id: options.replyToMessageId };
    if (options.bizOpaqueCallbackData) body['biz_opaque_callback_data'] = options.bizOpaqueCallbackData.slice(0, 512);
    const answer = await this.post(`${this.phoneNumberId}/messages`, jsonBody(body), options);
    const parsed = SendResponseSchema.safeParse(answer);
    // Meta answered 2xx: it may well have accepted the message, so an unreadable answer is not a failure to retry.
    if (!parsed.success) throw new WhatsAppCloudError('unknown', 'the send answered 2xx without a message id');
    const first = parsed.data.messages[0];
    return { messageId: first?.id ?? '', waId: parsed.data.contacts?.[0]?.wa_id ?? undefined, messageStatus: first?.message_status ?? undefined };
  }

  private base(): string {
    return `${this.endpoint.replace(/\/+$/, '')}/${this.options.apiVersion}`;
  }

  private post(path: string, request: { body: string | FormData; headers: Record<string, string> }, options: OperationOptions): Promise<unknown> {
    return this.call(`${this.base()}/${path}`, { method: 'POST', ...request }, options);
  }

  private async call(url: string, request: { method: string; body?: string | FormData; headers: Record<string, string> }, options: OperationOptions): Promise<unknown> {
    const timeout = AbortSignal.timeout(options.timeoutInMs ?? this.timeoutInMs);
    const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(url, { method: request.method, body: request.body, headers: { ...request.headers, authorization: `Bearer ${this.accessToken}` }, signal });
    } catch (error) {
      throw transportError(error, signal);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The status line arrived but the body did not: treat a 2xx as possibly accepted, anything else as answered.
      if (response.ok) throw transportError(error, signal);
      throw new WhatsAppCloudError('http', `Graph answered ${response.status} and the body was cut off`, { httpStatus: response.status });
    }
    const json = parseJson(text);
    if (response.ok) return json;
    const retryAfterSeconds = retryAfterOf(response.headers.get('retry-after'));
    const graph = readGraphError(json);
    if (graph) {
      throw new WhatsAppCloudError('graph', `Graph error ${graph.code}${graph.title ? `: ${graph.title}` : ''}`, {
        httpStatus: response.status,
        code: graph.code,
        subcode: graph.subcode,
        title: graph.title,
        errorDetails: graph.details,
        fbtraceId: graph.fbtraceId,
        ...(graph.isTransient !== undefined ? { isTransient: graph.isTransient } : {}),
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      });
    }
    throw new WhatsAppCloudError('http', `Graph answered ${response.status} without an error body`, {
      httpStatus: response.status,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }

  /**
   * Meta's `paging.next` is an absolute URL on graph.facebook.com: it is followed on this client's own endpoint, so the
   * access token never goes to another host and a Graph stand-in (or a proxy base URL) keeps serving the later pages.
   */
  private onEndpoint(next: string): string | undefined {
    let url: URL;
    try {
      url = new URL(next, this.base());
    } catch {
      return undefined;
    }
    const endpoint = new URL(this.endpoint);
    if (url.origin === endpoint.origin) return url.toString();
    const prefix = endpoint.pathname.replace(/\/+$/, '');
    return `${endpoint.origin}${prefix}${url.pathname}${url.search}`;
  }
}

function jsonBody(body: unknown): { body: string; headers: Record<string, string> } {
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
}

/** `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3); anything else is ignored. */
function retryAfterOf(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function causeCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function transportError(error: unknown, signal: AbortSignal): WhatsAppCloudError {
  const causeCode = causeCodeOf(error);
  if (signal.aborted) {
    return new WhatsAppCloudError('unknown', 'no answer from Graph before the timeout (the message may have been accepted)', { causeCode: causeCode ?? 'TIMEOUT' });
  }
  if (causeCode !== undefined && NOT_SENT_CODES.has(causeCode)) {
    return new WhatsAppCloudError('not-sent', `could not reach Graph (${causeCode})`, { causeCode });
  }
  const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return new WhatsAppCloudError('unknown', `the connection failed after the request was sent: ${reason}`, ...[causeCode ? { causeCode } : {}]);
}
