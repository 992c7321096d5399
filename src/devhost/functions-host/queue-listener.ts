// Storage-queue trigger with the Functions queue extension's semantics (QueueListener + QueueProcessor):
// batches of `batchSize`, next batch when in-flight ≤ `newBatchThreshold`, randomized exponential back-off up to
// `maxPollingInterval` when idle, message invisible while processing (renewed), delete on success, release after
// `visibilityTimeout` on failure, `<queue>-poison` once `dequeueCount` reaches `maxDequeueCount`.
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppRegistry, RegisteredFunction } from './core-api';
import type { RpcTypedData } from './core-types';
import type { QueueOptions } from './host-config';
import type { HostLogger } from './host-log';
import { invokeFunction } from './invoke-function';
import { deliverOutputBindings, type OutputBindingContext } from './output-bindings';
import type { QueueClients } from './queue-clients';
import { decodeBase64Strict } from './queue-message-encoding';

/** The extension keeps a message invisible for 10 minutes while processing and renews at half that. */
const processingVisibilitySeconds = 600;
const minPollingIntervalMs = 100;

/** Everything one queue-triggered function needs. */
export interface QueueListenerOptions {
  readonly registry: AppRegistry;
  readonly fn: RegisteredFunction;
  readonly triggerBindingName: string;
  readonly queue: QueueClient;
  /** Undefined where the host has no poison queue (the queue is itself `-poison`). */
  readonly poisonQueue: QueueClient | undefined;
  readonly options: QueueOptions;
  readonly clients: QueueClients;
  readonly outputs: OutputBindingContext;
  readonly log: HostLogger;
}

/** A running listener. */
export interface QueueListener {
  readonly queueName: string;
  /** Polls now instead of waiting for the back-off. */
  wake(): void;
  /** Stops polling and waits for messages in flight. */
  stop(): Promise<void>;
}

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? (err as { statusCode?: number }).statusCode : undefined;
}

/** Message gone, queue gone, or pop receipt taken over: nothing left for this host to do (as QueueProcessor). */
function isBenignMessageError(err: unknown): boolean {
  const status = statusOf(err);
  return status === 404 || status === 409 || status === 400;
}

function iso(date: Date | undefined): RpcTypedData {
  return { json: JSON.stringify((date ?? new Date(0)).toISOString()) };
}

/** Starts polling `options.queue` (created if missing). */
export async function startQueueListener(options: QueueListenerOptions): Promise<QueueListener> {
  const { queue, poisonQueue, registry, fn, log } = options;
  const settings = options.options;
  const logFor = (level: 'information' | 'warning' | 'error', message: string) =>
    log({ level, category: 'system', message, functionName: fn.name });
  await options.clients.ensureExists(queue);

  let stopped = false;
  const abort = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let wakeUp: (() => void) | undefined;
  let backoffMs = 0;

  const nextBackoff = () => {
    const doubled = backoffMs === 0 ? minPollingIntervalMs : backoffMs * 2;
    backoffMs = Math.min(settings.maxPollingIntervalMs, doubled);
    return Math.round(backoffMs * (0.8 + Math.random() * 0.4));
  };

  const moveToPoison = async (message: DequeuedMessageItem, popReceipt: string, reason: string) => {
    if (!poisonQueue) {
      // Same as the extension: without a poison queue the message stays invisible rather than looping fast.
      logFor('warning', `Message ${message.messageId} in "${queue.name}" failed (${reason}); no poison queue for it, left invisible.`);
      return;
    }
    logFor('warning', `Message ${message.messageId} ${reason}. Moving message to queue '${poisonQueue.name}'.`);
    await options.clients.ensureExists(poisonQueue);
    // The original wire text is what the extension's poison copy holds (same encoding as the source queue).
    await poisonQueue.sendMessage(message.messageText);
    await queue.deleteMessage(message.messageId, popReceipt).catch((err: unknown) => {
      if (!isBenignMessageError(err)) throw err;
    });
  };

  const handleMessage = async (message: DequeuedMessageItem) => {
    let popReceipt = message.popReceipt;
    if (message.dequeueCount > settings.maxDequeueCount) {
      await moveToPoison(message, popReceipt, `has a dequeue count of ${message.dequeueCount}, above MaxDequeueCount of ${settings.maxDequeueCount}`);
      return;
    }
    let body: string;
    if (settings.messageEncoding === 'base64') {
      const decoded = decodeBase64Strict(message.messageText);
      if (!decoded) {
        // The extension's MessageDecodingFailed handler sends such messages straight to the poison queue.
        await moveToPoison(message, popReceipt, 'is not valid base64 and host.json extensions.queues.messageEncoding is "base64"');
        return;
      }
      body = new TextDecoder().decode(decoded);
    } else {
      body = message.messageText;
    }

    const renew = setInterval(() => {
      queue
        .updateMessage(message.messageId, popReceipt, undefined, processingVisibilitySeconds)
        .then((r) => {
          if (r.popReceipt) popReceipt = r.popReceipt;
        })
        .catch(() => undefined);
    }, (processingVisibilitySeconds / 2) * 1000);
    renew.unref();

    const started = Date.now();
    let succeeded = false;
    try {
      const outcome = await invokeFunction(registry, fn, {
        inputData: [{ name: options.triggerBindingName, data: { string: body } }],
        triggerMetadata: {
          QueueTrigger: { string: body },
          DequeueCount: { json: String(message.dequeueCount) },
          Id: { string: message.messageId },
          PopReceipt: { string: message.popReceipt },
          InsertionTime: iso(message.insertedOn),
          ExpirationTime: iso(message.expiresOn),
          NextVisibleTime: iso(message.nextVisibleOn),
        },
      });
      await deliverOutputBindings(options.outputs, fn, outcome.response);
      succeeded = true;
      log({ level: 'information', category: 'system', functionName: fn.name, invocationId: outcome.invocationId, message: `Executed (Succeeded, message ${message.messageId}, Duration=${Date.now() - started}ms)` });
    } catch (err) {
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      logFor('error', `Executed (Failed, message ${message.messageId}, dequeueCount ${message.dequeueCount}, Duration=${Date.now() - started}ms)\n${detail}`);
    } finally {
      clearInterval(renew);
    }

    if (succeeded) {
      await queue.deleteMessage(message.messageId, popReceipt).catch((err: unknown) => {
        if (!isBenignMessageError(err)) throw err;
      });
    } else if (poisonQueue && message.dequeueCount >= settings.maxDequeueCount) {
      await moveToPoison(message, popReceipt, `has reached MaxDequeueCount of ${settings.maxDequeueCount}`);
    } else if (poisonQueue) {
      await queue
        .updateMessage(message.messageId, popReceipt, undefined, Math.round(settings.visibilityTimeoutMs / 1000))
        .catch((err: unknown) => {
          if (!isBenignMessageError(err)) throw err;
        });
    }
  };

  const track = (message: DequeuedMessageItem) => {
    const run: Promise<void> = handleMessage(message)
      .catch((err: unknown) => logFor('error', `Could not complete message ${message.messageId}: ${(err as Error).message}`))
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
  };

  const waitFor = async (ms: number) => {
    const woken = new Promise<void>((resolve) => (wakeUp = resolve));
    await Promise.race([sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined), woken]);
    wakeUp = undefined;
  };

  const unwatch = options.clients.watch(queue, () => {
    backoffMs = 0;
    wakeUp?.();
  });

  let receiveErrorLogged = false;
  const loop = async () => {
    let delay = 0;
    while (!stopped) {
      if (delay > 0) await waitFor(delay);
      while (!stopped && inFlight.size > settings.newBatchThreshold) await Promise.race(inFlight);
      if (stopped) break;
      let messages: DequeuedMessageItem[];
      try {
        const received = await queue.receiveMessages({
          numberOfMessages: settings.batchSize,
          visibilityTimeout: processingVisibilitySeconds,
          abortSignal: abort.signal,
        });
        messages = received.receivedMessageItems;
        receiveErrorLogged = false;
      } catch (err) {
        if (stopped) break;
        if (!receiveErrorLogged) logFor('warning', `Polling queue "${queue.name}" failed: ${(err as Error).message}`);
        receiveErrorLogged = true;
        delay = nextBackoff();
        continue;
      }
      if (messages.length === 0) {
        delay = nextBackoff();
        continue;
      }
      backoffMs = 0;
      delay = 0;
      for (const message of messages) track(message);
    }
  };
  const looping = loop();

  return {
    queueName: queue.name,
    wake() {
      backoffMs = 0;
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      unwatch();
      abort.abort();
      wakeUp?.();
      await looping;
      await Promise.allSettled([...inFlight]);
    },
  };
}
