// Web PubSub's "send to all" REST call (POST /api/hubs/{hub}/:send), made the way `@azure/web-pubsub` 1.2.0 makes it.
import http from 'node:http';
import https from 'node:https';
import jwt from 'jsonwebtoken';
import { hmacKey } from '../shared/hmac-key';

/** The one data-plane call the publisher makes per event. */
export interface HubBroadcast {
  /**
   * Sends `message` as JSON to the hub's connections that `filter` (OData) selects. Resolves on a 2xx answer; rejects
   * with a {@link BroadcastError}.
   */
  sendToAll(message: unknown, options: { readonly filter: string; readonly timeoutMs: number }): Promise<void>;
}

/** Why a send failed: the service's status code, or none when it was not reached or did not answer in time. */
export class BroadcastError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly timedOut: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'BroadcastError';
  }
}

/** The api-version `@azure/web-pubsub` 1.2.0 sends (and the local emulator implements). */
const API_VERSION = '2024-12-01';
/** The SDK signs each request for 1 hour; a token is reused for most of that and replaced well before it ends. */
const TOKEN_LIFETIME_SECONDS = 3600;
const TOKEN_REUSE_MS = 50 * 60 * 1000;
/** Distinct filters are one per firm, role and assignee in use; the bound only caps memory. */
const MAX_CACHED_TOKENS = 1000;

/**
 * Written by hand rather than through `WebPubSubServiceClient.sendToAll`: at Meta's 1,000 messages a second the SDK's
 * per-request pipeline (tracing span, request id, policies, a new JWT and an AbortSignal per call) cost about a tenth
 * of the host's main thread, measured by `npm run bench:webhook`. The request is the same: URL, query encoding,
 * headers, JSON body and a bearer token signed with the AccessKey whose audience is the full request URL, as the
 * SDK's key-credential policy signs it; the token is reused until shortly before it expires. Every other call
 * (client tokens, closing connections, presence checks) stays on the SDK.
 */
export function createHubBroadcast(settings: { readonly endpoint: string; readonly hub: string; readonly accessKey: string }): HubBroadcast {
  const base = `${settings.endpoint.replace(/\/+$/, '')}/api/hubs/${encodeURIComponent(settings.hub)}/:send?api-version=${API_VERSION}&filter=`;
  const secure = base.startsWith('https:');
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const tokens = new Map<string, { readonly bearer: string; readonly renewAt: number }>();

  function bearerFor(url: string): string {
    const now = Date.now();
    const cached = tokens.get(url);
    if (cached && now < cached.renewAt) return cached.bearer;
    if (tokens.size >= MAX_CACHED_TOKENS) tokens.clear();
    const bearer = `Bearer ${jwt.sign({}, hmacKey(settings.accessKey), { audience: url, expiresIn: TOKEN_LIFETIME_SECONDS, algorithm: 'HS256' })}`;
    tokens.set(url, { bearer, renewAt: now + TOKEN_REUSE_MS });
    return bearer;
  }

  return {
    sendToAll(message, { filter, timeoutMs }) {
      // As the WHATWG URL parser (which the SDK's request and node:http both go through) writes a query: `'` as %27.
      // The token's audience must be the URL exactly as sent.
      const url = base + encodeURIComponent(filter).replace(/'/g, '%27');
      const body = Buffer.from(JSON.stringify(message), 'utf8');
      const headers = {
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': String(body.length),
        authorization: bearerFor(url),
      };
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const finish = (error?: BroadcastError) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const request = (secure ? https : http).request(url, { method: 'POST', agent, headers }, (response) => {
          const status = response.statusCode ?? 0;
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => finish(new BroadcastError(`Web PubSub answer broke off: ${error.message}`, undefined, false, { cause: error })));
          response.on('end', () => {
            if (status >= 200 && status < 300) return finish();
            const text = Buffer.concat(chunks).toString('utf8').slice(0, 500);
            finish(new BroadcastError(`Web PubSub answered ${status}${text ? `: ${text}` : ''}`, status, false));
          });
        });
        // One timer for the whole exchange (the SDK's AbortSignal.timeout did the same, at a higher price per call).
        const timer = setTimeout(() => {
          finish(new BroadcastError(`Web PubSub did not answer within ${timeoutMs} ms`, undefined, true));
          request.destroy();
        }, timeoutMs);
        request.on('error', (error) => finish(new BroadcastError(`Web PubSub could not be reached: ${error.message}`, undefined, false, { cause: error })));
        request.end(body);
      });
    },
  };
}
