// An operator's WebPubSubClient for tests: connects to a negotiated URL and records every server event it receives.
import { WebPubSubClient, WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import { RealtimeClientEventSchema, type RealtimeClientEvent } from '../../src/realtime/realtime-events.schemas';

/** A connected client and what it received, parsed with the published event schemas. */
export interface RecordingClient {
  readonly client: WebPubSubClient;
  readonly events: RealtimeClientEvent[];
  /** Data that did not parse as a catalogue event (must stay empty). */
  readonly malformed: unknown[];
  /** `performance.now()` of each server message, for latency figures. */
  readonly arrivals: number[];
  connectionId: string;
  disconnected: boolean;
}

/**
 * Starts a client on a URL from POST /api/realtime/negotiate and resolves once it is connected. The reliable JSON
 * protocol is what the desktop uses; `reliable: false` takes the plain one, whose close ends the connection at once
 * instead of after the 30 s recovery window.
 */
export async function connectRecordingClient(url: string, options: { reliable?: boolean } = {}): Promise<RecordingClient> {
  const client = new WebPubSubClient(url, { autoReconnect: false, ...(options.reliable === false ? { protocol: WebPubSubJsonProtocol() } : {}) });
  const recording: RecordingClient = { client, events: [], malformed: [], arrivals: [], connectionId: '', disconnected: false };
  client.on('server-message', ({ message }) => {
    recording.arrivals.push(performance.now());
    const parsed = RealtimeClientEventSchema.safeParse(message.data);
    if (parsed.success) recording.events.push(parsed.data);
    else recording.malformed.push(message.data);
  });
  client.on('disconnected', () => {
    recording.disconnected = true;
  });
  const connected = new Promise<string>((resolve) => client.on('connected', (e) => resolve(e.connectionId)));
  await client.start();
  recording.connectionId = await connected;
  return recording;
}
