// The local Azure Web PubSub emulator used by the devhost and the tests when no WebPubSubConnectionString is set.
export { startWebPubSubEmulator } from './start-web-pub-sub-emulator';
export type { EventHandlerSettings, SystemEventName, WebPubSubEmulator, WebPubSubEmulatorOptions } from './start-web-pub-sub-emulator';
export { signConnectionId } from './upstream-dispatcher';
