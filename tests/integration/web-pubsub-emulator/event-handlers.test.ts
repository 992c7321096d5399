// Upstream event handlers: the abuse-protection handshake, signed CloudEvents, blocking connect and user events.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageError, WebPubSubClient } from '@azure/web-pubsub-client';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebPubSubEmulator } from '../../../src/devhost/web-pubsub-emulator';
import type { WebPubSubEmulator } from '../../../src/devhost/web-pubsub-emulator';
import { serviceClient, startRecordingClient, stopAllClients, waitFor } from './sdk-harness';

interface HandledRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

const HUB = 'events';
let emulator: WebPubSubEmulator;
let handler: http.Server;
const requests: HandledRequest[] = [];
const flakyAttempts = new Map<string, number>();

/** A tiny event handler in the style of @azure/web-pubsub-express, but answering per test user. */
function handle(request: HandledRequest, res: http.ServerResponse): void {
  if (request.method === 'OPTIONS') {
    res.writeHead(200, { 'WebHook-Allowed-Origin': '*' }).end();
    return;
  }
  const type = String(request.headers['ce-type']);
  const userId = String(request.headers['ce-userid'] ?? '');
  if (type === 'azure.webpubsub.sys.connect') {
    if (userId === 'blocked') {
      res.writeHead(401).end('not you');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'ce-connectionState': 'c3RhdGUtMQ==' }).end(JSON.stringify({ groups: ['lobby'] }));
    return;
  }
  if (type === 'azure.webpubsub.sys.connected' && userId === 'flaky') {
    const attempt = (flakyAttempts.get(userId) ?? 0) + 1;
    flakyAttempts.set(userId, attempt);
    res.writeHead(attempt === 1 ? 503 : 204).end();
    return;
  }
  if (type === 'azure.webpubsub.user.echo' || type === 'azure.webpubsub.user.message') {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`echo:${request.body}`);
    return;
  }
  if (type === 'azure.webpubsub.user.fail') {
    res.writeHead(500).end();
    return;
  }
  res.writeHead(204).end();
}

function signatureIsValid(headers: http.IncomingHttpHeaders): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', Buffer.from(emulator.accessKey, 'utf8')).update(String(headers['ce-connectionid'])).digest('hex')}`);
  return String(headers['ce-signature'])
    .split(',')
    .map((value) => Buffer.from(value.trim().toLowerCase()))
    .some((value) => value.length === expected.length && timingSafeEqual(value, expected));
}

const eventsOf = (connectionId: string, type: string) =>
  requests.filter((r) => r.method === 'POST' && r.headers['ce-connectionid'] === connectionId && r.headers['ce-type'] === type);

beforeAll(async () => {
  emulator = await startWebPubSubEmulator({ upstreamRetryDelaysMs: [100, 200, 300] });
  handler = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      handle(request, res);
    });
  });
  await new Promise<void>((resolve) => handler.listen(0, '127.0.0.1', resolve));
  const handlerPort = (handler.address() as AddressInfo).port;
  // The handler's URL is known only now, as with the app's local host.
  emulator.setEventHandlers(HUB, [
    { urlTemplate: `http://127.0.0.1:${handlerPort}/api/webpubsub/{hub}/{event}`, userEventPattern: '*', systemEvents: ['connect', 'connected', 'disconnected'] },
  ]);
});
afterEach(() => stopAllClients());
afterAll(async () => {
  await emulator.stop();
  handler.closeAllConnections();
  await new Promise((resolve) => handler.close(resolve));
});

describe('event handlers', () => {
  it('validates with OPTIONS first, then sends signed connect, connected and disconnected CloudEvents', async () => {
    const service = serviceClient(emulator.connectionString, HUB);
    const client = await startRecordingClient(service, { userId: 'op1', groups: ['from-token'] }, { reliable: false });
    await service.group('lobby').sendToAll({ joinedBy: 'connect handler' });
    await waitFor('the lobby message', () => client.groupMessages.length === 1);
    client.client.stop();
    await waitFor('disconnected', () => eventsOf(client.connectionId, 'azure.webpubsub.sys.disconnected').length === 1);

    const [handshake] = requests;
    expect(handshake).toMatchObject({ method: 'OPTIONS', path: '/api/webpubsub/events/validate' });
    expect(handshake?.headers).toMatchObject({ 'webhook-request-origin': '127.0.0.1', 'ce-awpsversion': '1.0' });

    const [connect] = eventsOf(client.connectionId, 'azure.webpubsub.sys.connect');
    expect(connect?.path).toBe('/api/webpubsub/events/connect');
    expect(connect?.headers).toMatchObject({
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-awpsversion': '1.0',
      'ce-source': `/hubs/events/client/${client.connectionId}`,
      'ce-hub': 'events',
      'ce-eventname': 'connect',
      'ce-userid': 'op1',
      'webhook-request-origin': '127.0.0.1',
    });
    expect(connect?.headers['ce-id']).toBeTruthy();
    expect(connect?.headers['ce-time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const body = JSON.parse(connect?.body ?? '{}') as { claims: Record<string, string[]>; query: Record<string, string[]>; subprotocols: string[] };
    expect(body.claims.sub).toEqual(['op1']);
    expect(body.claims['webpubsub.group']).toEqual(['from-token']);
    expect(body.query.access_token).toHaveLength(1);
    expect(body.subprotocols).toEqual(['json.webpubsub.azure.v1']);

    const [connected] = eventsOf(client.connectionId, 'azure.webpubsub.sys.connected');
    const [disconnected] = eventsOf(client.connectionId, 'azure.webpubsub.sys.disconnected');
    expect(connected?.headers).toMatchObject({ 'ce-subprotocol': 'json.webpubsub.azure.v1', 'ce-connectionstate': 'c3RhdGUtMQ==' });
    expect(JSON.parse(disconnected?.body ?? '{}')).toHaveProperty('reason');
    for (const event of [connect, connected, disconnected]) expect(signatureIsValid(event?.headers ?? {})).toBe(true);
    expect(requests.filter((r) => r.method === 'OPTIONS')).toHaveLength(1);
  });

  it('rejects the WebSocket upgrade with the status the connect handler returns', async () => {
    const service = serviceClient(emulator.connectionString, HUB);
    const { url } = await service.getClientAccessToken({ userId: 'blocked' });
    const client = new WebPubSubClient(url, { autoReconnect: false });
    await expect(client.start()).rejects.toThrow(/401/);
    expect(requests.some((r) => r.headers['ce-userid'] === 'blocked' && r.headers['ce-type'] === 'azure.webpubsub.sys.connected')).toBe(false);
  });

  it('blocks on user events and sends the handler response back to the client', async () => {
    const service = serviceClient(emulator.connectionString, HUB);
    const client = await startRecordingClient(service, { userId: 'op2' });
    const result = await client.client.sendEvent('echo', 'ping', 'text');
    expect(result.isDuplicated).toBe(false);
    await waitFor('the echo', () => client.serverMessages.length === 1);
    expect(client.serverMessages[0]).toMatchObject({ dataType: 'text', data: 'echo:ping', sequenceId: 1 });

    const [event] = eventsOf(client.connectionId, 'azure.webpubsub.user.echo');
    expect(event).toMatchObject({ path: '/api/webpubsub/events/echo', body: 'ping' });
    expect(event?.headers).toMatchObject({ 'content-type': 'text/plain', 'ce-eventname': 'echo', 'ce-subprotocol': 'json.reliable.webpubsub.azure.v1' });
    expect(signatureIsValid(event?.headers ?? {})).toBe(true);

    const error: unknown = await client.client.sendEvent('fail', { any: 'thing' }, 'json').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(SendMessageError);
    expect((error as SendMessageError).errorDetail?.name).toBe('InternalServerError');
  });

  it('retries a non-blocking event after a 5xx', async () => {
    const service = serviceClient(emulator.connectionString, HUB);
    const client = await startRecordingClient(service, { userId: 'flaky' }, { reliable: false });
    await waitFor('the retried connected event', () => eventsOf(client.connectionId, 'azure.webpubsub.sys.connected').length === 2);
    expect(flakyAttempts.get('flaky')).toBe(2);
  });

  it('turns frames of a plain WebSocket client into the user event "message" and answers with raw frames', async () => {
    const service = serviceClient(emulator.connectionString, HUB);
    const { url } = await service.getClientAccessToken({ userId: 'raw' });
    const socket = new WebSocket(url);
    const frames: string[] = [];
    socket.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send('hello');
    await waitFor('the echo frame', () => frames.length === 1);
    expect(frames).toEqual(['echo:hello']);
    const event = requests.find((r) => r.headers['ce-type'] === 'azure.webpubsub.user.message' && r.headers['ce-userid'] === 'raw');
    expect(event).toMatchObject({ body: 'hello', headers: expect.objectContaining({ 'content-type': 'text/plain' }) });
    expect(event?.headers['ce-subprotocol']).toBeUndefined();
    socket.close();
  });
});
