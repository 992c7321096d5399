// One outbound HTTP request with a timeout and an abort signal, for the upstream event handler calls.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

/** The parts of an upstream response the emulator acts on. */
export interface HttpCallResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Sends one request without keep-alive (so a handler server can close promptly); rejects on network errors or timeout. */
export function httpCall(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: Buffer; timeoutMs: number; signal: AbortSignal },
): Promise<HttpCallResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const headers = { ...options.headers, ...(options.body ? { 'Content-Length': String(options.body.length) } : {}) };
    const request = transport.request(target, { method: options.method, headers, agent: false, signal: options.signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.setTimeout(options.timeoutMs, () => request.destroy(new Error(`The event handler did not answer within ${options.timeoutMs} ms.`)));
    request.on('error', reject);
    request.end(options.body);
  });
}
