// The data-plane REST API (api-version 2024-12-01) exactly as `@azure/web-pubsub` 1.2.0 calls it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { issueClientAccessToken, isRestRequestAuthorized } from './access-key-token';
import type { ConnectionRegistry, FanOutScope } from './connection-registry';
import { dataTypeFromContentType } from './message-data';
import type { MessageData } from './message-data';
import { compileFilterParameter, decode, finish, positiveInt, readBody, readMessage, RestError, writeError } from './rest-request';

const CLOSED_BY_REST = 'Closed by REST API.';

/** What the router needs from the emulator. */
export interface RestRouterDeps {
  readonly registry: ConnectionRegistry;
  readonly accessKey: string;
  readonly clockToleranceSeconds: number;
}

interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly hub: string;
  readonly params: Readonly<Record<string, string>>;
}

type RouteHandler = (context: RouteContext, deps: RestRouterDeps) => Promise<number> | number;

const routes: ReadonlyArray<readonly [string, string, RouteHandler]> = [
  ['POST', ':send', (c, d) => sendAfterRead(c, (data) => d.registry.sendToConnections(d.registry.all(c.hub), data, scopeOf(c)))],
  ['POST', ':closeConnections', (c, d) => closeAll(d, d.registry.all(c.hub), c)],
  ['POST', ':addToGroups', (c, d) => updateGroups(c, d, 'add')],
  ['POST', ':removeFromGroups', (c, d) => updateGroups(c, d, 'remove')],
  ['POST', ':generateToken', (c, d) => generateToken(c, d)],
  ['HEAD', 'connections/{connectionId}', (c, d) => (d.registry.get(c.hub, p(c, 'connectionId')) ? 200 : 404)],
  ['DELETE', 'connections/{connectionId}', (c, d) => closeAll(d, optional(d.registry.get(c.hub, p(c, 'connectionId'))), c)],
  ['POST', 'connections/{connectionId}/:send', (c, d) => sendAfterRead(c, (data) => d.registry.sendToConnections(optional(d.registry.get(c.hub, p(c, 'connectionId'))), data))],
  ['DELETE', 'connections/{connectionId}/groups', (c, d) => (d.registry.get(c.hub, p(c, 'connectionId'))?.groups.clear(), 204)],
  ['HEAD', 'groups/{group}', (c, d) => (d.registry.inGroup(c.hub, p(c, 'group')).length > 0 ? 200 : 404)],
  ['POST', 'groups/{group}/:send', (c, d) => sendAfterRead(c, (data) => d.registry.sendToGroup(c.hub, p(c, 'group'), data, scopeOf(c)))],
  ['POST', 'groups/{group}/:closeConnections', (c, d) => closeAll(d, d.registry.inGroup(c.hub, p(c, 'group')), c)],
  ['GET', 'groups/{group}/connections', (c, d) => listGroupConnections(c, d)],
  ['PUT', 'groups/{group}/connections/{connectionId}', (c, d) => addConnectionToGroup(c, d)],
  ['DELETE', 'groups/{group}/connections/{connectionId}', (c, d) => (d.registry.get(c.hub, p(c, 'connectionId'))?.groups.delete(p(c, 'group')), 204)],
  ['PUT', 'permissions/{permission}/connections/{connectionId}', () => notImplemented()],
  ['DELETE', 'permissions/{permission}/connections/{connectionId}', () => notImplemented()],
  ['HEAD', 'permissions/{permission}/connections/{connectionId}', () => notImplemented()],
  ['HEAD', 'users/{userId}', (c, d) => (d.registry.ofUser(c.hub, p(c, 'userId')).length > 0 ? 200 : 404)],
  ['POST', 'users/{userId}/:closeConnections', (c, d) => closeAll(d, d.registry.ofUser(c.hub, p(c, 'userId')), c)],
  ['POST', 'users/{userId}/:send', (c, d) => sendAfterRead(c, (data) => d.registry.sendToConnections(d.registry.ofUser(c.hub, p(c, 'userId')), data, { filter: filterOf(c) }))],
  ['DELETE', 'users/{userId}/groups', (c, d) => (d.registry.removeUserFromAllGroups(c.hub, p(c, 'userId')), 204)],
  ['PUT', 'users/{userId}/groups/{group}', (c, d) => (d.registry.addUserToGroup(c.hub, p(c, 'userId'), p(c, 'group')), 200)],
  ['DELETE', 'users/{userId}/groups/{group}', (c, d) => (d.registry.removeUserFromGroup(c.hub, p(c, 'userId'), p(c, 'group')), 204)],
];

/** Handles one `/api/...` request; anything else answers 404. */
export function createRestRouter(deps: RestRouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(req, res, deps).catch((error: unknown) => {
      const failure = error instanceof RestError ? error : new RestError(500, 'Error.Internal', 'Internal server error.');
      if (!res.headersSent) writeError(res, failure);
      else res.destroy();
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: RestRouterDeps): Promise<void> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  const segments = url.pathname.split('/').filter((segment) => segment.length > 0).map(decode);
  if (segments[0] !== 'api') throw new RestError(404, 'Error.NotFound', 'Not found.');
  if (segments[1] === 'health' && segments.length === 2 && (req.method === 'HEAD' || req.method === 'GET')) {
    return finish(res, 200);
  }
  const [, hubsSegment, rawHub, ...rest] = segments;
  if (hubsSegment !== 'hubs' || !rawHub || !/^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/.test(rawHub)) {
    throw new RestError(404, 'Error.NotFound', 'Not found.');
  }
  const requestUrl = `http://${req.headers.host ?? ''}${req.url ?? ''}`;
  if (!isRestRequestAuthorized(req.headers.authorization, requestUrl, deps.accessKey, deps.clockToleranceSeconds)) {
    req.resume();
    throw new RestError(401, 'Error.Unauthorized', 'The access token is missing, invalid or expired.');
  }
  for (const [method, pattern, handler] of routes) {
    const params = match(pattern, rest);
    if (params && method === req.method) {
      const status = await handler({ req, res, url, hub: rawHub.toLowerCase(), params }, deps);
      return finish(res, status);
    }
  }
  throw new RestError(404, 'Error.NotFound', 'Not found.');
}

function match(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith('{')) params[part.slice(1, -1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

function p(context: RouteContext, name: string): string {
  return context.params[name] ?? '';
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

// The filter is checked before the body is read, and the targets are chosen after it arrived.
async function sendAfterRead(context: RouteContext, deliver: (data: MessageData) => void): Promise<number> {
  filterOf(context);
  deliver(await readMessage(context.req));
  return 202;
}

function closeAll(deps: RestRouterDeps, targets: Parameters<ConnectionRegistry['sendToConnections']>[0], context: RouteContext): number {
  const reason = context.url.searchParams.get('reason') || CLOSED_BY_REST;
  const excluded = new Set(context.url.searchParams.getAll('excluded'));
  for (const connection of targets.filter((target) => !excluded.has(target.connectionId))) deps.registry.close(connection, reason);
  return 204;
}

function addConnectionToGroup(context: RouteContext, deps: RestRouterDeps): number {
  const connection = deps.registry.get(context.hub, p(context, 'connectionId'));
  if (!connection) {
    throw new RestError(404, 'Error.Connection.NotExisted', `Connection \`${p(context, 'connectionId')}\` is not found.`);
  }
  connection.groups.add(p(context, 'group'));
  return 200;
}

async function updateGroups(context: RouteContext, deps: RestRouterDeps, action: 'add' | 'remove'): Promise<number> {
  if (dataTypeFromContentType(context.req.headers['content-type']) !== 'json') {
    throw new RestError(415, 'Error.UnsupportedMediaType', 'The request body must be application/json.');
  }
  let body: unknown;
  try {
    body = JSON.parse((await readBody(context.req)).toString('utf8'));
  } catch {
    throw new RestError(400, 'Error.BadRequest', 'The request body is not valid JSON.');
  }
  const { groups, filter } = (body ?? {}) as { groups?: unknown; filter?: unknown };
  if (!Array.isArray(groups) || groups.length === 0 || !groups.every((g) => typeof g === 'string' && g.trim().length > 0 && g.length <= 1024)) {
    throw new RestError(400, 'Error.BadRequest', "'groups' must be a non-empty list of group names.");
  }
  const predicate = compileFilterParameter(typeof filter === 'string' ? filter : undefined);
  for (const connection of deps.registry.all(context.hub).filter((c) => predicate?.(c) ?? true)) {
    for (const group of groups as string[]) {
      if (action === 'add') connection.groups.add(group);
      else connection.groups.delete(group);
    }
  }
  return 200;
}

function listGroupConnections(context: RouteContext, deps: RestRouterDeps): number {
  const query = context.url.searchParams;
  const maxPageSize = positiveInt(query.get('maxpagesize')) ?? 200;
  const top = positiveInt(query.get('top'));
  if (maxPageSize > 200 || (query.has('top') && top === undefined) || (query.has('maxpagesize') && !positiveInt(query.get('maxpagesize')))) {
    throw new RestError(400, 'Error.BadRequest', "'maxpagesize' and 'top' must be positive integers (maxpagesize at most 200).");
  }
  const after = query.get('continuationToken') ?? '';
  const limit = Math.min(maxPageSize, top ?? Number.MAX_SAFE_INTEGER);
  const members = deps.registry
    .inGroup(context.hub, p(context, 'group'))
    .filter((connection) => connection.connectionId > after)
    .sort((a, b) => (a.connectionId < b.connectionId ? -1 : 1));
  const page = members.slice(0, limit);
  const body: { value: Array<{ connectionId: string; userId?: string }>; nextLink?: string } = {
    value: page.map((c) => ({ connectionId: c.connectionId, ...(c.userId !== null ? { userId: c.userId } : {}) })),
  };
  const last = page[page.length - 1];
  if (members.length > limit && (top === undefined || top > limit) && last) {
    const next = new URL(context.url.pathname, context.url);
    next.searchParams.set('api-version', query.get('api-version') ?? '2024-12-01');
    next.searchParams.set('maxpagesize', String(maxPageSize));
    next.searchParams.set('continuationToken', last.connectionId);
    if (top !== undefined) next.searchParams.set('top', String(top - page.length));
    body.nextLink = next.toString();
  }
  context.res.setHeader('Content-Type', 'application/json');
  context.res.statusCode = 200;
  context.res.end(JSON.stringify(body));
  return 200;
}

function generateToken(context: RouteContext, deps: RestRouterDeps): number {
  const query = context.url.searchParams;
  const clientType = query.get('clientType') ?? 'Default';
  if (clientType.toLowerCase() !== 'default') throw new RestError(400, 'Error.BadRequest', `Client type '${clientType}' is not supported.`);
  const minutes = query.has('minutesToExpire') ? positiveInt(query.get('minutesToExpire')) : 60;
  if (minutes === undefined) throw new RestError(400, 'Error.BadRequest', "'minutesToExpire' must be a positive integer.");
  const audience = `http://${context.req.headers.host ?? ''}/client/hubs/${context.hub}`;
  const token = issueClientAccessToken(deps.accessKey, audience, {
    userId: query.get('userId') ?? undefined,
    roles: query.getAll('role'),
    groups: query.getAll('group'),
    minutesToExpire: minutes,
  });
  context.res.setHeader('Content-Type', 'application/json');
  context.res.statusCode = 200;
  context.res.end(JSON.stringify({ token }));
  return 200;
}

function notImplemented(): never {
  throw new RestError(501, 'Error.NotImplemented', 'Permissions are not supported by the emulator.');
}

function scopeOf(context: RouteContext): FanOutScope {
  return { excluded: new Set(context.url.searchParams.getAll('excluded')), filter: filterOf(context) };
}

function filterOf(context: RouteContext): FanOutScope['filter'] {
  return compileFilterParameter(context.url.searchParams.get('filter') ?? undefined);
}
