// The local stand-in for Azure Web PubSub: starts the emulator when `WebPubSubConnectionString` is absent and points
// its event handler at the app's `/api/realtime/events`, as the hub's settings do in Azure (infra/main.bicep).
import { randomBytes } from 'node:crypto';
import { startWebPubSubEmulatorThread } from './web-pubsub-emulator/emulator-thread';

/** A started (or configured) Web PubSub for the local stack; shaped as a companion service of `npm start`. */
export interface LocalRealtime {
  readonly name: string;
  /** What to print: the emulator's endpoint, or that a configured service is used. */
  readonly where: string;
  /** True when this call started the emulator (and set `WebPubSubConnectionString`). */
  readonly started: boolean;
  /**
   * Points the emulator's event handler at the app (`<appBaseUrl>/realtime/events`, with `appBaseUrl` ending in
   * `/api`); for hosts whose port is known only once they listen. Does nothing for a configured service.
   */
  useAppBaseUrl(appBaseUrl: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the emulator unless `env` already names a Web PubSub, then sets `env.WebPubSubConnectionString` (the app
 * reads it at start) and, when given, the event handler for `appBaseUrl`. The hub is `env.WebPubSub__Hub` or `inbox`.
 */
export async function startLocalRealtime(env: Record<string, string | undefined>, appBaseUrl?: string): Promise<LocalRealtime> {
  if (env['WebPubSubConnectionString']?.trim()) {
    return { name: 'Web PubSub', where: 'WebPubSubConnectionString (configured)', started: false, useAppBaseUrl: async () => {}, stop: async () => {} };
  }
  const hub = env['WebPubSub__Hub']?.trim() || 'inbox';
  const emulator = await startWebPubSubEmulatorThread({ accessKey: randomBytes(32).toString('base64') });
  env['WebPubSubConnectionString'] = emulator.connectionString;
  const useAppBaseUrl = (base: string) =>
    emulator.setEventHandlers(hub, [{ urlTemplate: `${base.replace(/\/+$/, '')}/realtime/events`, systemEvents: ['connected', 'disconnected'] }]);
  if (appBaseUrl !== undefined) await useAppBaseUrl(appBaseUrl);
  return {
    name: 'Web PubSub',
    where: `${emulator.endpoint} (local emulator, hub ${hub})`,
    started: true,
    useAppBaseUrl,
    stop: async () => {
      await emulator.stop();
      if (env['WebPubSubConnectionString'] === emulator.connectionString) delete env['WebPubSubConnectionString'];
    },
  };
}
