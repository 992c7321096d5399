// Validates a send body the way Graph does and turns the first problem into Meta's error envelope.
import type { z } from 'zod';
import { graphError, parameterRequired, type GraphErrorResponse } from './graph-errors';
import { isRecord } from './http-io';
import {
  MessageEnvelopeSchema,
  StatusUpdateSchema,
  sendableTypes,
  typeObjectSchemas,
  type MessageEnvelope,
  type SendableType,
  type StatusUpdate,
} from './message-request.schemas';

/** The outcome of validating one body. */
export type ValidatedMessageRequest =
  | { kind: 'status-update'; body: StatusUpdate }
  | { kind: 'message'; envelope: MessageEnvelope; type: SendableType; typeObject: unknown; body: Record<string, unknown> }
  | { kind: 'invalid'; error: GraphErrorResponse };

/** Meta writes nested parameter paths as `interactive['action']['buttons'][0]`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `['${String(key)}']`))
    .join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isRecord(current)) current = current[String(key)];
    else return undefined;
  }
  return current;
}

function describeIssue(issue: z.core.$ZodIssue, name: string): string {
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'array'
        ? `Param ${name} must have at most ${String(issue.maximum)} elements.`
        : `Param ${name} must be at most ${String(issue.maximum)} characters long.`;
    case 'too_small':
      return issue.origin === 'array'
        ? `Param ${name} must have at least ${String(issue.minimum)} element(s).`
        : `Param ${name} must be at least ${String(issue.minimum)} characters long.`;
    case 'invalid_type':
      return `Param ${name} must be a ${issue.expected}.`;
    case 'invalid_value':
      return `Param ${name} must be one of {${issue.values.map(String).join(', ')}}.`;
    case 'invalid_union':
      return `Param ${name} is not valid.`;
    default:
      return `Param ${name} ${issue.message}.`;
  }
}

/**
 * Top-level problems come back as Graph's generic (#100) parameter errors; problems inside the typed object
 * as WhatsApp's 131008 (missing) or 131009 (invalid), with the parameter named in `error_data.details`.
 */
function issueToError(error: z.ZodError, input: unknown, prefix: readonly PropertyKey[]): GraphErrorResponse {
  const issue = error.issues[0];
  if (issue === undefined) return graphError(131009);
  const fullPath = [...prefix, ...issue.path];
  const name = formatPath(fullPath);
  const missing = issue.code !== 'custom' && valueAt(input, issue.path) === undefined;
  if (prefix.length === 0 && fullPath.length <= 1) {
    if (missing) return parameterRequired(name);
    return graphError(100, { message: `(#100) ${describeIssue(issue, name)}` });
  }
  if (missing) return graphError(131008, { details: `The parameter ${name} is required.` });
  return graphError(131009, { details: describeIssue(issue, name) });
}

/** Validates one POST /messages body: mark-as-read (with or without typing indicator) or a message of any type. */
export function validateMessageRequest(body: unknown): ValidatedMessageRequest {
  if (!isRecord(body)) return { kind: 'invalid', error: parameterRequired('messaging_product') };
  if (body.status !== undefined) {
    const parsed = StatusUpdateSchema.safeParse(body);
    return parsed.success ? { kind: 'status-update', body: parsed.data } : { kind: 'invalid', error: issueToError(parsed.error, body, []) };
  }
  const envelope = MessageEnvelopeSchema.safeParse(body);
  if (!envelope.success) {
    const first = envelope.error.issues[0];
    if (first?.path[0] === 'type' && first.code === 'invalid_value') {
      const got = JSON.stringify(body.type);
      return {
        kind: 'invalid',
        error: graphError(100, { message: `(#100) Param type must be one of {${sendableTypes.map((t) => t.toUpperCase()).join(', ')}} - got ${got}.` }),
      };
    }
    return { kind: 'invalid', error: issueToError(envelope.error, body, []) };
  }
  const type = envelope.data.type ?? 'text';
  const typeObject = body[type];
  if (typeObject === undefined) return { kind: 'invalid', error: parameterRequired(type) };
  const parsed = typeObjectSchemas[type].safeParse(typeObject);
  if (!parsed.success) return { kind: 'invalid', error: issueToError(parsed.error, typeObject, [type]) };
  return { kind: 'message', envelope: envelope.data, type, typeObject: parsed.data, body };
}
