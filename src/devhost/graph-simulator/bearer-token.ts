// Access-token check for Graph calls: `Authorization: Bearer …` or Graph's `access_token` query parameter.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The token a request presented, from the header or the query string (Graph accepts both). */
export function presentedToken(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const header = headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    return match?.[1]?.trim();
  }
  return query.get('access_token') ?? undefined;
}

/** Constant-time comparison so the simulator does not teach timing-unsafe habits. */
export function isValidToken(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
