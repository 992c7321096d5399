// Case-insensitive JSON binding: bodies written for the old ASP.NET API (`{"UserName": …}`) bind to camelCase schemas.
import { z } from 'zod';

/**
 * Renames the keys of `input` to the schema's own spelling where they match ignoring case, recursively
 * through objects, arrays, optionals and nullables. Unknown keys are left as they are (the schema decides).
 * Hand-written because zod has no case-insensitive key option.
 */
export function bindCaseInsensitive(schema: z.ZodType, input: unknown): unknown {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodArray && Array.isArray(input)) {
    return input.map((item) => bindCaseInsensitive(inner.element as z.ZodType, item));
  }
  if (!(inner instanceof z.ZodObject) || input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const shape = inner.shape as Record<string, z.ZodType>;
  const byLower = new Map(Object.keys(shape).map((key) => [key.toLowerCase(), key]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    const target = Object.hasOwn(shape, key) ? key : (byLower.get(key.toLowerCase()) ?? key);
    if (Object.hasOwn(out, target) && target !== key) continue; // an exact-case key wins over a folded one
    out[target] = shape[target] ? bindCaseInsensitive(shape[target], value) : value;
  }
  return out;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  if (current instanceof z.ZodPipe) return unwrap(current.in as z.ZodType);
  return current;
}
