// Queries on WhatsApp_RefreshTokens: a family is one sign-in; each refresh uses one token and adds its child.
import type { Kysely } from 'kysely';
import type { Database, NewRow, RefreshTokenRow } from '../db/tables';

type Db = Kysely<Database>;

export type RevokeReason = 'logout' | 'reuse' | 'password-changed' | 'password-reset' | 'deactivated' | 'role-changed' | 'admin';

export async function insertRefreshToken(db: Db, row: NewRow<'WhatsApp_RefreshTokens'>): Promise<void> {
  await db.insertInto('WhatsApp_RefreshTokens').values(row).execute();
}

export async function findRefreshTokenByHash(db: Db, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  return db.selectFrom('WhatsApp_RefreshTokens').selectAll().where('TokenHash', '=', tokenHash).executeTakeFirst();
}

/** Uses a token once: only an unused, unrevoked, unexpired token is marked, so two racing refreshes cannot both win. */
export async function useRefreshToken(db: Db, tokenHash: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_RefreshTokens')
    .set({ UsedAt: now })
    .where('TokenHash', '=', tokenHash)
    .where('UsedAt', 'is', null)
    .where('RevokedAt', 'is', null)
    .where('IdleExpiresAt', '>', now)
    .where('AbsoluteExpiresAt', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function linkReplacement(db: Db, parentId: string, childId: string): Promise<void> {
  await db.updateTable('WhatsApp_RefreshTokens').set({ ReplacedById: childId }).where('Id', '=', parentId).execute();
}

/** Revokes every token of a family still standing; returns how many it revoked. */
export async function revokeFamily(db: Db, familyId: string, now: Date, reason: RevokeReason, operatorId?: string): Promise<number> {
  let query = db
    .updateTable('WhatsApp_RefreshTokens')
    .set({ RevokedAt: now, RevokedReason: reason })
    .where('FamilyId', '=', familyId)
    .where('RevokedAt', 'is', null);
  if (operatorId !== undefined) query = query.where('OperatorId', '=', operatorId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Revokes every session of an operator. */
export async function revokeAllSessions(db: Db, operatorId: string, now: Date, reason: RevokeReason): Promise<number> {
  const result = await db
    .updateTable('WhatsApp_RefreshTokens')
    .set({ RevokedAt: now, RevokedReason: reason })
    .where('OperatorId', '=', operatorId)
    .where('RevokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
