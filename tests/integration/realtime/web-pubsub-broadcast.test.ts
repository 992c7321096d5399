// The hand-written "send to all" against what @azure/web-pubsub sends for the same call: same request on the wire, a
// token the service accepts (audience = the URL as sent), and failures reported with their status or as time-outs.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AzureKeyCredential, WebPubSubServiceClient } from '@azure/web-pubsub';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BroadcastError, createHubBroadcast } from '../../../src/realtime/web-pubsub-broadcast';

const ACCESS_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq=';
const HUB = 'inbox';
/** Quotes, spaces and non-ASCII: the characters whose encoding the token's audience depends on. */
const FILTER = "'firm-1' in groups and userId ne 'Ayşe Öz' and not('role-agent' in groups)";

interface Captured {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

let server: http.Server;
let endpoint: string;
let captured: Captured[];
let answer: { status: number; body: string; delayMs?: number };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  captured = [];
  answer = { status: 202, body: '' };
});

function claimsOf(request: Captured): JwtPayload {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
  return jwt.verify(bearer, ACCESS_KEY, { algorithms: ['HS256'] }) as JwtPayload;
}

describe('a send', () => {
  it('is the request the SDK makes: method, path, query, content type, body, and a token for exactly that URL', async () => {
    const event = { type: 'message.created', firmId: 1, text: 'Merhaba — ödeme?' };
    const sdk = new WebPubSubServiceClient(endpoint, new AzureKeyCredential(ACCESS_KEY), HUB, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
    await sdk.sendToAll(event, { filter: FILTER });
    await createHubBroadcast({ endpoint, hub: HUB, accessKey: ACCESS_KEY }).sendToAll(event, { filter: FILTER, timeoutMs: 2000 });

    const [fromSdk, ours] = captured as [Captured, Captured];
    expect(ours.method).toBe(fromSdk.method);
    expect(ours.url).toBe(fromSdk.url);
    expect(ours.headers['content-type']).toBe(fromSdk.headers['content-type']);
    expect(JSON.parse(ours.body)).toEqual(JSON.parse(fromSdk.body));
    expect(claimsOf(ours).aud).toBe(claimsOf(fromSdk).aud);
    expect(claimsOf(ours).aud).toBe(`${endpoint}${ours.url}`);
    expect((claimsOf(ours).exp ?? 0) - (claimsOf(ours).iat ?? 0)).toBe(3600);
  });

  it('reuses its token for the same URL and signs another for another filter', async () => {
    const broadcast = createHubBroadcast({ endpoint, hub: HUB, accessKey: ACCESS_KEY });
    await broadcast.sendToAll({ n: 1 }, { filter: FILTER, timeoutMs: 2000 });
    await broadcast.sendToAll({ n: 2 }, { filter: FILTER, timeoutMs: 2000 });
    await broadcast.sendToAll({ n: 3 }, { filter: "'firm-2' in groups", timeoutMs: 2000 });
    const [a, b, c] = captured as [Captured, Captured, Captured];
    expect(b.headers.authorization).toBe(a.headers.authorization);
    expect(c.headers.authorization).not.toBe(a.headers.authorization);
    expect(claimsOf(c).aud).toBe(`${endpoint}${c.url}`);
  });

  it('rejects with the status and the service words on a non-2xx answer', async () => {
    answer = { status: 429, body: '{"code":"TooManyRequests"}' };
    const sending = createHubBroadcast({ endpoint, hub: HUB, accessKey: ACCESS_KEY }).sendToAll({ n: 1 }, { filter: FILTER, timeoutMs: 2000 });
    await expect(sending).rejects.toBeInstanceOf(BroadcastError);
    await expect(sending).rejects.toMatchObject({ statusCode: 429, timedOut: false, message: expect.stringContaining('TooManyRequests') });
  });

  it('rejects as timed out when no answer comes in time, and as unreachable without a status when refused', async () => {
    answer = { status: 202, body: '', delayMs: 500 };
    const slow = createHubBroadcast({ endpoint, hub: HUB, accessKey: ACCESS_KEY }).sendToAll({ n: 1 }, { filter: FILTER, timeoutMs: 50 });
    await expect(slow).rejects.toMatchObject({ timedOut: true, statusCode: undefined });
    const refused = createHubBroadcast({ endpoint: 'http://127.0.0.1:9', hub: HUB, accessKey: ACCESS_KEY }).sendToAll({ n: 1 }, { filter: FILTER, timeoutMs: 2000 });
    await expect(refused).rejects.toMatchObject({ timedOut: false, statusCode: undefined });
  });
});
