// Runs the Web PubSub emulator on a worker thread of its own. In Azure the service is another machine; on the local
// host its REST handling and WebSocket fan-out (50 clients × every event) would otherwise take turns with the app's
// event loop and slow the webhook it is meant to stand beside.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startWebPubSubEmulator, type EventHandlerSettings, type WebPubSubEmulator, type WebPubSubEmulatorOptions } from './start-web-pub-sub-emulator';
import { canLoadInWorker } from '../../shared/worker-module';

/** The part of a running emulator a host needs; the test hooks stay with in-process emulators. */
export type EmulatorHandle = Pick<WebPubSubEmulator, 'endpoint' | 'connectionString' | 'port' | 'accessKey' | 'stop'> & {
  /** Resolves once the emulator uses the new handlers. */
  setEventHandlers(hub: string, eventHandlers: readonly EventHandlerSettings[]): Promise<void>;
};

type Command = { readonly id: number; readonly type: 'setEventHandlers'; readonly hub: string; readonly eventHandlers: readonly EventHandlerSettings[] } | { readonly id: number; readonly type: 'stop' };
type Reply = { readonly type: 'ready'; readonly endpoint: string; readonly connectionString: string; readonly port: number; readonly accessKey: string } | { readonly type: 'done'; readonly id: number } | { readonly type: 'failed'; readonly message: string };

/** True when this module can be loaded by a Worker (see canLoadInWorker). */
const canRunOnThread = canLoadInWorker(__filename);

/** Starts the emulator on its own thread when compiled, in this thread otherwise. */
export async function startWebPubSubEmulatorThread(options: WebPubSubEmulatorOptions): Promise<EmulatorHandle> {
  if (!canRunOnThread) {
    const emulator = await startWebPubSubEmulator(options);
    return { ...emulator, setEventHandlers: async (hub, handlers) => emulator.setEventHandlers(hub, handlers) };
  }
  const worker = new Worker(__filename, { workerData: options });
  const ready = await new Promise<Extract<Reply, { type: 'ready' }>>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the Web PubSub emulator thread exited (${code}) before it listened`)));
    worker.once('message', (reply: Reply) => (reply.type === 'ready' ? resolve(reply) : reject(new Error(reply.type === 'failed' ? reply.message : 'unexpected reply'))));
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', (error) => console.error('Web PubSub emulator thread failed:', error));
  let nextId = 0;
  const call = (command: Omit<Extract<Command, { type: 'stop' }>, 'id'> | Omit<Extract<Command, { type: 'setEventHandlers' }>, 'id'>) =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      const onReply = (reply: Reply) => {
        if (reply.type === 'done' && reply.id === id) {
          worker.off('message', onReply);
          resolve();
        }
      };
      worker.on('message', onReply);
      worker.postMessage({ ...command, id });
    });
  return {
    endpoint: ready.endpoint,
    connectionString: ready.connectionString,
    port: ready.port,
    accessKey: ready.accessKey,
    setEventHandlers: (hub, eventHandlers) => call({ type: 'setEventHandlers', hub, eventHandlers }),
    stop: async () => {
      await call({ type: 'stop' });
      await worker.terminate();
    },
  };
}

async function serveOnThisThread(port: NonNullable<typeof parentPort>): Promise<void> {
  let emulator: WebPubSubEmulator;
  try {
    emulator = await startWebPubSubEmulator(workerData as WebPubSubEmulatorOptions);
  } catch (error) {
    port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies Reply);
    return;
  }
  const { endpoint, connectionString, accessKey } = emulator;
  port.postMessage({ type: 'ready', endpoint, connectionString, port: emulator.port, accessKey } satisfies Reply);
  port.on('message', (command: Command) => {
    if (command.type === 'setEventHandlers') {
      emulator.setEventHandlers(command.hub, command.eventHandlers);
      port.postMessage({ type: 'done', id: command.id } satisfies Reply);
    } else {
      void emulator.stop().finally(() => port.postMessage({ type: 'done', id: command.id } satisfies Reply));
    }
  });
}

if (!isMainThread && parentPort && (workerData as { accessKey?: unknown } | undefined)?.accessKey !== undefined) void serveOnThisThread(parentPort);
