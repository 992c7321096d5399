// A request's head and body and a whole answer as they pass between the host's front end and the function runner
// (http-host.ts), on one thread or across two (http-front-thread.ts).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** A request's head as the front end received it. */
export interface HostRequestHead {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A whole answer: status, header list (name, value, name, value, …) and body. */
export interface HostResponse {
  readonly status: number;
  readonly headers: string[];
  readonly body: Uint8Array;
}

/** Writes `response` unless the socket already has an answer or is gone; HEAD gets the headers only. */
export function writeHostResponse(method: string, res: ServerResponse, response: HostResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, response.headers);
  res.end(method.toUpperCase() === 'HEAD' ? undefined : response.body);
}

/**
 * Reads a request's body into bytes of their own (an ArrayBuffer not shared with Node's buffer pool, so a thread can
 * transfer it). Resolves undefined as soon as the body passes `maxBytes`; the rest is drained unread.
 */
export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        body.set(chunk, offset);
        offset += chunk.length;
      }
      resolve(body);
    });
    req.on('error', reject);
  });
}
