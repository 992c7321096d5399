// Sessions: a sign-in starts a refresh-token family; each refresh rotates the token; reuse of a used one ends the family.
import type { Kysely } from 'kysely';
import type { Database, OperatorRow } from '../db/tables';
import type { Services } from '../services';
import { recordAudit } from '../audit/record-audit';
import { AppError } from '../shared/app-error';
import { newId } from '../shared/ids';
import type { Actor, RequestOrigin, Role } from './actor';
import { signAccessToken } from './access-token';
import { findOperatorInFirm } from './operator.queries';
import { hashOpaqueToken, isOpaqueTokenShape, newOpaqueToken } from './secret-token';
import { findRefreshTokenByHash, insertRefreshToken, linkReplacement, revokeFamily, useRefreshToken } from './session.queries';

/** A refresh token unused this long dies even inside the session's absolute lifetime (SECURITY.md §2.4). */
export const REFRESH_IDLE_MINUTES = 12 * 60;

/** The operator as sign-in, refresh and `/auth/me` show it. */
export interface OperatorSummary {
  readonly id: string;
  readonly firmId: number;
  readonly userName: string;
  readonly fullName: string;
  readonly role: Role;
}

/** The body of a successful sign-in or refresh. */
export interface TokenPair {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly operator: OperatorSummary;
}

export function operatorSummary(operator: OperatorRow): OperatorSummary {
  return { id: operator.Id, firmId: operator.FirmId, userName: operator.UserName, fullName: operator.FullName, role: operator.Role as Role };
}

const minutes = (n: number) => n * 60_000;

/**
 * Starts a session (a new refresh-token family whose absolute end is `Jwt__ExpiresMinutes` from now) and
 * signs its first access token. Runs inside the caller's transaction.
 */
export async function startSession(
  services: Pick<Services, 'config'>,
  db: Kysely<Database>,
  operator: OperatorRow,
  origin: RequestOrigin,
  now: Date,
): Promise<TokenPair> {
  const familyId = newId(now.getTime());
  const absoluteExpiresAt = new Date(now.getTime() + minutes(services.config.jwt.sessionMinutes));
  const refreshToken = newOpaqueToken();
  await insertRefreshToken(db, {
    Id: newId(now.getTime()),
    FirmId: operator.FirmId,
    OperatorId: operator.Id,
    FamilyId: familyId,
    ParentId: null,
    ReplacedById: null,
    TokenHash: hashOpaqueToken(refreshToken),
    IssuedAt: now,
    UsedAt: null,
    RevokedAt: null,
    RevokedReason: null,
    IdleExpiresAt: earliest(new Date(now.getTime() + minutes(REFRESH_IDLE_MINUTES)), absoluteExpiresAt),
    AbsoluteExpiresAt: absoluteExpiresAt,
    IpAddress: origin.ip?.slice(0, 45) ?? null,
    UserAgent: origin.userAgent?.slice(0, 512) ?? null,
  });
  return pairFor(services, operator, familyId, refreshToken, now);
}

type RefreshOutcome = { kind: 'ok'; pair: TokenPair } | { kind: 'invalid' } | { kind: 'reuse' };

/**
 * Rotates a refresh token (RFC 9700 §4.14.2): the presented token is used up and a child with the same family
 * and absolute end is issued. A token that was already used means two parties hold the family: the whole
 * family is revoked (both are signed out), the reuse is audited, and the caller gets the same 401 as for any
 * bad token. Clients must therefore serialise their refreshes (no grace window is kept).
 */
export async function refreshSession(services: Services, presented: string, origin: RequestOrigin): Promise<TokenPair> {
  if (!isOpaqueTokenShape(presented)) throw new AppError('RefreshTokenInvalid');
  const tokenHash = hashOpaqueToken(presented);
  const now = services.clock.now();
  const outcome = await services.db.transaction().execute(async (trx): Promise<RefreshOutcome> => {
    if (!(await useRefreshToken(trx, tokenHash, now))) {
      const row = await findRefreshTokenByHash(trx, tokenHash);
      if (!row || row.UsedAt === null || row.RevokedAt !== null) return { kind: 'invalid' };
      const revoked = await revokeFamily(trx, row.FamilyId, now, 'reuse');
      const operator = await findOperatorInFirm(trx, row.FirmId, row.OperatorId);
      await recordAudit(
        trx,
        {
          firmId: row.FirmId,
          action: 'authn_token_reuse',
          actor: operator ? { operatorId: operator.Id, userName: operator.UserName } : undefined,
          entityType: 'session',
          entityId: row.FamilyId,
          details: { revokedTokens: revoked, tokenUsedAt: row.UsedAt.toISOString() },
          origin,
        },
        now,
      );
      return { kind: 'reuse' };
    }
    const parent = await findRefreshTokenByHash(trx, tokenHash);
    const operator = parent ? await findOperatorInFirm(trx, parent.FirmId, parent.OperatorId) : undefined;
    if (!parent || !operator || !operator.IsActive) return { kind: 'invalid' };
    const refreshToken = newOpaqueToken();
    const childId = newId(now.getTime());
    await insertRefreshToken(trx, {
      Id: childId,
      FirmId: parent.FirmId,
      OperatorId: parent.OperatorId,
      FamilyId: parent.FamilyId,
      ParentId: parent.Id,
      ReplacedById: null,
      TokenHash: hashOpaqueToken(refreshToken),
      IssuedAt: now,
      UsedAt: null,
      RevokedAt: null,
      RevokedReason: null,
      IdleExpiresAt: earliest(new Date(now.getTime() + minutes(REFRESH_IDLE_MINUTES)), parent.AbsoluteExpiresAt),
      AbsoluteExpiresAt: parent.AbsoluteExpiresAt,
      IpAddress: origin.ip?.slice(0, 45) ?? null,
      UserAgent: origin.userAgent?.slice(0, 512) ?? null,
    });
    await linkReplacement(trx, parent.Id, childId);
    return { kind: 'ok', pair: pairFor(services, operator, parent.FamilyId, refreshToken, now) };
  });
  if (outcome.kind !== 'ok') throw new AppError('RefreshTokenInvalid');
  return outcome.pair;
}

/** Ends the caller's session: its refresh family is revoked, and with it every access token of the session. */
export async function endSession(services: Services, actor: Actor, origin: RequestOrigin): Promise<void> {
  const now = services.clock.now();
  await services.db.transaction().execute(async (trx) => {
    const revoked = actor.sessionId ? await revokeFamily(trx, actor.sessionId, now, 'logout', actor.operatorId) : 0;
    await recordAudit(
      trx,
      {
        firmId: actor.firmId,
        action: 'session_logout',
        actor,
        entityType: 'session',
        entityId: actor.sessionId,
        details: { revokedTokens: revoked },
        origin,
      },
      now,
    );
  });
}

function pairFor(services: Pick<Services, 'config'>, operator: OperatorRow, familyId: string, refreshToken: string, now: Date): TokenPair {
  const { token, expiresIn } = signAccessToken(
    services.config,
    { operatorId: operator.Id, firmId: operator.FirmId, role: operator.Role as Role, tokenVersion: operator.TokenVersion, sessionId: familyId },
    now,
  );
  return { accessToken: token, tokenType: 'Bearer', expiresIn, refreshToken, operator: operatorSummary(operator) };
}

function earliest(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}
