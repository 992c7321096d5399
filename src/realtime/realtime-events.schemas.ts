// The real-time event catalogue: what operator clients receive over Web PubSub, as zod schemas clients can import.
import { z } from 'zod';

/** ISO 8601 UTC time with milliseconds (`2026-01-02T03:04:05.678Z`). */
const isoTime = z.iso.datetime();

/** Known kinds of message change; a client ignores names it does not know. */
export const MessageChangeSchema = z.enum(['status', 'media', 'reaction', 'revoked', 'edited']);
export type MessageChange = z.infer<typeof MessageChangeSchema>;

/** Known kinds of conversation change. */
export const ConversationChangeSchema = z.enum(['created', 'activity', 'reopened', 'assignment', 'status', 'unread', 'window']);
export type ConversationChange = z.infer<typeof ConversationChangeSchema>;

/** A message as the history shows it: everything a thread row needs, nothing internal (raw JSON, blob paths, pricing). */
export const MessageViewSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  /** Meta's type (`text`, `image`, …) or `template`. */
  type: z.string(),
  /** `queued` | `sending` | `sent` | `delivered` | `read` | `played` | `failed` | `received` | …. */
  status: z.string(),
  /** Text body or media caption. */
  text: z.string().nullable(),
  /** Type-specific content (location, contacts, interactive reply, …) in the app's shape. */
  content: z.unknown().nullable(),
  /** The file, fetched with the operator's token from `url` once `state` is `ready`. */
  media: z
    .object({
      state: z.enum(['pending', 'ready', 'failed']).nullable(),
      mimeType: z.string().nullable(),
      size: z.number().int().nullable(),
      fileName: z.string().nullable(),
      url: z.string(),
    })
    .nullable(),
  template: z.object({ name: z.string(), language: z.string().nullable(), parameters: z.unknown().nullable() }).nullable(),
  replyTo: z.object({ messageId: z.string().nullable(), whatsAppMessageId: z.string() }).nullable(),
  reactions: z.object({ customer: z.string().nullable(), business: z.string().nullable() }),
  forwarded: z.boolean(),
  frequentlyForwarded: z.boolean(),
  editedAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
  error: z.object({ code: z.number().int().nullable(), title: z.string().nullable(), details: z.string().nullable() }).nullable(),
  senderOperatorId: z.string().nullable(),
  clientMessageId: z.string().nullable(),
  whatsAppMessageId: z.string().nullable(),
  /** When it happened in the conversation; history is ordered by (messageAt, id). */
  messageAt: isoTime,
  sentAt: isoTime.nullable(),
  deliveredAt: isoTime.nullable(),
  readAt: isoTime.nullable(),
  playedAt: isoTime.nullable(),
  failedAt: isoTime.nullable(),
});
export type MessageView = z.infer<typeof MessageViewSchema>;

/** A conversation as the inbox list shows it. */
export const ConversationViewSchema = z.object({
  id: z.string(),
  /** Meta's id of the business number the customer wrote to. */
  phoneNumberId: z.string(),
  status: z.enum(['Open', 'Pending', 'Resolved']),
  customer: z.object({
    id: z.string(),
    /** WhatsApp profile name. */
    name: z.string().nullable(),
    /** Phone number digits with country code; null while Meta sends only a business-scoped user id. */
    phone: z.string().nullable(),
    username: z.string().nullable(),
  }),
  assignee: z.object({ id: z.string(), fullName: z.string() }).nullable(),
  assignedAt: isoTime.nullable(),
  lastMessageAt: isoTime,
  lastMessagePreview: z.string().nullable(),
  unreadCount: z.number().int(),
  /** The 24-hour customer-service window: free text is allowed while `open`, until `until`. */
  window: z.object({ open: z.boolean(), until: isoTime.nullable() }),
  resolvedAt: isoTime.nullable(),
  createdAt: isoTime,
});
export type ConversationView = z.infer<typeof ConversationViewSchema>;

const base = { firmId: z.number().int(), at: isoTime };

/**
 * A new message in a conversation the operator sees, with the conversation's list row as it is after it (preview,
 * unread count, reply window, reopened status): one event updates both the thread and the list. Annotations such as
 * reactions are not messages of their own: they arrive as `message.updated` of the message they change.
 */
export const MessageCreatedEventSchema = z.object({
  type: z.literal('message.created'),
  ...base,
  conversationId: z.string(),
  message: MessageViewSchema,
  conversation: ConversationViewSchema,
});

/** A message changed (status, media ready or failed, reaction, revoked, edited): the whole message as it is now. */
export const MessageUpdatedEventSchema = z.object({
  type: z.literal('message.updated'),
  ...base,
  conversationId: z.string(),
  changes: z.array(MessageChangeSchema),
  message: MessageViewSchema,
});

/**
 * A conversation changed (assignment, status, unread count, reply window, activity without a new message): the whole
 * list row as it is now. `visible: false` (and no `conversation`) tells an agent the conversation left their view,
 * e.g. another agent claimed it: the client drops the row. Changes that come with a new message ride on its
 * `message.created` instead.
 */
export const ConversationUpdatedEventSchema = z.discriminatedUnion('visible', [
  z.object({
    type: z.literal('conversation.updated'),
    ...base,
    conversationId: z.string(),
    changes: z.array(ConversationChangeSchema),
    visible: z.literal(true),
    conversation: ConversationViewSchema,
  }),
  z.object({
    type: z.literal('conversation.updated'),
    ...base,
    conversationId: z.string(),
    changes: z.array(ConversationChangeSchema),
    visible: z.literal(false),
  }),
]);

/** An operator of the firm came online (first connection) or went offline (last connection closed). */
export const OperatorPresenceEventSchema = z.object({
  type: z.literal('operator.presence'),
  ...base,
  operatorId: z.string(),
  fullName: z.string(),
  online: z.boolean(),
});

/** Every event a client can receive, as the `data` of a Web PubSub server message (JSON). */
export const RealtimeClientEventSchema = z.union([MessageCreatedEventSchema, MessageUpdatedEventSchema, ConversationUpdatedEventSchema, OperatorPresenceEventSchema]);
export type RealtimeClientEvent = z.infer<typeof RealtimeClientEventSchema>;
export type MessageCreatedEvent = z.infer<typeof MessageCreatedEventSchema>;
export type MessageUpdatedEvent = z.infer<typeof MessageUpdatedEventSchema>;
export type ConversationUpdatedEvent = z.infer<typeof ConversationUpdatedEventSchema>;
export type OperatorPresenceEvent = z.infer<typeof OperatorPresenceEventSchema>;
