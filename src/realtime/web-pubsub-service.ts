// The Web PubSub service client for the configured hub, and the AccessKey its event-handler signatures use.
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { hmacKey } from '../shared/hmac-key';
import { createHubBroadcast, type HubBroadcast } from './web-pubsub-broadcast';

type ServiceCredential = ConstructorParameters<typeof WebPubSubServiceClient>[1];

/** The parts of `WebPubSubConnectionString` the app needs besides the SDK client. */
export interface WebPubSubConnection {
  readonly client: WebPubSubServiceClient;
  /** The publisher's per-event send (see web-pubsub-broadcast.ts). */
  readonly broadcast: HubBroadcast;
  /** `https://<name>.webpubsub.azure.com` (or the local emulator's http URL), without a trailing slash. */
  readonly endpoint: string;
  /** The AccessKey: it signs client tokens and the `ce-signature` of upstream events. */
  readonly accessKey: string;
  readonly hub: string;
}

/** The AccessKey as the SDK's key credential, holding a `KeyObject` (see src/shared/hmac-key.ts) instead of the string. */
function accessKeyCredential(accessKey: string): ServiceCredential {
  return { key: hmacKey(accessKey) } as unknown as ServiceCredential;
}

/**
 * Parses the connection string as the SDK does (case-insensitive keys, `Port=` overriding the port) and builds the
 * client. The SDK's own retries are off: the publisher retries briefly itself so a webhook never waits out the
 * SDK's exponential back-off. `allowInsecureConnection` only for an http endpoint (the local emulator).
 */
export function connectWebPubSub(settings: { connectionString: string; hub: string }): WebPubSubConnection {
  const parts = new Map<string, string>();
  for (const pair of settings.connectionString.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) parts.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
  }
  const rawEndpoint = parts.get('endpoint');
  const accessKey = parts.get('accesskey');
  if (!rawEndpoint || !accessKey) throw new Error('WebPubSubConnectionString must hold Endpoint=… and AccessKey=…');
  const url = new URL(/^https?:\/\//i.test(rawEndpoint) ? rawEndpoint : `https://${rawEndpoint}`);
  const port = parts.get('port');
  if (port) url.port = port;
  const client = new WebPubSubServiceClient(url.origin, accessKeyCredential(accessKey), settings.hub, {
    allowInsecureConnection: url.protocol === 'http:',
    retryOptions: { maxRetries: 0 },
  });
  const broadcast = createHubBroadcast({ endpoint: url.origin, hub: settings.hub, accessKey });
  return { client, broadcast, endpoint: url.origin, accessKey, hub: settings.hub };
}

const cache = new Map<string, WebPubSubConnection>();

/** One connection per (connection string, hub) for the process: the SDK client keeps its HTTP agent warm. */
export function webPubSubConnection(settings: { connectionString: string | undefined; hub: string }): WebPubSubConnection | undefined {
  if (!settings.connectionString) return undefined;
  const key = `${settings.hub}\n${settings.connectionString}`;
  let connection = cache.get(key);
  if (!connection) {
    connection = connectWebPubSub({ connectionString: settings.connectionString, hub: settings.hub });
    cache.set(key, connection);
  }
  return connection;
}
