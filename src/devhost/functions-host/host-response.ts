// A request's head and a whole answer as they pass between the host's front end and the function runner
// (http-host.ts), on one thread or across two (http-front-thread.ts).
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

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
