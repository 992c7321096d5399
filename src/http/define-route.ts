// One wrapper for every HTTP route: body limits, zod validation, authentication, role guard and error mapping.
import { app, type HttpRequest, type InvocationContext, type HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Actor, RequestOrigin, Role } from '../auth/actor';
import { getServices, type Services } from '../services';
import { AppError, type Language } from '../shared/app-error';
import { invalidInput } from '../shared/invalid-input';
import { bindCaseInsensitive } from './bind-case-insensitive';
import { authenticateRequest, recordForbidden } from './authenticate';
import { clientOrigin } from './client-origin';
import { errorResponse, internalErrorResponse, languageOf, toHttpResponse, type RouteResult } from './respond';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Access = 'anonymous' | 'operator' | Role;

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

interface RouteInput<P, Q, B, A extends Access> {
  services: Services;
  actor: A extends 'anonymous' ? undefined : Actor;
  params: P;
  query: Q;
  body: B;
  rawBody: Buffer;
  request: HttpRequest;
  context: InvocationContext;
  origin: RequestOrigin;
  language: Language;
}

export interface RouteDefinition<P, Q, B, A extends Access> {
  name: string;
  method: Method;
  route: string;
  access: A;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Bodies above this are refused with 413 before they are parsed. */
  maxBodyBytes?: number;
  handle(input: RouteInput<P, Q, B, A>): Promise<RouteResult>;
}

/** Registers an HTTP function whose handler runs the route through the shared checks. */
export function defineRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined, A extends Access = Access>(
  definition: RouteDefinition<P, Q, B, A>,
): void {
  app.http(definition.name, {
    methods: [definition.method],
    route: definition.route,
    authLevel: 'anonymous',
    handler: (request, context) => runRoute(definition, request, context),
  });
}

/** Exposed for tests that drive a route without the host; production goes through `defineRoute`. */
export async function runRoute<P, Q, B, A extends Access>(
  definition: RouteDefinition<P, Q, B, A>,
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const language = languageOf(request.headers.get('accept-language'));
  let services: Services | undefined;
  let origin: RequestOrigin = { ip: undefined, userAgent: undefined };
  let actor: Actor | undefined;
  try {
    services = await getServices();
    origin = clientOrigin(request, services.config.security.trustForwardedFor);
    const rawBody = await readBody(request, definition.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    if (definition.access !== 'anonymous') {
      actor = await authenticateRequest(services, request);
      if (definition.access !== 'operator' && actor.role !== definition.access) {
        throw new AppError('Forbidden');
      }
    }
    const params = parsePart('params', definition.params, { ...request.params });
    const query = parsePart('query', definition.query, Object.fromEntries(request.query.entries()));
    const body = definition.body ? parsePart('body', definition.body, parseJson(rawBody, request)) : (undefined as B);
    const result = await definition.handle({
      services,
      actor: actor as RouteInput<P, Q, B, A>['actor'],
      params,
      query,
      body,
      rawBody,
      request,
      context,
      origin,
      language,
    });
    return toHttpResponse(result);
  } catch (error) {
    if (error instanceof AppError) {
      if (error.code === 'Forbidden' && services && actor) {
        await recordForbidden(services, actor, origin, `${definition.method} ${definition.route}`).catch((auditError: unknown) =>
          context.error('could not audit a 403', auditError),
        );
      }
      return errorResponse(error, language);
    }
    const errorId = randomUUID();
    context.error(`unhandled error ${errorId} in ${definition.name}`, error);
    return internalErrorResponse(errorId, language);
  }
}

async function readBody(request: HttpRequest, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new AppError('PayloadTooLarge', undefined, { maxBytes });
  if (!request.body) return Buffer.alloc(0);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > maxBytes) throw new AppError('PayloadTooLarge', undefined, { maxBytes });
  return bytes;
}

function parseJson(raw: Buffer, request: HttpRequest): unknown {
  if (raw.length === 0) return {};
  const type = request.headers.get('content-type') ?? 'application/json';
  if (!/^application\/(.+\+)?json\b/i.test(type)) throw new AppError('UnsupportedMediaType');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('InvalidRequest', { tr: 'Gövde geçerli bir JSON değil.', en: 'The body is not valid JSON.' }, { fields: { body: 'malformed JSON' } });
  }
}

function parsePart<T>(part: 'params' | 'query' | 'body', schema: z.ZodType<T> | undefined, input: unknown): T {
  if (!schema) return input as T;
  const bound = part === 'body' ? bindCaseInsensitive(schema, input) : input;
  const parsed = schema.safeParse(bound);
  if (parsed.success) return parsed.data;
  throw invalidInput(part, parsed.error);
}
