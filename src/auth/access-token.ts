// Access tokens: HS256 JWTs (jsonwebtoken ≥ 9.0.3) with the algorithm pinned and issuer, audience and expiry checked.
import jwt from 'jsonwebtoken';
import { randomUUID, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config';
import { hmacKey } from '../shared/hmac-key';
import type { Role } from './actor';

/** RFC 7518 §3.2: an HS256 key shorter than the hash output is refused (config also refuses it at start). */
const MIN_KEY_BYTES = 32;
/** Allowed clock skew between hosts, in seconds (RFC 7519 "a few minutes" at most; SECURITY.md §2.3). */
const CLOCK_TOLERANCE_SECONDS = 30;
/** Anything longer is not one of our tokens; refused before parsing. */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;

export interface AccessClaims {
  /** Operator id. */
  readonly sub: string;
  readonly firmId: number;
  readonly role: Role;
  /** The operator's token version when the token was issued; a bump revokes the token. */
  readonly ver: number;
  /** The session (refresh-token family) the token belongs to; ending the session ends the token. */
  readonly sid: string;
  readonly iat: number;
  readonly exp: number;
}

const AccessClaimsSchema = z.object({
  sub: z.string().min(1).max(64),
  firmId: z.number().int().positive(),
  role: z.enum(['Admin', 'Agent']),
  ver: z.number().int().nonnegative(),
  sid: z.string().min(1).max(64),
  iat: z.number().int(),
  exp: z.number().int(),
});

export interface AccessTokenIssue {
  readonly operatorId: string;
  readonly firmId: number;
  readonly role: Role;
  readonly tokenVersion: number;
  readonly sessionId: string;
}

function signingKey(config: Pick<Config, 'jwt'>): KeyObject {
  if (Buffer.byteLength(config.jwt.key, 'utf8') < MIN_KEY_BYTES) throw new Error(`Jwt__Key must be at least ${MIN_KEY_BYTES} bytes`);
  return hmacKey(config.jwt.key);
}

/** Signs an access token valid for `Security__JwtRefreshIntervalMinutes`, dated by the app's clock. */
export function signAccessToken(
  config: Pick<Config, 'jwt' | 'security'>,
  issue: AccessTokenIssue,
  now: Date,
): { token: string; expiresIn: number } {
  const expiresIn = config.security.accessTokenMinutes * 60;
  const iat = Math.floor(now.getTime() / 1000);
  const token = jwt.sign(
    { firmId: issue.firmId, role: issue.role, ver: issue.tokenVersion, sid: issue.sessionId, iat, exp: iat + expiresIn },
    signingKey(config),
    { algorithm: 'HS256', issuer: config.jwt.issuer, audience: config.jwt.audience, subject: issue.operatorId, jwtid: randomUUID() },
  );
  return { token, expiresIn };
}

/**
 * Verifies signature (HS256 only), issuer, audience, expiry and not-before against `now`, then the claim shapes.
 * Returns undefined for every kind of bad token, so callers cannot branch on why.
 */
export function verifyAccessToken(config: Pick<Config, 'jwt' | 'security'>, token: unknown, now: Date): AccessClaims | undefined {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_ACCESS_TOKEN_LENGTH) return undefined;
  let decoded: unknown;
  try {
    decoded = jwt.verify(token, signingKey(config), {
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      clockTimestamp: Math.floor(now.getTime() / 1000),
      maxAge: `${config.security.accessTokenMinutes}m`,
      complete: false,
    });
  } catch {
    return undefined;
  }
  const parsed = AccessClaimsSchema.safeParse(decoded);
  return parsed.success ? parsed.data : undefined;
}
