// Posts signed webhooks to the app and retries failed deliveries on a short local schedule (Meta retries for days).
import { serializeWebhookBody, signWebhookBody } from './sign-webhook-body';
import type { TaskTracker } from './task-tracker';

/** One attempt to deliver a webhook. */
export interface WebhookAttempt {
  at: string;
  status?: number;
  error?: string;
  durationMs: number;
}

/** A webhook the simulator posted (or tried to), with every attempt. */
export interface WebhookDelivery {
  seq: number;
  label: string;
  url: string | undefined;
  rawBody: string;
  signature: string;
  payload: unknown;
  attempts: WebhookAttempt[];
  outcome: 'pending' | 'delivered' | 'failed' | 'no-webhook-url' | 'cancelled';
}

export interface WebhookSenderOptions {
  appSecret: string;
  webhookUrl: () => string | undefined;
  /** Waits before each retry; Meta retries "with decreasing frequency" for up to 7 days (WHATSAPP.md §11). */
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  tracker: TaskTracker;
}

export interface WebhookSender {
  deliver(payload: unknown, label: string): Promise<WebhookDelivery>;
  deliveries(): WebhookDelivery[];
  clear(): void;
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  let seq = 0;
  let log: WebhookDelivery[] = [];

  async function attempt(delivery: WebhookDelivery, url: string): Promise<boolean> {
    const started = Date.now();
    const record: WebhookAttempt = { at: new Date(started).toISOString(), durationMs: 0 };
    delivery.attempts.push(record);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': delivery.signature, 'User-Agent': 'facebookexternalua' },
        body: delivery.rawBody,
        signal: AbortSignal.any([options.tracker.signal, AbortSignal.timeout(options.timeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      record.status = response.status;
      return response.status === 200;
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
      return false;
    } finally {
      record.durationMs = Date.now() - started;
    }
  }

  async function run(delivery: WebhookDelivery): Promise<WebhookDelivery> {
    const url = delivery.url;
    if (url === undefined) {
      delivery.outcome = 'no-webhook-url';
      return delivery;
    }
    for (let i = 0; ; i += 1) {
      if (await attempt(delivery, url)) {
        delivery.outcome = 'delivered';
        return delivery;
      }
      const wait = options.retryDelaysMs[i];
      if (wait === undefined) break;
      try {
        await options.tracker.sleep(wait);
      } catch {
        delivery.outcome = 'cancelled';
        return delivery;
      }
    }
    delivery.outcome = options.tracker.signal.aborted ? 'cancelled' : 'failed';
    return delivery;
  }

  return {
    deliver(payload, label) {
      const rawBody = serializeWebhookBody(payload);
      seq += 1;
      const delivery: WebhookDelivery = {
        seq,
        label,
        url: options.webhookUrl(),
        rawBody,
        signature: signWebhookBody(options.appSecret, rawBody),
        payload,
        attempts: [],
        outcome: 'pending',
      };
      log.push(delivery);
      return options.tracker.track(run(delivery));
    },
    deliveries: () => log.map((d) => ({ ...d, attempts: [...d.attempts] })),
    clear() {
      log = [];
    },
  };
}
