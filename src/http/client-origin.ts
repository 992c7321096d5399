// The caller's IP and user agent, taken from the platform's forwarded header only when settings trust it.
import type { HttpRequest } from '@azure/functions';
import { isIP } from 'node:net';
import type { RequestOrigin } from '../auth/actor';

/**
 * Azure's front ends append the client address to `X-Forwarded-For` (sometimes with a port). The right-most
 * entry is the one the platform added; entries to its left came from the client and cannot be trusted.
 */
export function clientOrigin(request: HttpRequest, trustForwardedFor: boolean): RequestOrigin {
  const userAgent = request.headers.get('user-agent')?.slice(0, 512) ?? undefined;
  if (!trustForwardedFor) return { ip: undefined, userAgent };
  const forwarded = request.headers.get('x-forwarded-for');
  const last = forwarded?.split(',').pop()?.trim();
  return { ip: last ? normaliseAddress(last) : undefined, userAgent };
}

function normaliseAddress(value: string): string | undefined {
  if (isIP(value)) return value;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed?.[1] && isIP(bracketed[1])) return bracketed[1];
  const withPort = /^([^:]+):\d+$/.exec(value);
  if (withPort?.[1] && isIP(withPort[1])) return withPort[1];
  return undefined;
}
