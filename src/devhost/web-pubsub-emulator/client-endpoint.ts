// The client WebSocket endpoint (/client/hubs/{hub}, /client/?hub=): token check, connect event, recovery, open.
import { STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import type { JwtPayload } from 'jsonwebtoken';
import { isReconnectionTokenValid, issueReconnectionToken, verifyClientAccessToken } from './access-key-token';
import { ClientConnection, CLOSE_POLICY_VIOLATION } from './client-connection';
import { isWebPubSubSubprotocol, writeConnected } from './client-protocol';
import { notifyUpstream, runSession } from './client-session';
import type { ClientSessionDeps } from './client-session';

/** Frames larger than this close the connection with 1009, like the service's 1 MB limit. */
const MAX_FRAME_BYTES = 1024 * 1024;

/** What the endpoint needs from the emulator. */
export interface ClientEndpointDeps extends ClientSessionDeps {
  readonly accessKey: string;
  readonly clockToleranceSeconds: number;
}

/** The connect handler's 200 answer (all fields optional). */
interface ConnectResponse {
  userId?: unknown;
  groups?: unknown;
  roles?: unknown;
  subprotocol?: unknown;
}

/** Accepts client WebSockets on an http server's `upgrade` event. */
export class ClientEndpoint {
  // ws asks which subprotocol to echo during the handshake; the answer was decided before it.
  private readonly chosenProtocol = new WeakMap<IncomingMessage, string | false>();
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (_protocols, request) => this.chosenProtocol.get(request) ?? false,
  });

  constructor(private readonly deps: ClientEndpointDeps) {}

  /** Handles one upgrade request; anything that is not a client endpoint gets 404. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    void this.upgrade(req, socket, head).catch(() => reject(socket, 500));
  }

  /** Closes the WebSocket server (connections are dropped by the registry). */
  close(): void {
    this.wss.close();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const host = req.headers.host ?? '';
    const url = new URL(req.url ?? '/', `http://${host}`);
    const rawHub = hubOf(url);
    if (!rawHub) return reject(socket, 404);
    const hub = rawHub.toLowerCase();
    const requested = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name.length > 0);

    const recoverId = url.searchParams.get('awps_connection_id');
    if (recoverId) return this.recover(req, socket, head, hub, recoverId, url.searchParams.get('awps_reconnection_token') ?? '');

    const token = url.searchParams.get('access_token') ?? /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const claims = token ? verifyClientAccessToken(token, this.deps.accessKey, host, rawHub, this.deps.clockToleranceSeconds) : undefined;
    if (!claims) return reject(socket, 401);

    const connectionId = randomUUID().replace(/-/g, '');
    let userId = typeof claims.sub === 'string' && claims.sub.length > 0 ? claims.sub : null;
    const roles = claimValues(claims.role);
    const groups = claimValues(claims['webpubsub.group']);
    let subprotocol: string | null = requested.find(isWebPubSubSubprotocol) ?? requested[0] ?? null;
    let connectionState: string | undefined;

    if (this.deps.dispatcher.hasHandler(hub, 'system', 'connect')) {
      const body = { claims: claimsMap(claims), query: queryMap(url), headers: headersMap(req.headers), subprotocols: requested, clientCertificates: [] };
      let response;
      try {
        response = await this.deps.dispatcher.invoke({
          hub, kind: 'system', eventName: 'connect', connectionId, userId, subprotocol: null, connectionState: undefined,
          origin: this.deps.origin, data: { dataType: 'json', bytes: Buffer.from(JSON.stringify(body)) },
        });
      } catch {
        return reject(socket, 500);
      }
      if (response && (response.status < 200 || response.status >= 300)) return reject(socket, response.status, response.body.toString('utf8'));
      if (response?.status === 200 && response.body.length > 0) {
        let answer: ConnectResponse;
        try {
          answer = JSON.parse(response.body.toString('utf8')) as ConnectResponse;
        } catch {
          return reject(socket, 500);
        }
        if (typeof answer.userId === 'string' && answer.userId.length > 0) userId = answer.userId;
        groups.push(...claimValues(answer.groups));
        roles.push(...claimValues(answer.roles));
        if (typeof answer.subprotocol === 'string' && requested.includes(answer.subprotocol)) subprotocol = answer.subprotocol;
      }
      const state = response?.headers['ce-connectionstate'];
      if (typeof state === 'string' && state.length > 0) connectionState = state;
    }
    if (socket.destroyed) return;

    this.chosenProtocol.set(req, subprotocol ?? false);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new ClientConnection({
        connectionId,
        hub,
        userId,
        // A custom subprotocol is echoed, but the client is a plain WebSocket client.
        subprotocol: subprotocol !== null && isWebPubSubSubprotocol(subprotocol) ? subprotocol : null,
        roles,
        groups,
        connectionState,
      });
      this.deps.registry.add(connection);
      connection.attach(ws, false);
      runSession(this.deps, connection, ws);
      if (!connection.isPlain) {
        const reconnectionToken = connection.isReliable ? issueReconnectionToken(connectionId, this.deps.accessKey) : undefined;
        connection.sendControl(writeConnected(userId, connectionId, reconnectionToken));
      }
      notifyUpstream(this.deps, connection, 'connected', {});
    });
  }

  /** Reattaches a reliable connection and replays what it has not acked; a failure is closed with 1008. */
  private recover(req: IncomingMessage, socket: Duplex, head: Buffer, hub: string, connectionId: string, token: string): void {
    const connection = this.deps.registry.get(hub, connectionId);
    const recoverable =
      connection !== undefined && connection.isReliable && !connection.isRemoved && isReconnectionTokenValid(connectionId, token, this.deps.accessKey);
    const requested = String(req.headers['sec-websocket-protocol'] ?? '').split(',')[0]?.trim();
    this.chosenProtocol.set(req, recoverable ? (connection.subprotocol ?? false) : requested || false);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (!recoverable || connection.isRemoved) {
        ws.close(CLOSE_POLICY_VIOLATION, 'The connection could not be recovered.');
        return;
      }
      this.deps.registry.cancelRecovery(connection);
      connection.attach(ws, true);
      runSession(this.deps, connection, ws);
    });
  }
}

function hubOf(url: URL): string | undefined {
  const match = /^\/client\/hubs\/([^/]+)\/?$/.exec(url.pathname);
  const hub = match?.[1] !== undefined ? safeDecode(match[1]) : /^\/client\/?$/.test(url.pathname) ? url.searchParams.get('hub') : null;
  return hub && /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/.test(hub) ? hub : undefined;
}

/** Answers an upgrade request with a plain HTTP status (what the client sees as "Unexpected server response"). */
function reject(socket: Duplex, status: number, body = ''): void {
  if (socket.destroyed) return;
  const text = STATUS_CODES[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function claimValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

function claimsMap(claims: JwtPayload): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [name, (Array.isArray(value) ? value : [value]).map((item) => String(item))]),
  );
}

function queryMap(url: URL): Record<string, string[]> {
  return Object.fromEntries([...new Set(url.searchParams.keys())].map((key) => [key, url.searchParams.getAll(key)]));
}

function headersMap(headers: IncomingHttpHeaders): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => [name, Array.isArray(value) ? value : [value]]),
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
