// Every live connection per hub, user-to-group memberships, recovery windows, and message fan-out.
import { CLOSE_POLICY_VIOLATION } from './client-connection';
import type { ClientConnection } from './client-connection';
import type { MessageData } from './message-data';
import type { FilterTarget } from './odata-filter';

const RELIABLE_BUFFER_FULL = 'The reliable message buffer is full.';

/** Which connections a fan-out reaches besides its target: `excluded` ids and an OData filter. */
export interface FanOutScope {
  readonly excluded?: ReadonlySet<string>;
  readonly filter?: (target: FilterTarget) => boolean;
}

export class ConnectionRegistry {
  private readonly connections = new Map<string, Map<string, ClientConnection>>();
  // The service keeps a user's group memberships and applies them to the user's later connections too.
  private readonly userGroups = new Map<string, Map<string, Set<string>>>();
  private readonly recoveryTimers = new Map<ClientConnection, NodeJS.Timeout>();

  constructor(
    private readonly recoveryWindowMs: number,
    private readonly onRemoved: (connection: ClientConnection, reason: string) => void,
  ) {}

  /** Registers a new connection and gives it the groups its user was added to. */
  add(connection: ClientConnection): void {
    this.hubConnections(connection.hub).set(connection.connectionId, connection);
    if (connection.userId !== null) {
      for (const group of this.userGroups.get(connection.hub)?.get(connection.userId) ?? []) connection.groups.add(group);
    }
  }

  get(hub: string, connectionId: string): ClientConnection | undefined {
    return this.connections.get(hub)?.get(connectionId);
  }

  /** Finds a connection in any hub (the test hook has no hub). */
  find(connectionId: string): ClientConnection | undefined {
    for (const hub of this.connections.values()) {
      const connection = hub.get(connectionId);
      if (connection) return connection;
    }
    return undefined;
  }

  all(hub: string): ClientConnection[] {
    return [...(this.connections.get(hub)?.values() ?? [])];
  }

  ofUser(hub: string, userId: string): ClientConnection[] {
    return this.all(hub).filter((connection) => connection.userId === userId);
  }

  inGroup(hub: string, group: string): ClientConnection[] {
    return this.all(hub).filter((connection) => connection.groups.has(group));
  }

  /** Removes a connection for good; the disconnected event follows. Idempotent. */
  remove(connection: ClientConnection, reason: string): void {
    if (!connection.markRemoved()) return;
    this.cancelRecovery(connection);
    this.connections.get(connection.hub)?.delete(connection.connectionId);
    this.onRemoved(connection, reason);
  }

  /** Closes a connection from the service side (REST close, full buffer) and removes it. */
  close(connection: ClientConnection, reason: string, code = 1000): void {
    connection.closeSocket(code, reason);
    this.remove(connection, reason);
  }

  /** A reliable connection whose socket dropped stays (buffering) for the recovery window, then is removed. */
  awaitRecovery(connection: ClientConnection): void {
    this.cancelRecovery(connection);
    const timer = setTimeout(() => this.remove(connection, 'Connection recovery timed out.'), this.recoveryWindowMs);
    this.recoveryTimers.set(connection, timer);
  }

  cancelRecovery(connection: ClientConnection): void {
    clearTimeout(this.recoveryTimers.get(connection));
    this.recoveryTimers.delete(connection);
  }

  addUserToGroup(hub: string, userId: string, group: string): void {
    const byUser = this.userGroups.get(hub) ?? new Map<string, Set<string>>();
    this.userGroups.set(hub, byUser);
    const groups = byUser.get(userId) ?? new Set<string>();
    byUser.set(userId, groups);
    groups.add(group);
    for (const connection of this.ofUser(hub, userId)) connection.groups.add(group);
  }

  removeUserFromGroup(hub: string, userId: string, group: string): void {
    this.userGroups.get(hub)?.get(userId)?.delete(group);
    for (const connection of this.ofUser(hub, userId)) connection.groups.delete(group);
  }

  removeUserFromAllGroups(hub: string, userId: string): void {
    this.userGroups.get(hub)?.delete(userId);
    for (const connection of this.ofUser(hub, userId)) connection.groups.clear();
  }

  /** Server data to each connection in scope. */
  sendToConnections(connections: readonly ClientConnection[], data: MessageData, scope: FanOutScope = {}): void {
    for (const connection of this.inScope(connections, scope)) {
      if (!connection.sendServerData(data)) this.close(connection, RELIABLE_BUFFER_FULL, CLOSE_POLICY_VIOLATION);
    }
  }

  /** A group message to each member in scope; `noEcho` skips the sender. */
  sendToGroup(
    hub: string,
    group: string,
    data: MessageData,
    options: FanOutScope & { sender?: ClientConnection; noEcho?: boolean } = {},
  ): void {
    const fromUserId = options.sender?.userId ?? null;
    for (const connection of this.inScope(this.inGroup(hub, group), options)) {
      if (options.noEcho && connection === options.sender) continue;
      if (!connection.sendGroupData(group, fromUserId, data)) this.close(connection, RELIABLE_BUFFER_FULL, CLOSE_POLICY_VIOLATION);
    }
  }

  /** Forgets everything without events (the emulator is stopping). */
  clear(): void {
    for (const timer of this.recoveryTimers.values()) clearTimeout(timer);
    this.recoveryTimers.clear();
    for (const hub of this.connections.values()) {
      for (const connection of hub.values()) {
        connection.markRemoved();
        connection.terminateSocket();
      }
    }
    this.connections.clear();
    this.userGroups.clear();
  }

  private inScope(connections: readonly ClientConnection[], scope: FanOutScope): ClientConnection[] {
    return connections.filter(
      (connection) => !scope.excluded?.has(connection.connectionId) && (scope.filter?.(connection) ?? true),
    );
  }

  private hubConnections(hub: string): Map<string, ClientConnection> {
    const existing = this.connections.get(hub);
    if (existing) return existing;
    const created = new Map<string, ClientConnection>();
    this.connections.set(hub, created);
    return created;
  }
}
