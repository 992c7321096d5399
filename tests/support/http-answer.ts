// Calls the app over real HTTP and keeps what the tests look at: status, headers, raw text, parsed JSON, time taken.

/** One HTTP answer; `json` is undefined when the body is empty or not JSON. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
  readonly ms: number;
}

/** `fetch`, then the whole body read and (leniently) parsed. */
export async function fetchAnswer(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json, ms };
}

/** Options of a call: a bearer token, a body (objects are sent as JSON), the caller's address (x-forwarded-for). */
export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly ip?: string;
  readonly headers?: Record<string, string>;
}

/** `call('POST', 'auth/login', { body })` against `${baseUrl}/auth/login`. */
export type HttpCall = (method: string, route: string, options?: CallOptions) => Promise<HttpAnswer>;

/** A caller for one app; `defaultIp`, when given, is the x-forwarded-for of calls that name no `ip`. */
export function httpCaller(baseUrl: string, defaultIp?: string): HttpCall {
  return (method, route, options = {}) => {
    const ip = options.ip ?? defaultIp;
    const headers: Record<string, string> = { ...(ip === undefined ? {} : { 'x-forwarded-for': ip }), ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    return fetchAnswer(`${baseUrl}/${route}`, { method, headers, body });
  };
}
