// HTTP side of the local host: matches requests to HTTP-triggered functions (route prefix, route templates,
// methods, authLevel), runs them through the programming model, and writes the response — buffered from the RPC
// response, or streamed through the library's HTTP proxy when the app called `app.setup({ enableHttpStream: true })`.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AppRegistry, RegisteredFunction } from './core-api';
import type { RpcBindingInfo, RpcHttpCookie, RpcHttpData, RpcTypedData } from './core-types';
import { DevHostError } from './dev-host-error';
import type { HostLogger } from './host-log';
import { readRequestBody } from '../read-request-body';
import { writeHostResponse, type HostRequestHead, type HostResponse } from './host-response';
import { invokeFunction } from './invoke-function';
import { deliverOutputBindings, outputValue, type OutputBindingContext } from './output-bindings';
import { compareRoutePrecedence, matchRouteTemplate, parseRouteTemplate, type RouteTemplate } from './route-template';
import { typedDataToBuffer } from './rpc-typed-data';

/** Azure front ends reject request bodies above 100 MB (maxAllowedContentLength 104857600). */
export const maxRequestBodyBytes = 104_857_600;

/** One HTTP-triggered function as the router sees it. */
export interface HttpRoute {
  readonly fn: RegisteredFunction;
  readonly triggerBindingName: string;
  readonly route: string;
  readonly template: RouteTemplate;
  /** Upper-case methods; undefined = every method. */
  readonly methods: readonly string[] | undefined;
  readonly authLevel: 'anonymous' | 'function' | 'admin';
}

/** Builds the route of an `httpTrigger` binding; without `route` the function name is the route. */
export function describeHttpRoute(fn: RegisteredFunction, triggerBindingName: string, binding: RpcBindingInfo): HttpRoute {
  const route = typeof binding['route'] === 'string' && binding['route'].trim() !== '' ? binding['route'] : fn.name;
  const methods = Array.isArray(binding['methods']) && binding['methods'].length > 0 ? binding['methods'].map((m) => String(m).toUpperCase()) : undefined;
  const level = String(binding['authLevel'] ?? 'function').toLowerCase();
  if (level !== 'anonymous' && level !== 'function' && level !== 'admin') {
    throw new DevHostError(`Function ${fn.name}: authLevel "${String(binding['authLevel'])}" is not anonymous, function or admin.`);
  }
  return { fn, triggerBindingName, route, template: parseRouteTemplate(route), methods, authLevel: level };
}

/**
 * Throws `DevHostError` when two functions share a route template (ignoring case) with overlapping methods; the
 * Functions host refuses to load the second one ("The route specified conflicts with the route defined by …").
 */
export function assertNoRouteConflicts(routes: readonly HttpRoute[]): void {
  routes.forEach((route, index) => {
    for (const earlier of routes.slice(0, index)) {
      if (earlier.template.template.replace(/^\/+|\/+$/g, '').toLowerCase() !== route.template.template.replace(/^\/+|\/+$/g, '').toLowerCase()) continue;
      const overlap = !earlier.methods || !route.methods || earlier.methods.some((m) => route.methods?.includes(m));
      if (overlap) {
        throw new DevHostError(`Function ${route.fn.name}: the route "${route.route}" conflicts with the route defined by function ${earlier.fn.name}.`);
      }
    }
  });
}

/** Sorts routes the way the host's router tries them. */
export function sortHttpRoutes(routes: readonly HttpRoute[]): HttpRoute[] {
  return [...routes].sort((a, b) => compareRoutePrecedence(a.template, b.template));
}

/** What the request handler needs. */
export interface HttpHostOptions {
  readonly registry: AppRegistry;
  readonly routes: readonly HttpRoute[];
  readonly routePrefix: string;
  readonly hostKey: string;
  readonly outputs: OutputBindingContext;
  readonly log: HostLogger;
  /** The library's proxy address (`HttpUri` capability) when HTTP streaming is on. */
  readonly streamUri: string | undefined;
}

/** The request listener plus what a graceful stop needs. */
export interface HttpHost {
  /** Serves a request on this thread, its body read from the socket (and streamed to the app when it asked for that). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Answers a request whose body a front end already read (`undefined`: over {@link maxRequestBodyBytes}, not read).
   * Used by the HTTP front-end thread; buffered functions only.
   */
  answer(head: HostRequestHead, body: Buffer | undefined): Promise<HostResponse>;
  /** Resolves when every request being handled has finished. */
  drain(): Promise<void>;
  close(): void;
}

function jsonResponse(status: number, payload: unknown, headers: Record<string, string> = {}): HostResponse {
  const body = Buffer.from(JSON.stringify(payload));
  const list = ['content-type', 'application/json; charset=utf-8', 'content-length', String(body.length)];
  for (const [name, value] of Object.entries(headers)) list.push(name, value);
  return { status, headers: list, body };
}

function errorResponse(status: number, code: string, message: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}): HostResponse {
  return jsonResponse(status, { error: { code, message, ...extra } }, headers);
}

const tooLargeResponse = (): HostResponse =>
  errorResponse(413, 'PayloadTooLarge', `Request bodies are limited to ${maxRequestBodyBytes} bytes.`, {}, { connection: 'close' });

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** .NET Uri.EscapeDataString, which ASP.NET applies to cookie values it writes. */
function escapeDataString(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Set-Cookie text for an RPC cookie, in the shape ASP.NET's SetCookieHeaderValue writes it. */
export function serializeRpcCookie(cookie: RpcHttpCookie): string {
  let text = `${cookie.name ?? ''}=${escapeDataString(cookie.value ?? '')}`;
  const expires = cookie.expires?.value;
  if (expires?.seconds != null) text += `; expires=${new Date(expires.seconds * 1000 + Math.floor((expires.nanos ?? 0) / 1e6)).toUTCString()}`;
  if (cookie.maxAge?.value != null) text += `; max-age=${Math.trunc(cookie.maxAge.value)}`;
  if (cookie.domain?.value) text += `; domain=${cookie.domain.value}`;
  if (cookie.path?.value) text += `; path=${cookie.path.value}`;
  if (cookie.secure?.value) text += '; secure';
  const sameSite = { lax: 'lax', strict: 'strict', explicitNone: 'none', none: undefined }[cookie.sameSite ?? 'none'];
  if (sameSite) text += `; samesite=${sameSite}`;
  if (cookie.httpOnly?.value) text += '; httponly';
  return text;
}

const noBodyStatuses = new Set([204, 304]);
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/** The answer of a buffered RPC HTTP response (`returnValue.http`); no value means 200 with no body, as the host does. */
function rpcHttpResponse(data: RpcTypedData | null | undefined): HostResponse {
  const rpc: RpcHttpData | undefined = data?.http ?? undefined;
  const status = rpc?.statusCode ? Number(rpc.statusCode) || 200 : 200;
  const headers: string[] = [];
  for (const [name, value] of Object.entries(rpc?.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || hopByHop.has(lower)) continue;
    headers.push(name, value);
  }
  for (const cookie of rpc?.cookies ?? []) headers.push('set-cookie', serializeRpcCookie(cookie));
  const body = noBodyStatuses.has(status) ? Buffer.alloc(0) : (typedDataToBuffer(rpc?.body) ?? Buffer.alloc(0));
  if (!noBodyStatuses.has(status)) headers.push('content-length', String(body.length));
  return { status, headers, body };
}

/** What to do with a request once its head is known: answer at once, or invoke a function. */
type RequestPlan =
  | { readonly kind: 'answer'; readonly response: HostResponse }
  | { readonly kind: 'invoke'; readonly route: HttpRoute; readonly rpcHttp: RpcHttpData; readonly invocationId: string };

/** Creates the request handler for `options.routes` under `/<routePrefix>`. */
export function createHttpHost(options: HttpHostOptions): HttpHost {
  const { registry, routes, log } = options;
  const prefix = options.routePrefix === '' ? '' : `/${options.routePrefix}`.toLowerCase();
  const hostKeyDigest = digest(options.hostKey);
  const inFlight = new Set<Promise<unknown>>();
  const proxyAgent = options.streamUri ? new http.Agent({ keepAlive: true }) : undefined;

  const track = <T>(work: Promise<T>): Promise<T> => {
    const settled: Promise<unknown> = work.then(
      () => inFlight.delete(settled),
      () => inFlight.delete(settled),
    );
    inFlight.add(settled);
    return work;
  };

  const find = (method: string, path: string) => {
    const allowed = new Set<string>();
    for (const route of routes) {
      const params = matchRouteTemplate(route.template, path);
      if (!params) continue;
      if (!route.methods || route.methods.includes(method)) return { route, params, allowed };
      for (const m of route.methods) allowed.add(m);
    }
    return { route: undefined, params: undefined, allowed };
  };

  // Core Tools skips key checks locally. This host enforces them (with a key it prints at start) so that a route
  // registered with the wrong authLevel fails here, not first in Azure. One key serves both levels: Azure would
  // accept only the master key for `admin`.
  const authorized = (route: HttpRoute, headers: IncomingHttpHeaders, url: URL): boolean => {
    if (route.authLevel === 'anonymous') return true;
    const header = headers['x-functions-key'];
    const key = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? '';
    return timingSafeEqual(digest(key), hostKeyDigest);
  };

  const failed = (fn: RegisteredFunction, invocationId: string, started: number, err: unknown): HostResponse => {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log({ level: 'error', category: 'system', functionName: fn.name, invocationId, message: `Executed (Failed, Id=${invocationId}, Duration=${Date.now() - started}ms)\n${detail}` });
    return errorResponse(500, 'InternalError', 'The function failed. Look for this id in the host log.', { id: invocationId });
  };

  const hostFailed = (head: HostRequestHead, err: unknown): HostResponse => {
    const id = randomUUID();
    log({ level: 'error', category: 'system', message: `Request ${head.method} ${head.url} failed (Id=${id})\n${err instanceof Error ? err.stack : String(err)}` });
    return errorResponse(500, 'InternalError', 'The host failed to handle the request. Look for this id in the host log.', { id });
  };

  /** Route, method, key and declared size: everything decided before the body is read. */
  const plan = (head: HostRequestHead): RequestPlan => {
    const url = new URL(head.url, `http://${head.headers.host ?? 'localhost'}`);
    const method = head.method.toUpperCase();
    const path = url.pathname;
    const lowerPath = path.toLowerCase();
    const underPrefix = prefix === '' || lowerPath === prefix || lowerPath.startsWith(`${prefix}/`);
    const { route, params, allowed } = underPrefix ? find(method, path.slice(prefix.length)) : { route: undefined, params: undefined, allowed: new Set<string>() };
    if (!route || !params) {
      const response =
        allowed.size > 0
          ? errorResponse(405, 'MethodNotAllowed', `${method} is not allowed on ${path}.`, {}, { allow: [...allowed].join(', ') })
          : errorResponse(404, 'RouteNotFound', `No function is registered for ${method} ${path}.`);
      return { kind: 'answer', response };
    }
    if (!authorized(route, head.headers, url)) {
      return {
        kind: 'answer',
        response: errorResponse(401, 'Unauthorized', `${route.fn.name} has authLevel "${route.authLevel}": send the host key in the x-functions-key header or the code query parameter.`),
      };
    }
    const declared = Number(head.headers['content-length'] ?? 0);
    if (declared > maxRequestBodyBytes) return { kind: 'answer', response: tooLargeResponse() };
    return { kind: 'invoke', route, rpcHttp: { method, url: url.href, headers: flatHeaders(head.headers), params }, invocationId: randomUUID() };
  };

  const invokeBuffered = async (head: HostRequestHead, route: HttpRoute, rpcHttp: RpcHttpData, invocationId: string, body: Buffer): Promise<HostResponse> => {
    if (body.length > 0) rpcHttp.body = { bytes: body };
    const started = Date.now();
    try {
      const outcome = await invokeFunction(registry, route.fn, {
        inputData: [{ name: route.triggerBindingName, data: { http: rpcHttp } }],
        triggerMetadata: {},
      }, invocationId);
      await deliverOutputBindings(options.outputs, route.fn, outcome.response);
      const httpOutput = Object.entries(route.fn.metadata.bindings).find(([, b]) => b.direction === 'out' && String(b.type).toLowerCase() === 'http');
      const response = rpcHttpResponse(httpOutput ? outputValue(outcome.response, httpOutput[0]) : undefined);
      log({ level: 'information', category: 'system', functionName: route.fn.name, invocationId, message: `Executed ${head.method} ${head.url} → ${response.status} (Id=${invocationId}, Duration=${Date.now() - started}ms)` });
      return response;
    } catch (err) {
      return failed(route.fn, invocationId, started, err);
    }
  };

  const streamed = async (req: IncomingMessage, res: ServerResponse, route: HttpRoute, rpcHttp: RpcHttpData, invocationId: string, streamUri: string) => {
    const headers = flatHeaders(req.headers);
    const forward: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) if (!hopByHop.has(name)) forward[name] = value;
    const proxyReq = http.request(new URL(req.url ?? '/', streamUri), {
      method: req.method,
      agent: proxyAgent,
      headers: { ...forward, 'x-ms-invocation-id': invocationId, 'x-forwarded-host': headers['host'] ?? 'localhost', 'x-forwarded-proto': 'http' },
    });
    let responded = false;
    const finished = new Promise<void>((resolve) => {
      res.on('close', resolve);
      res.on('finish', resolve);
    });
    proxyReq.on('response', (proxyRes) => {
      if (res.headersSent || res.destroyed) {
        proxyRes.resume();
        return;
      }
      responded = true;
      const raw: string[] = [];
      for (let i = 0; i + 1 < proxyRes.rawHeaders.length; i += 2) {
        const name = proxyRes.rawHeaders[i] ?? '';
        const lower = name.toLowerCase();
        if (lower === 'x-ms-invocation-id' || hopByHop.has(lower)) continue;
        raw.push(name, proxyRes.rawHeaders[i + 1] ?? '');
      }
      res.writeHead(proxyRes.statusCode ?? 200, raw);
      proxyRes.pipe(res);
      proxyRes.on('error', () => res.destroy());
    });
    proxyReq.on('error', (err) => {
      if (!responded && !res.headersSent && !res.destroyed && !proxyReq.destroyed) {
        log({ level: 'error', category: 'system', functionName: route.fn.name, invocationId, message: `HTTP stream proxy failed: ${err.message}` });
        writeHostResponse(req.method ?? 'GET', res, errorResponse(502, 'StreamProxyFailed', 'The app did not accept the streamed request.', { id: invocationId }));
      }
    });
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBodyBytes && !tooLarge) {
        tooLarge = true;
        req.unpipe(proxyReq);
        proxyReq.destroy();
        writeHostResponse(req.method ?? 'GET', res, tooLargeResponse());
      }
    });
    req.pipe(proxyReq);
    proxyReq.flushHeaders();

    const triggerMetadata: Record<string, RpcTypedData> = { Headers: { json: JSON.stringify(headers) }, Query: { json: '{}' } };
    for (const [name, value] of Object.entries(rpcHttp.params ?? {})) triggerMetadata[name] = { string: value };
    const started = Date.now();
    try {
      const outcome = await invokeFunction(registry, route.fn, {
        inputData: [{ name: route.triggerBindingName, data: { http: rpcHttp } }],
        triggerMetadata,
      }, invocationId);
      await deliverOutputBindings(options.outputs, route.fn, outcome.response);
      if (outcome.result === null || outcome.result === undefined) {
        if (!responded) {
          proxyReq.destroy();
          writeHostResponse(req.method ?? 'GET', res, rpcHttpResponse(undefined));
        }
      }
      await finished;
      log({ level: 'information', category: 'system', functionName: route.fn.name, invocationId, message: `Executed ${req.method} ${req.url} → ${res.statusCode} (streamed, Id=${invocationId}, Duration=${Date.now() - started}ms)` });
    } catch (err) {
      if (tooLarge) return;
      proxyReq.destroy();
      if (responded) {
        log({ level: 'error', category: 'system', functionName: route.fn.name, invocationId, message: `Failed after the response started (Id=${invocationId}): ${String(err)}` });
        res.destroy();
      } else {
        writeHostResponse(req.method ?? 'GET', res, failed(route.fn, invocationId, started, err));
      }
    }
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, head: HostRequestHead) => {
    const planned = plan(head);
    if (planned.kind === 'answer') {
      req.resume();
      writeHostResponse(head.method, res, planned.response);
      return;
    }
    const { route, rpcHttp, invocationId } = planned;
    if (options.streamUri) {
      await streamed(req, res, route, rpcHttp, invocationId, options.streamUri);
      return;
    }
    const body = await readRequestBody(req, maxRequestBodyBytes);
    writeHostResponse(head.method, res, body ? await invokeBuffered(head, route, rpcHttp, invocationId, Buffer.from(body.buffer)) : tooLargeResponse());
  };

  const answer = async (head: HostRequestHead, body: Buffer | undefined): Promise<HostResponse> => {
    try {
      const planned = plan(head);
      if (planned.kind === 'answer') return planned.response;
      if (body === undefined) return tooLargeResponse();
      return await invokeBuffered(head, planned.route, planned.rpcHttp, planned.invocationId, body);
    } catch (err) {
      return hostFailed(head, err);
    }
  };

  return {
    handle(req, res) {
      const head: HostRequestHead = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
      void track(serve(req, res, head).catch((err: unknown) => writeHostResponse(head.method, res, hostFailed(head, err))));
    },
    answer: (head, body) => track(answer(head, body)),
    async drain() {
      await Promise.allSettled([...inFlight]);
    },
    close() {
      proxyAgent?.destroy();
    },
  };
}
