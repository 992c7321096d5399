// Starts a local Azure Web PubSub double: the data-plane REST API and client WebSockets on one port, plus event handlers.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientEndpoint } from './client-endpoint';
import { notifyUpstream } from './client-session';
import { ConnectionRegistry } from './connection-registry';
import { createRestRouter } from './rest-router';
import { DEFAULT_UPSTREAM_TIMINGS, UpstreamDispatcher } from './upstream-dispatcher';
import type { EventHandlerSettings } from './upstream-dispatcher';

export type { EventHandlerSettings, SystemEventName } from './upstream-dispatcher';

/** How to start the emulator; every field is optional. */
export interface WebPubSubEmulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
  /** At least 32 characters; a random key by default. */
  readonly accessKey?: string;
  /** Event handlers per hub (case-insensitive), as in the portal's hub settings. */
  readonly hubs?: Readonly<Record<string, { readonly eventHandlers: readonly EventHandlerSettings[] }>>;
  /** How long a dropped reliable connection waits for recovery; the service keeps at least 30 s. */
  readonly reliableRecoveryWindowMs?: number;
  /** Retry delays for connected/disconnected after 408, 5xx or a network error; the service uses 1 s, 3 s, 5 s. */
  readonly upstreamRetryDelaysMs?: readonly number[];
  /** Allowed clock skew when checking `exp` of client and REST tokens; 0 by default. */
  readonly clockToleranceSeconds?: number;
}

/** A running emulator. */
export interface WebPubSubEmulator {
  /** `http://<host>:<port>` */
  readonly endpoint: string;
  /** `Endpoint=http://<host>:<port>;AccessKey=<key>;Version=1.0;` for `WebPubSubServiceClient`. */
  readonly connectionString: string;
  readonly port: number;
  readonly accessKey: string;
  /** Replaces a hub's event handlers (for when the handler's URL is known only after start). */
  setEventHandlers(hub: string, eventHandlers: readonly EventHandlerSettings[]): void;
  /** Test hook: drops a connection's socket without a close frame, as a network failure would; false if unknown. */
  dropConnection(connectionId: string): boolean;
  /** Closes every connection and the server; pending upstream deliveries are abandoned. */
  stop(): Promise<void>;
}

/** Starts the emulator and resolves once it listens. */
export async function startWebPubSubEmulator(options: WebPubSubEmulatorOptions = {}): Promise<WebPubSubEmulator> {
  const host = options.host ?? '127.0.0.1';
  const accessKey = options.accessKey ?? randomBytes(32).toString('base64');
  if (accessKey.length < 32) throw new Error('The Web PubSub emulator AccessKey must be at least 32 characters.');
  const clockToleranceSeconds = options.clockToleranceSeconds ?? 0;

  const dispatcher = new UpstreamDispatcher(accessKey, {
    ...DEFAULT_UPSTREAM_TIMINGS,
    ...(options.upstreamRetryDelaysMs ? { retryDelaysMs: options.upstreamRetryDelaysMs } : {}),
  });
  for (const [hub, settings] of Object.entries(options.hubs ?? {})) dispatcher.setHandlers(hub, settings.eventHandlers);

  // The service names itself in WebHook-Request-Origin; locally that is the emulator's host name.
  const origin = host;
  const registry: ConnectionRegistry = new ConnectionRegistry(options.reliableRecoveryWindowMs ?? 30_000, (connection, reason) =>
    notifyUpstream({ registry, dispatcher, origin }, connection, 'disconnected', { reason }),
  );
  const endpoint = new ClientEndpoint({ registry, dispatcher, origin, accessKey, clockToleranceSeconds });
  const rest = createRestRouter({ registry, accessKey, clockToleranceSeconds });

  const server = http.createServer((req, res) => {
    if ((req.url ?? '').startsWith('/client')) {
      res.statusCode = 400;
      res.end('A WebSocket upgrade is required.');
      return;
    }
    rest(req, res);
  });
  server.on('upgrade', (req, socket, head) => endpoint.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    endpoint: base,
    connectionString: `Endpoint=${base};AccessKey=${accessKey};Version=1.0;`,
    port,
    accessKey,
    setEventHandlers: (hub, eventHandlers) => dispatcher.setHandlers(hub, eventHandlers),
    dropConnection: (connectionId) => registry.find(connectionId)?.terminateSocket() ?? false,
    stop: async () => {
      dispatcher.stop();
      registry.clear();
      endpoint.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
