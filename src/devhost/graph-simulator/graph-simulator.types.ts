// Public types of the Graph API simulator: options, recorded traffic, fault rules, inbound and status inputs.
import type { FaultRule, FaultRuleInput } from './fault-rules';
import type { InboundContent, InboundMediaExtras, InboundInteractive } from './inbound-message';
import type { StoredMedia } from './media-store';
import type { PairRateLimit } from './rate-limits';
import type { StatusBehaviour } from './status-progression';
import type { MessageTemplateInput, TemplateStore } from './template-store';
import type { SimulatedPhoneNumber, WebhookEnvelope } from './webhook-envelope';
import type { WebhookDelivery } from './webhook-sender';

export type { FaultAction, FaultMatch, FaultRule, FaultRuleInput } from './fault-rules';
export type { StatusBehaviour } from './status-progression';
export type { PairRateLimit } from './rate-limits';
export type { SimulatedPhoneNumber, WebhookEnvelope } from './webhook-envelope';
export type { WebhookDelivery, WebhookAttempt } from './webhook-sender';
export type { MessageTemplate, TemplateDefinitionComponent, TemplateStatus } from './message-template';
export type { MessageTemplateInput, TemplateStore } from './template-store';
export type { StoredMedia } from './media-store';

export interface GraphSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The version used in URLs the simulator builds (paging links); requests may use any `vNN.N`. Default v21.0. */
  apiVersion?: string;
  accessToken: string;
  appSecret: string;
  phoneNumbers: SimulatedPhoneNumber[];
  webhookUrl?: string;
  /** Keep media on disk here instead of in memory. */
  dataDir?: string;
  /** Templates served and checked; defaults to a realistic set (see message-template.ts). */
  templates?: MessageTemplateInput[];
  /** Messages per second per business number before 130429; Meta's default is 80. `null` turns it off. */
  throughputPerSecond?: number | null;
  /** Meta's pair rate limit (1 message / 6 s per recipient, bursts borrow quota); off unless given. */
  pairRateLimit?: PairRateLimit | null;
  /** Automatic sent → delivered → read statuses after each accepted send. */
  statuses?: Partial<StatusBehaviour>;
  /** Waits before each webhook retry; default [200, 1000, 3000]. */
  webhookRetryDelaysMs?: number[];
  /** Per-attempt webhook timeout; default 10 s. */
  webhookTimeoutMs?: number;
  /** Lifetime of media download URLs; Meta's is 5 minutes. */
  mediaUrlTtlMs?: number;
  /** Source of randomness for probabilistic fault rules (seed it for reproducible runs). */
  random?: () => number;
}

/** The response the simulator gave, or what happened instead. */
export interface RecordedResponse {
  status: number;
  body: unknown;
}

/** One request the simulator received. */
export interface RecordedRequest {
  seq: number;
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case header names; `authorization` is redacted to whether it was present. */
  headers: Record<string, string | boolean>;
  /** Parsed JSON; for uploads `{ fields, file: { name, type, size, sha256 } }`; raw text when not JSON. */
  body: unknown;
  /** What was (or, for held and reset requests, would have been) answered. */
  response: RecordedResponse | undefined;
  /** How the answer went out: normally, late, never (held until the client gave up), or a reset socket. */
  delivery: 'answered' | 'delayed' | 'held' | 'reset';
  /** Id of the fault rule that shaped this request, if any. */
  faultId?: string;
  /** Set when the request sent a message that Meta would have accepted. */
  acceptedMessageId?: string;
}

/** A message the simulator accepted (answered or not), with what it will report in statuses. */
export interface AcceptedMessage {
  id: string;
  seq: number;
  acceptedAt: string;
  apiVersion: string;
  phoneNumberId: string;
  to: string;
  waId: string;
  type: string;
  body: Record<string, unknown>;
  bizOpaqueCallbackData?: string;
  /** Template category (lower case) or `service`, for the pricing block. */
  category: string;
}

/** Media given to sendInbound: bytes, a local file, or an id registered earlier. */
export type InboundMediaInput = InboundMediaExtras & (
  | { bytes: Uint8Array; mimeType: string }
  | { file: string; mimeType?: string }
  | { mediaId: string }
);

/** A customer's message for sendInbound(): set exactly one content field. */
export interface SendInboundOptions {
  from: string;
  name?: string;
  userId?: string;
  phoneNumberId?: string;
  id?: string;
  timestamp?: Date | number;
  context?: { id: string; from?: string } | { forwarded: true } | { frequently_forwarded: true };
  referral?: Record<string, unknown>;
  text?: string;
  image?: InboundMediaInput;
  video?: InboundMediaInput;
  audio?: InboundMediaInput;
  document?: InboundMediaInput;
  sticker?: InboundMediaInput;
  location?: Extract<InboundContent, { kind: 'location' }>['location'];
  contacts?: Array<Record<string, unknown>>;
  interactive?: InboundInteractive;
  button?: { payload: string; text: string };
  reaction?: { messageId: string; emoji?: string };
  order?: Record<string, unknown>;
  /** Any other `messages[]` item (system, unsupported, revoke…), used as given after from/id/timestamp. */
  message?: Record<string, unknown>;
  /** Resolve once the first attempt is done instead of after retries. */
  waitForRetries?: boolean;
}

export interface InboundResult {
  messageId: string;
  mediaId?: string;
  payload: WebhookEnvelope;
  delivery: WebhookDelivery;
}

export type StatusName = 'sent' | 'delivered' | 'read' | 'failed' | 'played';

/** A status webhook for sendStatus(); unknown fields are filled from the accepted message when the id is known. */
export interface SendStatusOptions {
  messageId: string;
  status: StatusName;
  recipientId?: string;
  phoneNumberId?: string;
  bizOpaqueCallbackData?: string;
  timestamp?: Date | number;
  error?: { code: number; title?: string; details?: string };
  /** Include pricing/conversation blocks (default: as Meta does for sent and delivered). */
  pricing?: boolean;
}

/** Media registration for inbound messages (or tests). */
export interface RegisterMediaInput {
  bytes: Uint8Array;
  mimeType: string;
  filename?: string;
  phoneNumberId?: string;
}

/** A running simulator. */
export interface GraphSimulator {
  /** `http://127.0.0.1:<port>`: the Graph base URL to give the app (paths are `/{version}/…`). */
  readonly baseUrl: string;
  readonly port: number;
  readonly apiVersion: string;
  readonly phoneNumbers: readonly SimulatedPhoneNumber[];
  stop(): Promise<void>;
  setWebhookUrl(url: string | undefined): void;
  received(filter?: { sinceSeq?: number; method?: string; pathIncludes?: string }): RecordedRequest[];
  clearReceived(): void;
  sentMessages(): AcceptedMessage[];
  injectFault(rule: FaultRuleInput): FaultRule;
  removeFault(id: string): boolean;
  clearFaults(): void;
  faults(): FaultRule[];
  setThroughputLimit(perSecond: number | null): void;
  setPairRateLimit(limit: PairRateLimit | null): void;
  statusBehaviour(): StatusBehaviour;
  setStatusBehaviour(patch: Partial<StatusBehaviour>): StatusBehaviour;
  sendInbound(options: SendInboundOptions): Promise<InboundResult>;
  sendStatus(options: SendStatusOptions): Promise<WebhookDelivery>;
  /** Signs and posts any envelope (corpus payloads, template status updates…). */
  postWebhook(payload: unknown, label?: string): Promise<WebhookDelivery>;
  registerMedia(input: RegisterMediaInput): StoredMedia;
  media(id: string): StoredMedia | undefined;
  /** A fresh download URL for a media id (valid for the media URL lifetime). */
  mediaUrl(id: string): string;
  webhookDeliveries(): WebhookDelivery[];
  readonly templates: TemplateStore;
  /** Resolves when no status is scheduled and no webhook is in flight. */
  whenIdle(): Promise<void>;
}
