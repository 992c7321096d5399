// Codec for the JSON client subprotocols json.webpubsub.azure.v1 and json.reliable.webpubsub.azure.v1.
import { z } from 'zod';
import { dataMembers } from './message-data';
import type { DataType, MessageData } from './message-data';

/** The subprotocol names the emulator speaks; anything else is a plain ("simple") WebSocket client. */
export const JSON_SUBPROTOCOL = 'json.webpubsub.azure.v1';
export const JSON_RELIABLE_SUBPROTOCOL = 'json.reliable.webpubsub.azure.v1';

/** True for the two JSON subprotocols this emulator implements. */
export function isWebPubSubSubprotocol(name: string): boolean {
  return name === JSON_SUBPROTOCOL || name === JSON_RELIABLE_SUBPROTOCOL;
}

// ackId and sequenceId are uint64 on the wire; JSON.parse gives safe integers only up to 2^53, which the SDK never exceeds.
const UInt64Schema = z.number().int().nonnegative();
const GroupNameSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((group) => group.trim().length > 0, 'The group name is invalid.');
const DataTypeSchema = z.enum(['json', 'text', 'binary']).default('json');

const JoinGroupRequestSchema = z.object({ type: z.literal('joinGroup'), group: GroupNameSchema, ackId: UInt64Schema.optional() });
const LeaveGroupRequestSchema = z.object({ type: z.literal('leaveGroup'), group: GroupNameSchema, ackId: UInt64Schema.optional() });
const SendToGroupRequestSchema = z.object({
  type: z.literal('sendToGroup'),
  group: GroupNameSchema,
  ackId: UInt64Schema.optional(),
  noEcho: z.boolean().optional(),
  dataType: DataTypeSchema,
  data: z.unknown(),
});
const EventRequestSchema = z.object({
  type: z.literal('event'),
  event: z.string().min(1),
  ackId: UInt64Schema.optional(),
  dataType: DataTypeSchema,
  data: z.unknown(),
});
const SequenceAckRequestSchema = z.object({ type: z.literal('sequenceAck'), sequenceId: UInt64Schema });
const PingRequestSchema = z.object({ type: z.literal('ping') });

/** Every upstream (client → service) request of the JSON subprotocols. */
export const ClientRequestSchema = z.discriminatedUnion('type', [
  JoinGroupRequestSchema,
  LeaveGroupRequestSchema,
  SendToGroupRequestSchema,
  EventRequestSchema,
  SequenceAckRequestSchema,
  PingRequestSchema,
]);
export type ClientRequest = z.infer<typeof ClientRequestSchema>;

/** A frame the service cannot accept: the connection is closed with 1007 and this message. */
export class ClientProtocolError extends Error {}

/** Parses one text frame; throws {@link ClientProtocolError} for anything the service would reject. */
export function parseClientRequest(text: string): ClientRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ClientProtocolError('The client message is not a valid JSON protocol message.');
  }
  const parsed = ClientRequestSchema.safeParse(json);
  if (!parsed.success) throw new ClientProtocolError('The client message is not a valid JSON protocol message.');
  return parsed.data;
}

/** Turns the `dataType`/`data` pair of a request into bytes, checking the shape each type requires. */
export function toMessageData(dataType: DataType, data: unknown): MessageData {
  switch (dataType) {
    case 'text':
      if (typeof data !== 'string') throw new ClientProtocolError("'data' should be a string when 'dataType' is 'text'.");
      return { dataType, bytes: Buffer.from(data, 'utf8') };
    case 'binary':
      if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
        throw new ClientProtocolError("'data' is not a valid base64 encoded string.");
      }
      return { dataType, bytes: Buffer.from(data, 'base64') };
    case 'json':
      if (data === undefined || data === null) throw new ClientProtocolError("Invalid value for 'data': null.");
      return { dataType, bytes: Buffer.from(JSON.stringify(data), 'utf8') };
  }
}

/** The ack error names the service uses. */
export type AckErrorName = 'Forbidden' | 'InternalServerError' | 'Duplicate' | 'BadRequest';

export function writeConnected(userId: string | null, connectionId: string, reconnectionToken?: string): string {
  return JSON.stringify({ type: 'system', event: 'connected', userId, connectionId, ...(reconnectionToken ? { reconnectionToken } : {}) });
}

export function writeDisconnected(message: string): string {
  return JSON.stringify({ type: 'system', event: 'disconnected', message });
}

export function writeAck(ackId: number): string {
  return JSON.stringify({ type: 'ack', ackId, success: true });
}

export function writeErrorAck(ackId: number, name: AckErrorName, message: string): string {
  return JSON.stringify({ type: 'ack', ackId, success: false, error: { name, message } });
}

export function writePong(): string {
  return '{"type":"pong"}';
}

export function writeGroupMessage(group: string, fromUserId: string | null, data: MessageData, sequenceId?: number): string {
  const sequence = sequenceId === undefined ? '' : `,"sequenceId":${sequenceId}`;
  return `{"type":"message","from":"group","group":${JSON.stringify(group)},"fromUserId":${JSON.stringify(fromUserId)},${dataMembers(data)}${sequence}}`;
}

export function writeServerMessage(data: MessageData, sequenceId?: number): string {
  const sequence = sequenceId === undefined ? '' : `,"sequenceId":${sequenceId}`;
  return `{"type":"message","from":"server",${dataMembers(data)}${sequence}}`;
}
