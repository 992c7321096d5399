// Meta's Graph API error envelope (`{"error": {...}}`, WHATSAPP.md §9) as every Graph client here reads it.
import { z } from 'zod';
import { parseJson } from './parse-json';

/** A number, or a string of digits (resellers and proxies re-serialise Graph's numbers as strings). */
const GraphNumberSchema = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
/** Optional fields are read leniently: one odd field must not hide Meta's `code` and turn a refusal into a bare HTTP error. */
const lenient = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);
const ErrorDataSchema = z.looseObject({ details: lenient(z.string()) });

const GraphErrorBodySchema = z.looseObject({
  error: z.looseObject({
    code: GraphNumberSchema,
    message: lenient(z.string()),
    error_subcode: lenient(GraphNumberSchema),
    error_user_title: lenient(z.string()),
    error_user_msg: lenient(z.string()),
    // Graph sends `error_data` as an object on WhatsApp calls but as a JSON-encoded string on some other endpoints.
    error_data: lenient(z.union([ErrorDataSchema, z.string().transform((text) => ErrorDataSchema.safeParse(parseJson(text)).data)])),
    is_transient: lenient(z.boolean()),
    fbtrace_id: lenient(z.string()),
  }),
});

/** What a Graph error says, in the words the app keeps. */
export interface GraphError {
  readonly code: number;
  readonly subcode: number | undefined;
  /** Meta's `message`, else its `error_user_title`. */
  readonly title: string | undefined;
  /** `error_data.details`, else `error_user_msg` (older errors carry the explanation there and have no `error_data`). */
  readonly details: string | undefined;
  readonly fbtraceId: string | undefined;
  /** Graph's own `is_transient` flag, when it sent one. */
  readonly isTransient: boolean | undefined;
}

/** The Graph error in an answer's body, or undefined when the body is not Graph's error envelope. */
export function readGraphError(body: unknown): GraphError | undefined {
  const parsed = GraphErrorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const e = parsed.data.error;
  return {
    code: e.code,
    subcode: e.error_subcode ?? undefined,
    title: e.message ?? e.error_user_title ?? undefined,
    details: e.error_data?.details ?? e.error_user_msg ?? undefined,
    fbtraceId: e.fbtrace_id ?? undefined,
    isTransient: e.is_transient ?? undefined,
  };
}

/** Graph codes that mean Meta does not accept the access token any more (expired, revoked, malformed). */
export function isTokenFailure(code: number | null): boolean {
  return code === null || code === 0 || code === 190;
}
