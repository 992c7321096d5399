// Test harness: Microsoft's Web PubSub SDK clients wired to the emulator, with their messages recorded.
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import type { GenerateClientTokenOptions } from '@azure/web-pubsub';
import { WebPubSubClient, WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol } from '@azure/web-pubsub-client';
import type { GroupDataMessage, OnDisconnectedArgs, ServerDataMessage, WebPubSubClientOptions } from '@azure/web-pubsub-client';

/** The server SDK pointed at a local http endpoint, as the app configures it. */
export function serviceClient(connectionString: string, hub: string): WebPubSubServiceClient {
  return new WebPubSubServiceClient(connectionString, hub, { allowInsecureConnection: true });
}

/** A started `WebPubSubClient` and everything it has received. */
export interface RecordingClient {
  readonly client: WebPubSubClient;
  readonly connectionId: string;
  readonly userId: string | undefined;
  readonly groupMessages: GroupDataMessage[];
  readonly serverMessages: ServerDataMessage[];
  /** Group and server messages in the order they arrived. */
  readonly arrivals: Array<GroupDataMessage | ServerDataMessage>;
  readonly connectedEvents: string[];
  readonly disconnectedEvents: OnDisconnectedArgs[];
  stopped: boolean;
}

const started: WebPubSubClient[] = [];

/**
 * Negotiates a URL with `getClientAccessToken`, starts a `WebPubSubClient` on it and waits for `connected`.
 * Message retries are off so a refused request fails at once instead of after three 1 s retries.
 */
export async function startRecordingClient(
  service: WebPubSubServiceClient,
  token: GenerateClientTokenOptions,
  options: { reliable?: boolean; clientOptions?: WebPubSubClientOptions } = {},
): Promise<RecordingClient> {
  const { url } = await service.getClientAccessToken(token);
  const client = new WebPubSubClient(url, {
    protocol: options.reliable === false ? WebPubSubJsonProtocol() : WebPubSubJsonReliableProtocol(),
    autoReconnect: false,
    messageRetryOptions: { maxRetries: 0 },
    ...options.clientOptions,
  });
  started.push(client);
  const recording = {
    client,
    groupMessages: [] as GroupDataMessage[],
    serverMessages: [] as ServerDataMessage[],
    arrivals: [] as Array<GroupDataMessage | ServerDataMessage>,
    connectedEvents: [] as string[],
    disconnectedEvents: [] as OnDisconnectedArgs[],
    stopped: false,
  };
  client.on('group-message', (event) => {
    recording.groupMessages.push(event.message);
    recording.arrivals.push(event.message);
  });
  client.on('server-message', (event) => {
    recording.serverMessages.push(event.message);
    recording.arrivals.push(event.message);
  });
  client.on('disconnected', (event) => recording.disconnectedEvents.push(event));
  client.on('stopped', () => {
    recording.stopped = true;
  });
  const connected = new Promise<{ connectionId: string; userId: string | undefined }>((resolve) =>
    client.on('connected', (event) => {
      recording.connectedEvents.push(event.connectionId);
      resolve({ connectionId: event.connectionId, userId: event.userId });
    }),
  );
  await client.start();
  const { connectionId, userId } = await connected;
  return Object.assign(recording, { connectionId, userId });
}

/** Stops every client started through the harness. */
export function stopAllClients(): void {
  for (const client of started.splice(0)) client.stop();
}

/** Polls until `check` holds (or throws with `what` after `timeoutMs`). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The payloads a client received from the server, as the SDK hands them out. */
export function serverData(recording: RecordingClient): unknown[] {
  return recording.serverMessages.map((message) => message.data);
}

/** Bytes of a binary message (the SDK hands out ArrayBuffers). */
export function bytesOf(data: unknown): number[] {
  return [...new Uint8Array(data as ArrayBuffer)];
}
