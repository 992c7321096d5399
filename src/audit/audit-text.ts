// Makes untrusted text safe to keep in the audit log and log lines: no control characters, capped length, no secrets.

/** Longest string kept from one untrusted field (OWASP Logging CS: cap field lengths). */
export const MAX_AUDIT_TEXT = 1024;
const MAX_DETAILS_JSON = 8192;
const CONTROL_OR_LONE_SURROGATE = /[\p{Cc}\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;
/** Keys whose values are never kept, whatever a caller passes (defence in depth; callers should not pass them). */
const SECRET_KEY = /^(password|currentpassword|newpassword|token|accesstoken|refreshtoken|resettoken|code|smscode|secret|appsecret|authorization|cookie)$/i;

/**
 * Control characters (CR, LF, ESC of ANSI sequences, NUL…) and lone surrogates become U+FFFD, so one event
 * stays one line and the text survives both databases' encodings unchanged (the hash chain depends on it).
 */
export function cleanText(value: string, max = MAX_AUDIT_TEXT): string {
  const cleaned = value.replace(CONTROL_OR_LONE_SURROGATE, '\uFFFD');
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}

export function cleanOptionalText(value: string | null | undefined, max = MAX_AUDIT_TEXT): string | null {
  return value === undefined || value === null ? null : cleanText(value, max);
}

/** Details as capped JSON: strings cleaned, secret-named keys dropped, depth and size bounded. */
export function cleanDetails(details: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!details) return null;
  const text = JSON.stringify(cleanValue(details, 0));
  return text.length > MAX_DETAILS_JSON ? JSON.stringify({ truncated: true, size: text.length }) : text;
}

function cleanValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (value instanceof Date) return value.toISOString();
  if (depth >= 4) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => cleanValue(item, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>).slice(0, 50)) {
      if (SECRET_KEY.test(key) || item === undefined) continue;
      out[cleanText(key, 64)] = cleanValue(item, depth + 1);
    }
    return out;
  }
  return undefined;
}
