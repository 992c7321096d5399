// What the local host does over a real socket, whichever thread owns its sockets: routes, constraints, methods,
// authLevel, bodies, cookies, JSON errors, appStart hooks and queue output bindings. Run by http-host.test.ts (the
// TypeScript sources: sockets on the app's thread) and http-front-thread.test.ts (the compiled host: a front-end thread).
import { QueueClient } from '@azure/storage-queue';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { startLocalHost } from '../../src/devhost/functions-host/start-local-host';
import { startTestHost, type TestHost } from './local-host';
import { testStorageConnectionString } from './test-storage';

/** Defines the suite against hosts started by `start`; `httpThread` is whether they serve HTTP from a thread of their own. */
export function describeHttpHost(start: typeof startLocalHost, httpThread: boolean): void {
  let host: TestHost;
  const appDir = path.resolve(__dirname, '../fixtures/devhost/app');
  const suffix = randomUUID().slice(0, 8);
  const outputQueue = `http-out-${suffix}`;

  beforeAll(async () => {
    host = await startTestHost({
      start,
      appDir,
      functions: ['hello', 'items-by-id', 'items-by-name', 'items-mine', 'items-create', 'things', 'files', 'greet', 'reports', 'secure', 'admin-op', 'boom', 'echo', 'inspect', 'nothing', 'stream-body', 'events', 'enqueue'],
      settings: { FIXTURE_OUTPUT_QUEUE: outputQueue },
    });
  });

  afterAll(async () => {
    await host?.stop();
  });

  async function getJson(route: string, init?: RequestInit): Promise<{ status: number; body: unknown; headers: Headers }> {
    const res = await fetch(`${host.baseUrl}/${route}`, init);
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
  }

  describe('routing', () => {
    test('a function without a route is served under its name, with the default GET and POST', async () => {
      expect(await getJson('hello?name=ada')).toMatchObject({ status: 200, body: { greeting: 'hello ada', method: 'GET' } });
      expect(await getJson('hello', { method: 'POST' })).toMatchObject({ status: 200, body: { method: 'POST' } });
    });

    test('literal segments win over constrained parameters; constraints pick between routes', async () => {
      expect((await getJson('items/mine')).body).toEqual({ match: 'mine' });
      expect((await getJson('ITEMS/Mine')).body).toEqual({ match: 'mine' });
      expect((await getJson('items/42')).body).toEqual({ match: 'id', id: '42' });
      expect((await getJson('items/abc')).body).toEqual({ match: 'name', name: 'abc' });
      expect((await getJson('items/4x2')).status).toBe(404);
    });

    test('guid, catch-all, optional and default parameters', async () => {
      const id = randomUUID();
      expect((await getJson(`things/${id}`)).body).toEqual({ id });
      expect((await getJson('things/not-a-guid')).status).toBe(404);
      expect((await getJson('files/a/b%20c/d.txt')).body).toEqual({ path: 'a/b c/d.txt' });
      expect((await getJson('files')).body).toEqual({ path: null });
      expect((await getJson('greet')).body).toEqual({ name: null });
      expect((await getJson('greet/bob')).body).toEqual({ name: 'bob' });
      expect((await getJson('reports/2024')).body).toEqual({ year: '2024', kind: 'summary' });
      expect((await getJson('Reports/2024/full')).body).toEqual({ year: '2024', kind: 'full' });
    });

    test('a known route with another method is a JSON 405 naming the allowed methods', async () => {
      const res = await getJson('items/42', { method: 'DELETE' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
      expect(res.body).toMatchObject({ error: { code: 'MethodNotAllowed' } });
    });

    test('an unknown route, or a path outside the route prefix, is a JSON 404', async () => {
      for (const url of [`${host.baseUrl}/no/such/route`, `${host.url}/hello`]) {
        const res = await fetch(url);
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toContain('application/json');
        expect(await res.json()).toMatchObject({ error: { code: 'RouteNotFound', message: expect.any(String) } });
      }
    });
  });

  describe('authLevel', () => {
    test('anonymous routes are open; function and admin routes need the host key', async () => {
      expect((await getJson('secure')).status).toBe(401);
      expect((await getJson('secure', { headers: { 'x-functions-key': 'wrong' } })).status).toBe(401);
      expect(await getJson('secure', { headers: { 'x-functions-key': host.hostKey } })).toMatchObject({ status: 200, body: { secret: 'ok' } });
      expect((await getJson(`secure?code=${host.hostKey}`)).status).toBe(200);
      expect((await getJson('ops/admin', { method: 'POST' })).body).toMatchObject({ error: { code: 'Unauthorized' } });
      expect((await getJson('ops/admin', { method: 'POST', headers: { 'x-functions-key': host.hostKey } })).status).toBe(204);
    });
  });

  describe('requests and responses', () => {
    test('an exception escaping a handler is a JSON 500 with an id that the log carries with the stack', async () => {
      const res = await getJson('boom');
      expect(res.status).toBe(500);
      const error = (res.body as { error: { code: string; message: string; id: string } }).error;
      expect(error.code).toBe('InternalError');
      expect(JSON.stringify(res.body)).not.toContain('kaboom');
      const logged = host.logs.find((l) => l.message.includes(error.id));
      expect(logged?.level).toBe('error');
      expect(logged?.message).toContain('kaboom: internal detail');
      expect(logged?.message).toMatch(/at handler \(.*http\.js/);
    });

    test('raw request bytes reach the handler; status, headers, body and several cookies come back', async () => {
      const bytes = Buffer.from([0, 1, 2, 250, 255, 10]);
      const res = await fetch(`${host.baseUrl}/echo`, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-body-length')).toBe('6');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
      expect(res.headers.getSetCookie()).toEqual(['session=abc; path=/; httponly', 'pref=two%20words; max-age=60; secure; samesite=strict']);
    });

    test('JSON bodies, 201 status', async () => {
      expect(await getJson('items', { method: 'POST', body: JSON.stringify({ x: 1 }), headers: { 'content-type': 'application/json' } })).toMatchObject({
        status: 201,
        body: { created: { x: 1 } },
      });
    });

    test('the app sees the URL, query and the client headers only (nothing fabricated)', async () => {
      const res = await getJson('inspect?a=1&a=2&b=x%20y', { headers: { 'x-custom': 'yes' } });
      const body = res.body as { url: string; headers: Record<string, string>; query: [string, string][] };
      expect(body.url).toBe(`${host.baseUrl}/inspect?a=1&a=2&b=x%20y`);
      expect(body.query).toEqual([['a', '1'], ['a', '2'], ['b', 'x y']]);
      expect(body.headers['x-custom']).toBe('yes');
      expect(Object.keys(body.headers).filter((h) => h.startsWith('x-') && h !== 'x-custom')).toEqual([]);
    });

    test('a handler returning nothing is 200 with an empty body; a stream body is delivered', async () => {
      const nothing = await fetch(`${host.baseUrl}/nothing`);
      expect(nothing.status).toBe(200);
      expect(await nothing.text()).toBe('');
      const streamed = await fetch(`${host.baseUrl}/stream-body`);
      expect(await streamed.text()).toBe('part1,part2');
    });

    test('a body that grows past 100 MB without a declared length is refused with a JSON 413', async () => {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(`${host.baseUrl}/echo`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        const chunk = Buffer.alloc(1024 * 1024, 0x61);
        for (let i = 0; i < 101; i++) req.write(chunk);
        req.end();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'PayloadTooLarge' } });
    }, 30_000);

    test('a body above 100 MB is refused with a JSON 413 before it is read', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${host.baseUrl}/echo`, { method: 'POST', headers: { 'content-length': String(200 * 1024 * 1024) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write(Buffer.alloc(1024));
      });
      expect(status).toBe(413);
    });
  });

  describe('app lifecycle and outputs', () => {
    test('appStart hooks ran (awaited) before requests were served', async () => {
      const { events } = (await getJson('events')).body as { events: { type: string }[] };
      expect(events[0]).toMatchObject({ type: 'appStart', hasHookData: true });
    });

    test('a storage-queue output binding writes a base64 message (host.json default encoding)', async () => {
      const res = await getJson('enqueue', { method: 'POST', body: JSON.stringify({ orderId: 7 }) });
      expect(res.status).toBe(202);
      const queue = new QueueClient(testStorageConnectionString(), outputQueue);
      const peeked = await queue.peekMessages();
      const text = peeked.peekedMessageItems[0]?.messageText ?? '';
      expect(JSON.parse(Buffer.from(text, 'base64').toString('utf8'))).toEqual({ orderId: 7 });
    });

    test('the host reports what it serves', () => {
      expect(host.httpThread).toBe(httpThread);
      expect(host.functions.find((f) => f.name === 'items-by-id')).toMatchObject({ trigger: 'http', route: 'items/{id:int}', methods: ['GET'], authLevel: 'anonymous' });
      expect(host.entryPoints).toEqual(['index.js', 'functions/http.js', 'functions/queue.js', 'functions/timer.js']);
    });
  });

  describe('connections', () => {
    test("an idle keep-alive connection outlives Node's 5 s default, as on Kestrel, so a late request on it is served", async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const sockets = new Set<unknown>();
      const get = () =>
        new Promise<number>((resolve, reject) => {
          const req = http.get(`${host.baseUrl}/hello?name=ada`, { agent }, (res) => {
            sockets.add(res.socket);
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
        });
      try {
        expect(await get()).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        expect(await get()).toBe(200);
        expect(sockets.size).toBe(1);
      } finally {
        agent.destroy();
      }
    }, 15_000);
  });

  describe('stopping', () => {
    test('a request in flight when the host stops is still answered; the host then no longer accepts connections', async () => {
      const slowHost = await startTestHost({ start, appDir, functions: ['slow-answer'] });
      const answer = fetch(`${slowHost.baseUrl}/slow-answer?ms=400`).then(async (res) => ({ status: res.status, body: (await res.json()) as unknown }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await slowHost.stop();
      expect(await answer).toEqual({ status: 200, body: { waited: true } });
      await expect(fetch(`${slowHost.baseUrl}/slow-answer?ms=0`)).rejects.toThrow();
    });
  });

  describe('start-up faults', () => {
    test('two functions on the same route and method are refused, as the Functions host does', async () => {
      await expect(startTestHost({ start, appDir: path.resolve(__dirname, '../fixtures/devhost/conflict-app') })).rejects.toThrow(
        'Function things-read: the route "things/{id}" conflicts with the route defined by function things-get.',
      );
    });

    test('a port in use is refused with a message that names it', async () => {
      const taken = http.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = (taken.address() as AddressInfo).port;
      try {
        await expect(startTestHost({ start, appDir, functions: ['hello'], port })).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use.`);
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
    });

    test("an entry file that throws is reported with the file and the app's message", async () => {
      await expect(startTestHost({ start, appDir: path.resolve(__dirname, '../fixtures/devhost/broken-app') })).rejects.toThrow(
        'Worker was unable to load entry point "index.js": Setting "Jwt__Key" must be at least 32 bytes',
      );
    });
  });
}
