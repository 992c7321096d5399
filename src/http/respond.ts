// Response shapes: JSON bodies in camelCase and the one error envelope `{ error: { code, message } }`.
import type { HttpResponseInit } from '@azure/functions';
import type { AppError} from '../shared/app-error';
import { defaultMessage, type ErrorCode, type Language } from '../shared/app-error';

/** What a route handler returns: a status and a JSON body, or a raw body with its own headers. */
export type RouteResult =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { status: number; raw: NonNullable<HttpResponseInit['body']>; headers: Record<string, string> };

export const ok = (body: unknown, headers?: Record<string, string>): RouteResult => ({ status: 200, body, headers });
export const created = (body: unknown): RouteResult => ({ status: 201, body });
export const accepted = (body: unknown): RouteResult => ({ status: 202, body });
export const noContent = (): RouteResult => ({ status: 204 });

const jsonHeaders = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function toHttpResponse(result: RouteResult): HttpResponseInit {
  if ('raw' in result) return { status: result.status, body: result.raw, headers: result.headers };
  if (result.body === undefined) return { status: result.status, headers: { 'cache-control': 'no-store', ...result.headers } };
  return { status: result.status, body: JSON.stringify(result.body), headers: { ...jsonHeaders, ...result.headers } };
}

export function errorResponse(error: AppError, language: Language): HttpResponseInit {
  const { fields, retryAfterSeconds, ...details } = error.extra ?? {};
  const headers: Record<string, string> = { ...jsonHeaders };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  const body = { error: { code: error.code, message: error.messageIn(language), ...(fields ? { fields } : {}), ...details } };
  return { status: error.status, headers, body: JSON.stringify(body) };
}

export function internalErrorResponse(errorId: string, language: Language): HttpResponseInit {
  const code: ErrorCode = 'InternalError';
  return {
    status: 500,
    headers: jsonHeaders,
    body: JSON.stringify({ error: { code, message: defaultMessage(code, language), id: errorId } }),
  };
}

/** `Accept-Language: en…` answers in English; everything else in Turkish, the product's language. */
export function languageOf(acceptLanguage: string | null): Language {
  const first = acceptLanguage?.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'tr';
}
