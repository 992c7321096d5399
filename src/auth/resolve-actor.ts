// Turns a bearer token into the operator behind it, checking everything a token alone cannot prove.
import type { Services } from '../services';
import type { Actor, Role } from './actor';
import { verifyAccessToken } from './access-token';

/**
 * The actor for a valid access token, or undefined. Beyond the signature, issuer, audience and expiry it checks
 * that the operator still exists in the token's firm and is active, that the token's version is the operator's
 * current one (a password change or reset, deactivation or role change bumps it), and that the session the token
 * belongs to has not ended (logout, refresh-token reuse). The role comes from the database, not the token.
 */
export async function resolveActor(services: Pick<Services, 'config' | 'db' | 'clock'>, token: unknown): Promise<Actor | undefined> {
  const now = services.clock.now();
  const claims = verifyAccessToken(services.config, token, now);
  if (!claims) return undefined;
  const operator = await services.db
    .selectFrom('WhatsApp_Operators')
    .select(['Id', 'FirmId', 'Role', 'UserName', 'IsActive', 'TokenVersion'])
    .where('Id', '=', claims.sub)
    .where('FirmId', '=', claims.firmId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('WhatsApp_RefreshTokens')
          .select('WhatsApp_RefreshTokens.Id')
          .where('WhatsApp_RefreshTokens.FamilyId', '=', claims.sid)
          .where('WhatsApp_RefreshTokens.OperatorId', '=', claims.sub)
          .where('WhatsApp_RefreshTokens.RevokedAt', 'is', null)
          .where('WhatsApp_RefreshTokens.AbsoluteExpiresAt', '>', now),
      ),
    )
    .executeTakeFirst();
  if (!operator || !operator.IsActive || operator.TokenVersion !== claims.ver) return undefined;
  return { operatorId: operator.Id, firmId: operator.FirmId, role: operator.Role as Role, userName: operator.UserName, sessionId: claims.sid };
}
