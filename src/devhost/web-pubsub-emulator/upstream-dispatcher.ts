// Delivers connect/connected/disconnected and user events to the configured event handlers as binary-mode
// CloudEvents, signed with ce-signature, after the abuse-protection OPTIONS handshake.
import { createHmac } from 'node:crypto';
import { httpCall } from './http-call';
import type { HttpCallResponse } from './http-call';
import { contentTypeOf } from './message-data';
import type { MessageData } from './message-data';

/** The system events a handler can subscribe to. */
export type SystemEventName = 'connect' | 'connected' | 'disconnected';

/** One event handler of a hub, as configured in the portal (first match wins). */
export interface EventHandlerSettings {
  /** Handler URL; `{hub}` and `{event}` are replaced per event. */
  readonly urlTemplate: string;
  /** Comma-separated user event names; `*` matches all. Omitted: no user events. */
  readonly userEventPattern?: string;
  readonly systemEvents?: readonly SystemEventName[];
}

/** An event on its way upstream. */
export interface UpstreamEvent {
  readonly hub: string;
  readonly kind: 'system' | 'user';
  readonly eventName: string;
  readonly connectionId: string;
  readonly userId: string | null;
  readonly subprotocol: string | null;
  readonly connectionState: string | undefined;
  /** Sent as WebHook-Request-Origin (the service sends its own host name). */
  readonly origin: string;
  readonly data: MessageData;
}

/** The upstream could not be reached, refused the handshake, or timed out. */
export class UpstreamUnavailableError extends Error {}

/** Timing knobs; the defaults are the service's. */
export interface UpstreamTimings {
  /** Delays before retrying a non-blocking event after 408, 5xx or a network error. */
  readonly retryDelaysMs: readonly number[];
  readonly requestTimeoutMs: number;
}

export const DEFAULT_UPSTREAM_TIMINGS: UpstreamTimings = { retryDelaysMs: [1000, 3000, 5000], requestTimeoutMs: 20_000 };

export class UpstreamDispatcher {
  private readonly handlersByHub = new Map<string, readonly EventHandlerSettings[]>();
  private readonly validations = new Map<string, Promise<boolean>>();
  private readonly stopping = new AbortController();
  private nextEventId = 0;

  constructor(
    private readonly accessKey: string,
    private readonly timings: UpstreamTimings = DEFAULT_UPSTREAM_TIMINGS,
  ) {}

  /** Replaces the handlers of a hub (and forgets earlier handshakes, as a reconfigured service would). */
  setHandlers(hub: string, handlers: readonly EventHandlerSettings[]): void {
    this.handlersByHub.set(hub.toLowerCase(), [...handlers]);
    this.validations.clear();
  }

  /** True when some handler of the hub takes this event. */
  hasHandler(hub: string, kind: UpstreamEvent['kind'], eventName: string): boolean {
    return this.findHandler(hub, kind, eventName) !== undefined;
  }

  /**
   * Sends a blocking event (connect, user events) once and returns the handler's answer; undefined when
   * no handler takes the event. Throws {@link UpstreamUnavailableError} when the handler cannot be reached.
   */
  async invoke(event: UpstreamEvent): Promise<HttpCallResponse | undefined> {
    const handler = this.findHandler(event.hub, event.kind, event.eventName);
    if (!handler) return undefined;
    try {
      return await this.send(handler, event);
    } catch (error) {
      if (error instanceof UpstreamUnavailableError) throw error;
      throw new UpstreamUnavailableError(error instanceof Error ? error.message : String(error));
    }
  }

  /** Sends a non-blocking event (connected, disconnected), retrying after 1 s, 3 s and 5 s; never throws. */
  async notify(event: UpstreamEvent): Promise<void> {
    const handler = this.findHandler(event.hub, event.kind, event.eventName);
    if (!handler) return;
    for (let attempt = 0; !this.stopping.signal.aborted; attempt += 1) {
      let retryable: boolean;
      try {
        const response = await this.send(handler, event);
        retryable = response.status === 408 || response.status >= 500;
      } catch {
        retryable = true;
      }
      const delay = this.timings.retryDelaysMs[attempt];
      if (!retryable || delay === undefined) return;
      await this.sleep(delay);
    }
  }

  /** Aborts requests in flight and pending retries. */
  stop(): void {
    this.stopping.abort();
  }

  private findHandler(hub: string, kind: UpstreamEvent['kind'], eventName: string): EventHandlerSettings | undefined {
    const handlers = this.handlersByHub.get(hub.toLowerCase()) ?? [];
    return handlers.find((handler) =>
      kind === 'system'
        ? (handler.systemEvents ?? []).some((name) => name.toLowerCase() === eventName.toLowerCase())
        : matchesEventPattern(handler.userEventPattern, eventName),
    );
  }

  private async send(handler: EventHandlerSettings, event: UpstreamEvent): Promise<HttpCallResponse> {
    if (!(await this.validate(this.expand(handler, event.hub, 'validate'), event.origin))) {
      throw new UpstreamUnavailableError('The event handler did not allow the WebHook-Request-Origin.');
    }
    this.nextEventId += 1;
    const headers: Record<string, string> = {
      'Content-Type': contentTypeOf(event.data.dataType),
      'ce-specversion': '1.0',
      'ce-awpsversion': '1.0',
      'ce-type': `azure.webpubsub.${event.kind === 'system' ? 'sys' : 'user'}.${event.eventName}`,
      'ce-source': `/hubs/${event.hub}/client/${event.connectionId}`,
      'ce-id': String(this.nextEventId),
      'ce-time': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'ce-signature': signConnectionId(event.connectionId, this.accessKey),
      'ce-connectionId': event.connectionId,
      'ce-hub': event.hub,
      'ce-eventName': event.eventName,
      'WebHook-Request-Origin': event.origin,
    };
    if (event.userId) headers['ce-userId'] = event.userId;
    if (event.subprotocol) headers['ce-subprotocol'] = event.subprotocol;
    if (event.connectionState) headers['ce-connectionState'] = event.connectionState;
    return httpCall(this.expand(handler, event.hub, event.eventName), {
      method: 'POST',
      headers,
      body: event.data.bytes,
      timeoutMs: this.timings.requestTimeoutMs,
      signal: this.stopping.signal,
    });
  }

  // The first use of a URL waits for the handshake; a success is remembered, a failure is retried next time.
  private validate(url: string, origin: string): Promise<boolean> {
    const known = this.validations.get(url);
    if (known) return known;
    const pending = this.handshake(url, origin);
    this.validations.set(url, pending);
    void pending.then((allowed) => {
      if (!allowed && this.validations.get(url) === pending) this.validations.delete(url);
    });
    return pending;
  }

  private async handshake(url: string, origin: string): Promise<boolean> {
    const attempt = async (method: string) => {
      const response = await httpCall(url, {
        method,
        headers: { 'WebHook-Request-Origin': origin, 'ce-awpsversion': '1.0' },
        timeoutMs: this.timings.requestTimeoutMs,
        signal: this.stopping.signal,
      });
      const allowed = String(response.headers['webhook-allowed-origin'] ?? '')
        .split(',')
        .map((value) => value.trim().toLowerCase());
      return { status: response.status, allowed: response.status >= 200 && response.status < 300 && (allowed.includes('*') || allowed.includes(origin.toLowerCase())) };
    };
    try {
      const options = await attempt('OPTIONS');
      // Like the service's own emulator: a handler without an OPTIONS route may answer the handshake on GET.
      return options.status === 404 ? (await attempt('GET')).allowed : options.allowed;
    } catch {
      return false;
    }
  }

  private expand(handler: EventHandlerSettings, hub: string, eventName: string): string {
    return handler.urlTemplate.replace(/\{hub\}/gi, encodeURIComponent(hub)).replace(/\{event\}/gi, encodeURIComponent(eventName));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.stopping.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}

/** `sha256=` + lowercase hex HMAC-SHA256 of the connection id, keyed with the UTF-8 bytes of the AccessKey. */
export function signConnectionId(connectionId: string, accessKey: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(accessKey, 'utf8')).update(connectionId, 'utf8').digest('hex')}`;
}

function matchesEventPattern(pattern: string | undefined, eventName: string): boolean {
  return (pattern ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .some((item) => item === '*' || new RegExp(`^${item.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(eventName));
}
