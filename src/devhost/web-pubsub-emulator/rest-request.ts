// Request and response plumbing of the REST API: bodies, message payloads, filters and the service's error shape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody } from '../read-request-body';
import { dataTypeFromContentType, isWellFormedJson } from './message-data';
import type { MessageData } from './message-data';
import { compileFilter, FilterError } from './odata-filter';
import type { FilterTarget } from './odata-filter';

const MAX_BODY_BYTES = 1024 * 1024;

/** A refusal with the service's error body (`{code, message}` plus `x-ms-error-code`). */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Compiles an OData filter, answering 400 for one the service would reject. */
export function compileFilterParameter(filter: string | undefined): ((target: FilterTarget) => boolean) | undefined {
  if (!filter) return undefined;
  try {
    return compileFilter(filter);
  } catch (error) {
    if (error instanceof FilterError) throw new RestError(400, 'Error.InvalidFilter', `Invalid filter '${filter}': ${error.message}`);
    throw error;
  }
}

/** Reads a send body and maps its Content-Type to a data type (415 for others, 400 for malformed JSON). */
export async function readMessage(req: IncomingMessage): Promise<MessageData> {
  const dataType = dataTypeFromContentType(req.headers['content-type']);
  if (!dataType) throw new RestError(415, 'Error.UnsupportedMediaType', 'Use application/json, text/plain or application/octet-stream.');
  const bytes = await readBody(req);
  if (dataType === 'json' && !isWellFormedJson(bytes)) throw new RestError(400, 'Error.BadRequest', 'The request body is not a valid JSON.');
  return { dataType, bytes };
}

/** Reads a request body of at most 1 MB (413 beyond). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const bytes = await readRequestBody(req, MAX_BODY_BYTES);
  if (!bytes) throw new RestError(413, 'Error.PayloadTooLarge', 'The message is larger than 1 MB.');
  return Buffer.from(bytes.buffer);
}

/** A positive integer query value, or undefined. */
export function positiveInt(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number > 0 ? number : undefined;
}

/** Decodes a path segment (as sent, e.g. a user id with `%2F`). */
export function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Ends a response with a bare status unless a handler already wrote one. */
export function finish(res: ServerResponse, status: number): void {
  if (res.writableEnded) return;
  res.statusCode = status;
  res.end();
}

/** Writes the service's error response. */
export function writeError(res: ServerResponse, error: RestError): void {
  res.statusCode = error.status;
  res.setHeader('x-ms-error-code', error.code);
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ code: error.code, message: error.message }));
}
