// Queries on WhatsApp_PasswordResetTokens: issue, find, spend, and retire reset secrets.
import type { Kysely } from 'kysely';
import type { Database, NewRow, PasswordResetTokenRow } from '../db/tables';

type Db = Kysely<Database>;

/** Wrong guesses after which an SMS code is dead. */
export const MAX_CODE_ATTEMPTS = 5;

export async function insertResetToken(db: Db, row: NewRow<'WhatsApp_PasswordResetTokens'>): Promise<void> {
  await db.insertInto('WhatsApp_PasswordResetTokens').values(row).execute();
}

/** Retires every unused secret of an operator (a newer one replaces them, or the password was just set). */
export async function revokeOpenResetTokens(db: Db, operatorId: string, now: Date, channel?: 'email' | 'sms'): Promise<void> {
  let query = db
    .updateTable('WhatsApp_PasswordResetTokens')
    .set({ RevokedAt: now })
    .where('OperatorId', '=', operatorId)
    .where('UsedAt', 'is', null)
    .where('RevokedAt', 'is', null);
  if (channel) query = query.where('Channel', '=', channel);
  await query.execute();
}

/** A live e-mail link token by its SHA-256. */
export async function findLiveLinkToken(db: Db, tokenHash: string, now: Date): Promise<PasswordResetTokenRow | undefined> {
  return db
    .selectFrom('WhatsApp_PasswordResetTokens')
    .selectAll()
    .where('TokenHash', '=', tokenHash)
    .where('Channel', '=', 'email')
    .where('UsedAt', 'is', null)
    .where('RevokedAt', 'is', null)
    .where('ExpiresAt', '>', now)
    .executeTakeFirst();
}

/** The operator's newest live SMS code (older ones were revoked when it was issued). */
export async function findLiveCode(db: Db, operatorId: string, now: Date): Promise<PasswordResetTokenRow | undefined> {
  const rows = await db
    .selectFrom('WhatsApp_PasswordResetTokens')
    .selectAll()
    .where('OperatorId', '=', operatorId)
    .where('Channel', '=', 'sms')
    .where('UsedAt', 'is', null)
    .where('RevokedAt', 'is', null)
    .where('ExpiresAt', '>', now)
    .where('FailedAttempts', '<', MAX_CODE_ATTEMPTS)
    .orderBy('CreatedAt', 'desc')
    .execute();
  return rows[0];
}

/**
 * Reserves one guess of an SMS code before it is checked, so concurrent guesses cannot exceed the limit:
 * false when the code has no guesses left (or was used or revoked meanwhile).
 */
export async function reserveCodeAttempt(db: Db, tokenId: string): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_PasswordResetTokens')
    .set((eb) => ({ FailedAttempts: eb('FailedAttempts', '+', 1) }))
    .where('Id', '=', tokenId)
    .where('FailedAttempts', '<', MAX_CODE_ATTEMPTS)
    .where('UsedAt', 'is', null)
    .where('RevokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Spends a secret: only one caller can, and only while it is live. */
export async function spendResetToken(db: Db, tokenId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_PasswordResetTokens')
    .set({ UsedAt: now })
    .where('Id', '=', tokenId)
    .where('UsedAt', 'is', null)
    .where('RevokedAt', 'is', null)
    .where('ExpiresAt', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
