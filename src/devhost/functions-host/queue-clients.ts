// Shared storage-queue clients for the host's triggers and output bindings: one service client per connection
// string, queues created once, and a wake-up signal for listeners when this host itself enqueues a message.
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';

/** Client cache plus the in-process "message enqueued" watcher (the host's SharedQueueWatcher). */
export class QueueClients {
  readonly #services = new Map<string, QueueServiceClient>();
  readonly #created = new Map<string, Promise<void>>();
  readonly #watchers = new Map<string, Set<() => void>>();

  /** Client for `queueName` in the account of `connectionString`. */
  get(connectionString: string, queueName: string): QueueClient {
    let service = this.#services.get(connectionString);
    if (!service) {
      service = QueueServiceClient.fromConnectionString(connectionString);
      this.#services.set(connectionString, service);
    }
    return service.getQueueClient(queueName);
  }

  /** Creates the queue if missing (once per queue URL; retried after a failure). */
  ensureExists(queue: QueueClient): Promise<void> {
    let pending = this.#created.get(queue.url);
    if (!pending) {
      pending = queue.createIfNotExists().then(() => undefined);
      pending.catch(() => this.#created.delete(queue.url));
      this.#created.set(queue.url, pending);
    }
    return pending;
  }

  /** Registers a callback run when this host enqueues to `queue`; returns the unregister function. */
  watch(queue: QueueClient, onEnqueued: () => void): () => void {
    let set = this.#watchers.get(queue.url);
    if (!set) {
      set = new Set();
      this.#watchers.set(queue.url, set);
    }
    set.add(onEnqueued);
    return () => set.delete(onEnqueued);
  }

  /** Tells listeners of `queue` that a message was just added. */
  notifyEnqueued(queue: QueueClient): void {
    for (const callback of this.#watchers.get(queue.url) ?? []) callback();
  }
}
