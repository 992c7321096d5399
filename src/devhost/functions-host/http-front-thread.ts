// The local host's HTTP front end on a thread of its own: sockets, HTTP parsing, bodies and writing answers.
//
// In Azure the Functions host (another process) owns the sockets and hands the Node worker whole requests; here the
// app's thread would otherwise also parse every request and write every answer (HTTP parsing, socket reads and
// writes, the kernel's TCP work). This thread reads a request and its body, the app's thread decides and answers
// (routes, keys, functions: http-host.ts), and this thread writes the answer. Measured in bench:webhook: closed-loop
// capacity rose from about 1,240 to 1,550 webhooks/s; the app thread's CPU per webhook at 1,000/s did not fall.
// Functions that stream (enableHttpStream) are served on the app's thread instead.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { canLoadInWorker } from '../../shared/worker-module';
import { closeServer } from './close-server';
import { readRequestBody } from '../read-request-body';
import { writeHostResponse, type HostRequestHead, type HostResponse } from './host-response';

/** True when the front end can run on its own thread (see canLoadInWorker). */
export const canServeOnThread = canLoadInWorker(__filename);

interface FrontEndData {
  readonly httpFrontEnd: true;
  readonly port: number;
  readonly hostname: string;
  readonly keepAliveTimeoutMs: number;
  readonly maxBodyBytes: number;
}

/** From the front end to the app's thread. `body` is null when the request was over the limit and not read. */
type FrontEndMessage =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'listen-failed'; readonly code: string | undefined; readonly message: string }
  | { readonly type: 'request'; readonly id: number; readonly method: string; readonly url: string; readonly headers: IncomingHttpHeaders; readonly body: Uint8Array | null }
  | { readonly type: 'closed' };

/** From the app's thread to the front end. */
type AppMessage =
  | { readonly type: 'response'; readonly id: number; readonly status: number; readonly headers: string[]; readonly body: Uint8Array }
  | { readonly type: 'close' };

/** A front end that listens. */
export interface HttpFrontEnd {
  readonly port: number;
  /** Stops accepting connections and resolves once every connection has ended (answers in flight are still written). */
  close(): Promise<void>;
}

/** Bytes in an ArrayBuffer of their own, so they can be transferred instead of copied with the pool they came from. */
function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/**
 * Starts the front end on `hostname:port` (0: any free port). Each request read is given to `answer` on this
 * thread; what it resolves with is written back. Rejects with the socket's error (its `code`: EADDRINUSE, EACCES, …)
 * when the port cannot be used.
 */
export async function startHttpFrontEnd(
  options: Omit<FrontEndData, 'httpFrontEnd'>,
  answer: (head: HostRequestHead, body: Buffer | undefined) => Promise<HostResponse>,
): Promise<HttpFrontEnd> {
  if (!canServeOnThread) throw new Error('The HTTP front-end thread runs from compiled JavaScript only.');
  const worker = new Worker(__filename, { workerData: { ...options, httpFrontEnd: true } satisfies FrontEndData });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let closed: (() => void) | undefined;
  const listening = new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    void exited.then(() => reject(new Error('the HTTP front-end thread exited before it listened')));
    worker.on('message', (message: FrontEndMessage) => {
      switch (message.type) {
        case 'listening':
          resolve(message.port);
          return;
        case 'listen-failed':
          reject(Object.assign(new Error(message.message), { code: message.code }));
          return;
        case 'closed':
          closed?.();
          return;
        case 'request': {
          const body = message.body === null ? undefined : Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength);
          // `answer` resolves with an error answer for anything that fails; a rejection here means the thread is gone.
          answer({ method: message.method, url: message.url, headers: message.headers }, body)
            .then((response) => {
              const bytes = ownBytes(response.body);
              worker.postMessage({ type: 'response', id: message.id, status: response.status, headers: response.headers, body: bytes } satisfies AppMessage, [bytes.buffer]);
            })
            .catch((error: unknown) => console.error('The HTTP front-end thread could not be given an answer:', error));
          return;
        }
      }
    });
  });
  let port: number;
  try {
    port = await listening;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  worker.removeAllListeners('error');
  worker.on('error', (error) => console.error('The HTTP front-end thread failed; requests are no longer served:', error));
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= (async () => {
        const ended = new Promise<void>((resolve) => (closed = resolve));
        worker.postMessage({ type: 'close' } satisfies AppMessage);
        await Promise.race([ended, exited]);
        await worker.terminate();
      })();
      return closing;
    },
  };
}

function serveOnThisThread(port: MessagePort, data: FrontEndData): void {
  const waiting = new Map<number, { readonly method: string; readonly res: ServerResponse }>();
  let nextId = 0;
  const post = (message: FrontEndMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

  const forward = (req: IncomingMessage, res: ServerResponse, body: Uint8Array<ArrayBuffer> | null) => {
    const id = nextId++;
    waiting.set(id, { method: req.method ?? 'GET', res });
    post({ type: 'request', id, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, body ? [body.buffer] : []);
  };

  const server = http.createServer((req, res) => {
    // Over the limit as declared: not read (the app's thread answers 413, or 404/401 first, as it would on its own).
    if (Number(req.headers['content-length'] ?? 0) > data.maxBodyBytes) {
      req.resume();
      forward(req, res, null);
      return;
    }
    // Past the limit the request is answered at once (413, closing the connection) and the rest is drained unread.
    readRequestBody(req, data.maxBodyBytes).then(
      (body) => forward(req, res, body ?? null),
      // A client that goes away mid-body gets no answer; nothing reached the app.
      () => res.destroy(),
    );
  });
  server.keepAliveTimeout = data.keepAliveTimeoutMs;

  port.on('message', (message: AppMessage) => {
    if (message.type === 'response') {
      const request = waiting.get(message.id);
      waiting.delete(message.id);
      if (request) writeHostResponse(request.method, request.res, message);
      return;
    }
    void closeServer(server).then(() => post({ type: 'closed' }));
  });

  server.once('error', (error: NodeJS.ErrnoException) => post({ type: 'listen-failed', code: error.code, message: error.message }));
  server.listen(data.port, data.hostname, () => post({ type: 'listening', port: (server.address() as AddressInfo).port }));
}

if (!isMainThread && parentPort && (workerData as Partial<FrontEndData> | undefined)?.httpFrontEnd === true) {
  serveOnThisThread(parentPort, workerData as FrontEndData);
}
