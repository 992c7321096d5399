// AccessKey JWTs (HS256): REST bearer tokens, client access tokens and reconnection tokens, verified as the service does.
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { JwtPayload } from 'jsonwebtoken';
import { hmacKey } from '../../shared/hmac-key';

const RECONNECTION_ISSUER = 'https://webpubsub.azure.com';
const RECONNECTION_TOKEN_LIFETIME = '7d';

/** Exact, case-insensitive audience matchers (jsonwebtoken compares plain strings case-sensitively). */
function audienceMatchers(audiences: Iterable<string>): [RegExp, ...RegExp[]] {
  const unique = [...new Set([...audiences].map((audience) => audience.toLowerCase()))];
  const matchers = unique.map((audience) => new RegExp(`^${audience.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i'));
  const [first, ...rest] = matchers;
  if (!first) throw new Error('At least one audience is required.');
  return [first, ...rest];
}

function verify(token: string, accessKey: string, audiences: Iterable<string>, clockToleranceSeconds: number): JwtPayload | undefined {
  try {
    const payload = jwt.verify(token, hmacKey(accessKey), {
      algorithms: ['HS256'],
      audience: audienceMatchers(audiences),
      clockTolerance: clockToleranceSeconds,
    });
    // The service requires an expiry; jsonwebtoken alone accepts a token without one.
    if (typeof payload === 'string' || typeof payload.exp !== 'number') return undefined;
    return payload;
  } catch {
    return undefined;
  }
}

/**
 * Checks a data-plane `Authorization: Bearer` header. The audience may be the request URL with its query
 * string (what `@azure/web-pubsub` signs) or without it (what Learn documents), raw or URL-decoded.
 */
export function isRestRequestAuthorized(
  authorization: string | undefined,
  requestUrl: string,
  accessKey: string,
  clockToleranceSeconds: number,
): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return false;
  const token = match[1].trim();
  const key = `${accessKey}\n${requestUrl}\n${token}`;
  const known = verifiedRestTokens.get(key);
  if (known) return isWithin(known, clockToleranceSeconds);
  const withoutQuery = requestUrl.split('?')[0] ?? requestUrl;
  const audiences = [requestUrl, withoutQuery].flatMap((url) => [url, safeDecode(url)]);
  const payload = verify(token, accessKey, audiences, clockToleranceSeconds);
  if (!payload || typeof payload.exp !== 'number') return false;
  if (verifiedRestTokens.size >= VERIFIED_REST_TOKENS_KEPT) verifiedRestTokens.clear();
  verifiedRestTokens.set(key, { notBefore: typeof payload.nbf === 'number' ? payload.nbf : undefined, expires: payload.exp });
  return true;
}

/**
 * REST tokens already verified for a URL with a key: the signature and audience of the same token for the same URL
 * cannot change, only the time can. A sender reuses its token per URL (our publisher for 50 minutes), and verifying
 * the HMAC and building the audience patterns again for every event cost about 12 % of a core at 1,000 events a second.
 */
const verifiedRestTokens = new Map<string, { readonly notBefore: number | undefined; readonly expires: number }>();
const VERIFIED_REST_TOKENS_KEPT = 1_000;

/** jsonwebtoken's own time checks (whole seconds, tolerance on both sides), for a token verified before. */
function isWithin(window: { readonly notBefore: number | undefined; readonly expires: number }, clockToleranceSeconds: number): boolean {
  const now = Math.floor(Date.now() / 1000);
  if (now >= window.expires + clockToleranceSeconds) return false;
  return window.notBefore === undefined || window.notBefore <= now + clockToleranceSeconds;
}

/**
 * Verifies a client access token. The SDK signs `aud = http(s)://<host>/client/hubs/<hub>`; the ws(s)
 * form is accepted too. Returns the claims, or undefined when signature, audience or expiry fail.
 */
export function verifyClientAccessToken(
  token: string,
  accessKey: string,
  host: string,
  hub: string,
  clockToleranceSeconds: number,
): JwtPayload | undefined {
  const path = `${host}/client/hubs/${hub}`;
  const audiences = ['http', 'https', 'ws', 'wss'].flatMap((scheme) => [`${scheme}://${path}`, `${scheme}://${path}/`]);
  return verify(token, accessKey, audiences, clockToleranceSeconds);
}

/** Issues the reconnection token a reliable client presents (with its connection id) to recover. */
export function issueReconnectionToken(connectionId: string, accessKey: string): string {
  return jwt.sign({ jti: randomUUID() }, hmacKey(accessKey), {
    algorithm: 'HS256',
    issuer: RECONNECTION_ISSUER,
    audience: connectionId,
    expiresIn: RECONNECTION_TOKEN_LIFETIME,
  });
}

/** True when the token was issued by this emulator for exactly this connection and has not expired. */
export function isReconnectionTokenValid(connectionId: string, token: string, accessKey: string): boolean {
  try {
    jwt.verify(token, hmacKey(accessKey), { algorithms: ['HS256'], issuer: RECONNECTION_ISSUER, audience: connectionId });
    return true;
  } catch {
    return false;
  }
}

/** Signs a client access token the way `getClientAccessToken` does (used by `POST …/:generateToken`). */
export function issueClientAccessToken(
  accessKey: string,
  audience: string,
  options: { userId?: string; roles: string[]; groups: string[]; minutesToExpire: number },
): string {
  const payload: Record<string, unknown> = {};
  if (options.roles.length > 0) payload.role = options.roles;
  if (options.groups.length > 0) payload['webpubsub.group'] = options.groups;
  return jwt.sign(payload, hmacKey(accessKey), {
    algorithm: 'HS256',
    audience,
    expiresIn: options.minutesToExpire * 60,
    ...(options.userId ? { subject: options.userId } : {}),
  });
}

function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}
