// Reading a request body up to a limit, for the local servers (Functions host front ends, Web PubSub emulator).
import type { IncomingMessage } from 'node:http';

/**
 * Reads a request's body into bytes of their own (an ArrayBuffer not shared with Node's buffer pool, so a thread can
 * transfer it). Resolves undefined as soon as the body passes `maxBytes`; the rest is drained unread.
 */
export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Nothing read so far is kept, and 'end' (after the drain) builds no body.
        tooLarge = true;
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return;
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
