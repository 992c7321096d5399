// What happens on an open client socket: subprotocol requests, plain frames, and the socket closing.
import type WebSocket from 'ws';
import type { ClientConnection } from './client-connection';
import { CLOSE_POLICY_VIOLATION } from './client-connection';
import {
  ClientProtocolError,
  parseClientRequest,
  toMessageData,
  writeAck,
  writeErrorAck,
  writePong,
} from './client-protocol';
import type { AckErrorName, ClientRequest } from './client-protocol';
import type { ConnectionRegistry } from './connection-registry';
import { dataTypeFromContentType } from './message-data';
import type { MessageData } from './message-data';
import type { UpstreamDispatcher, UpstreamEvent } from './upstream-dispatcher';

const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_INVALID_PAYLOAD = 1007;
const CLOSE_MESSAGE_TOO_BIG = 1009;
const CLOSE_INTERNAL_ERROR = 1011;

/** What a session needs from the emulator. */
export interface ClientSessionDeps {
  readonly registry: ConnectionRegistry;
  readonly dispatcher: UpstreamDispatcher;
  readonly origin: string;
}

/** Builds the upstream event of a connection. */
export function upstreamEventOf(
  deps: ClientSessionDeps,
  connection: ClientConnection,
  kind: UpstreamEvent['kind'],
  eventName: string,
  data: MessageData,
): UpstreamEvent {
  return {
    hub: connection.hub,
    kind,
    eventName,
    connectionId: connection.connectionId,
    userId: connection.userId,
    subprotocol: connection.subprotocol,
    connectionState: connection.connectionState,
    origin: deps.origin,
    data,
  };
}

/** Queues a non-blocking system event behind the connection's earlier ones, so connected precedes disconnected. */
export function notifyUpstream(deps: ClientSessionDeps, connection: ClientConnection, eventName: 'connected' | 'disconnected', body: object): void {
  const event = upstreamEventOf(deps, connection, 'system', eventName, { dataType: 'json', bytes: Buffer.from(JSON.stringify(body)) });
  connection.upstreamQueue = connection.upstreamQueue.then(() => deps.dispatcher.notify(event));
}

/** Wires a socket to its connection: frames are processed in order, and a close detaches or removes it. */
export function runSession(deps: ClientSessionDeps, connection: ClientConnection, socket: WebSocket): void {
  socket.on('message', (raw, isBinary) => {
    const frame = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    connection.inboundQueue = connection.inboundQueue
      .then(() => (connection.isCurrent(socket) && !connection.isRemoved ? onFrame(deps, connection, frame, isBinary) : undefined))
      .catch(() => deps.registry.close(connection, 'Internal server error.', CLOSE_INTERNAL_ERROR));
  });
  socket.on('error', () => {
    // A 'close' event always follows; that is where the connection is detached.
  });
  socket.on('close', (code, reason) => {
    if (!connection.isCurrent(socket)) return;
    connection.detach(socket);
    if (connection.isRemoved) return;
    // A normal closure (or an oversized frame, 1009) ends a reliable connection; any other drop keeps it for recovery.
    if (connection.isReliable && code !== 1000 && code !== CLOSE_MESSAGE_TOO_BIG) deps.registry.awaitRecovery(connection);
    else deps.registry.remove(connection, reason.toString('utf8') || `The client closed the connection (code ${code}).`);
  });
}

async function onFrame(deps: ClientSessionDeps, connection: ClientConnection, frame: Buffer, isBinary: boolean): Promise<void> {
  if (connection.isPlain) return onPlainFrame(deps, connection, frame, isBinary);
  if (isBinary) return deps.registry.close(connection, 'The JSON subprotocol requires text messages.', CLOSE_UNSUPPORTED_DATA);
  let request: ClientRequest;
  let data: MessageData | undefined;
  try {
    request = parseClientRequest(frame.toString('utf8'));
    if (request.type === 'sendToGroup' || request.type === 'event') data = toMessageData(request.dataType, request.data);
  } catch (error) {
    const reason = error instanceof ClientProtocolError ? error.message : 'The client message is invalid.';
    return deps.registry.close(connection, reason, CLOSE_INVALID_PAYLOAD);
  }
  if (request.type === 'ping') return connection.sendControl(writePong());
  if (request.type === 'sequenceAck') return connection.acknowledge(request.sequenceId);
  const ackId = request.ackId;
  if (ackId !== undefined && connection.hasProcessed(ackId)) {
    return connection.sendControl(writeErrorAck(ackId, 'Duplicate', `Message with ack-id: ${ackId} has been processed`));
  }
  const succeed = () => {
    if (ackId === undefined) return;
    connection.rememberProcessed(ackId);
    connection.sendControl(writeAck(ackId));
  };
  const fail = (name: AckErrorName, message: string) => {
    if (ackId !== undefined) connection.sendControl(writeErrorAck(ackId, name, message));
  };
  switch (request.type) {
    case 'joinGroup':
    case 'leaveGroup': {
      const action = request.type === 'joinGroup' ? 'join' : 'leave';
      if (!connection.permissions.canJoinOrLeave(request.group)) {
        return fail('Forbidden', `The client does not have permission to ${action} group '${request.group}'.`);
      }
      if (action === 'join') connection.groups.add(request.group);
      else connection.groups.delete(request.group);
      return succeed();
    }
    case 'sendToGroup': {
      if (!connection.permissions.canSendTo(request.group)) {
        return fail('Forbidden', `The client does not have permission to send to group '${request.group}'.`);
      }
      if (data) deps.registry.sendToGroup(connection.hub, request.group, data, { sender: connection, noEcho: request.noEcho ?? false });
      return succeed();
    }
    case 'event':
      if (!data) return;
      return (await deliverUserEvent(deps, connection, request.event, data)) ? succeed() : fail('InternalServerError', 'Internal server error');
  }
}

/** A plain client's frame is the user event `message`; a failing handler drops the connection, as the service does. */
async function onPlainFrame(deps: ClientSessionDeps, connection: ClientConnection, frame: Buffer, isBinary: boolean): Promise<void> {
  if (!deps.dispatcher.hasHandler(connection.hub, 'user', 'message')) return;
  const data: MessageData = { dataType: isBinary ? 'binary' : 'text', bytes: frame };
  if (!(await deliverUserEvent(deps, connection, 'message', data))) {
    deps.registry.close(connection, 'The event handler failed to handle the message.', CLOSE_INTERNAL_ERROR);
  }
}

/** Sends a user event upstream and a 2xx response body back to the client as a server message; false on failure. */
async function deliverUserEvent(deps: ClientSessionDeps, connection: ClientConnection, eventName: string, data: MessageData): Promise<boolean> {
  let response;
  try {
    response = await deps.dispatcher.invoke(upstreamEventOf(deps, connection, 'user', eventName, data));
  } catch {
    return false;
  }
  if (!response || response.status < 200 || response.status >= 300) return false;
  const state = response.headers['ce-connectionstate'];
  if (typeof state === 'string' && state.length > 0) connection.connectionState = state;
  if (response.body.length > 0) {
    const reply: MessageData = { dataType: dataTypeFromContentType(String(response.headers['content-type'] ?? '')) ?? 'binary', bytes: response.body };
    if (!connection.sendServerData(reply)) deps.registry.close(connection, 'The reliable message buffer is full.', CLOSE_POLICY_VIOLATION);
  }
  return true;
}
