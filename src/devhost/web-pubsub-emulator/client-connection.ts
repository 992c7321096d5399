// One logical client connection: identity, groups, permissions, and the socket it is currently attached to.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  JSON_RELIABLE_SUBPROTOCOL,
  writeDisconnected,
  writeGroupMessage,
  writeServerMessage,
} from './client-protocol';
import { groupPermissions } from './group-permissions';
import type { GroupPermissions } from './group-permissions';
import type { MessageData } from './message-data';
import type { FilterTarget } from './odata-filter';
import { ReliableBuffer } from './reliable-buffer';

/** Close code 1008: the connection is gone for good and cannot be recovered. */
export const CLOSE_POLICY_VIOLATION = 1008;

/** What a connection is created from (the token, adjusted by the connect handler). */
export interface ClientConnectionInit {
  readonly hub: string;
  readonly userId: string | null;
  /** The negotiated subprotocol; null for a plain WebSocket client (or a custom subprotocol). */
  readonly subprotocol: string | null;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly connectionState: string | undefined;
  readonly connectionId?: string;
}

export class ClientConnection implements FilterTarget {
  readonly connectionId: string;
  readonly hub: string;
  readonly userId: string | null;
  readonly subprotocol: string | null;
  readonly groups: Set<string>;
  readonly roles: Set<string>;
  readonly permissions: GroupPermissions;
  connectionState: string | undefined;
  /** Non-blocking upstream events of one connection are delivered in order. */
  upstreamQueue: Promise<void> = Promise.resolve();
  /** Frames of one connection are processed one after another, as they arrived. */
  inboundQueue: Promise<void> = Promise.resolve();
  private socket: WebSocket | undefined;
  private removed = false;
  private readonly processedAckIds = new Set<number>();
  private readonly buffer: ReliableBuffer | undefined;

  constructor(init: ClientConnectionInit) {
    this.connectionId = init.connectionId ?? randomUUID().replace(/-/g, '');
    this.hub = init.hub;
    this.userId = init.userId;
    this.subprotocol = init.subprotocol;
    this.groups = new Set(init.groups);
    this.roles = new Set(init.roles);
    this.permissions = groupPermissions(this.roles);
    this.connectionState = init.connectionState;
    this.buffer = init.subprotocol === JSON_RELIABLE_SUBPROTOCOL ? new ReliableBuffer() : undefined;
  }

  /** The `protocol` field of OData filters. */
  get protocol(): string | null {
    return this.subprotocol;
  }

  get isReliable(): boolean {
    return this.buffer !== undefined;
  }

  get isPlain(): boolean {
    return this.subprotocol === null;
  }

  get isRemoved(): boolean {
    return this.removed;
  }

  /** True while `socket` is the connection's current transport (a recovered connection gets a new one). */
  isCurrent(socket: WebSocket): boolean {
    return this.socket === socket;
  }

  /** Attaches a (new) socket; on recovery every unacked message is sent again, oldest first. */
  attach(socket: WebSocket, replay: boolean): void {
    const previous = this.socket;
    this.socket = socket;
    if (previous && previous !== socket) previous.terminate();
    if (replay) for (const frame of this.buffer?.pending() ?? []) socket.send(frame);
  }

  /** Forgets the socket (it dropped); a reliable connection keeps buffering until it recovers or expires. */
  detach(socket: WebSocket): void {
    if (this.socket === socket) this.socket = undefined;
  }

  /** Marks the connection gone; returns false when it already was. */
  markRemoved(): boolean {
    if (this.removed) return false;
    this.removed = true;
    return true;
  }

  /** Closes the socket from the service side: a `disconnected` message first for subprotocol clients. */
  closeSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (!this.isPlain) socket.send(writeDisconnected(reason));
    // Close reasons are limited to 123 bytes by RFC 6455.
    socket.close(code, Buffer.from(reason, 'utf8').subarray(0, 123).toString('utf8'));
  }

  /** Drops the socket without a close frame (the test hook for a network failure). */
  terminateSocket(): boolean {
    if (!this.socket) return false;
    this.socket.terminate();
    return true;
  }

  /** Sends a control frame (ack, pong, connected): never sequenced, lost if no socket is attached. */
  sendControl(frame: string): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(frame);
  }

  /** Delivers server data; returns false when a reliable buffer overflowed (the caller must close the connection). */
  sendServerData(data: MessageData): boolean {
    if (this.isPlain) return this.sendRaw(data);
    return this.sendSequenced((sequenceId) => writeServerMessage(data, sequenceId));
  }

  /** Delivers a group message; same contract as {@link sendServerData}. */
  sendGroupData(group: string, fromUserId: string | null, data: MessageData): boolean {
    if (this.isPlain) return this.sendRaw(data);
    return this.sendSequenced((sequenceId) => writeGroupMessage(group, fromUserId, data, sequenceId));
  }

  acknowledge(sequenceId: number): void {
    this.buffer?.acknowledge(sequenceId);
  }

  /** True when an earlier request with this ackId succeeded (a repeat gets `Duplicate`). */
  hasProcessed(ackId: number): boolean {
    return this.processedAckIds.has(ackId);
  }

  rememberProcessed(ackId: number): void {
    this.processedAckIds.add(ackId);
  }

  private sendRaw(data: MessageData): boolean {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(data.dataType === 'binary' ? data.bytes : data.bytes.toString('utf8'), { binary: data.dataType === 'binary' });
    }
    return true;
  }

  private sendSequenced(write: (sequenceId: number | undefined) => string): boolean {
    if (!this.buffer) {
      this.sendControl(write(undefined));
      return true;
    }
    const frame = this.buffer.append(write);
    if (frame === undefined) return false;
    this.sendControl(frame);
    return true;
  }
}
