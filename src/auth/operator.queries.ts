// Queries on WhatsApp_Operators for sign-in, lockout and credentials: one function, one statement, both dialects.
import type { Kysely } from 'kysely';
import type { Database, OperatorRow } from '../db/tables';

type Db = Kysely<Database>;

/** The operator with this normalised user name (unique across firms), active or not. */
export async function findOperatorByUserName(db: Db, userNameNormalized: string): Promise<OperatorRow | undefined> {
  return db.selectFrom('WhatsApp_Operators').selectAll().where('UserNameNormalized', '=', userNameNormalized).executeTakeFirst();
}

/** The operator with this id inside this firm; another firm's operator is simply not found. */
export async function findOperatorInFirm(db: Db, firmId: number, operatorId: string): Promise<OperatorRow | undefined> {
  return db.selectFrom('WhatsApp_Operators').selectAll().where('FirmId', '=', firmId).where('Id', '=', operatorId).executeTakeFirst();
}

/** Operators a reset request can name: by normalised e-mail or by phone digits (neither is unique), at most `limit`. */
export async function findOperatorsByContact(db: Db, contact: { email: string } | { phone: string }, limit: number): Promise<OperatorRow[]> {
  const query = db.selectFrom('WhatsApp_Operators').selectAll();
  const filtered = 'email' in contact ? query.where('EmailNormalized', '=', contact.email) : query.where('Phone', '=', contact.phone);
  const rows = await filtered.orderBy('Id').execute();
  return rows.slice(0, limit);
}

/**
 * Counts one failed sign-in and locks the account when the count reaches `maxFailures`. Run it inside a
 * transaction (with the audit row of the failure, so every failure costs one commit): both statements are
 * conditional and the row stays locked between them, so concurrent failures cannot push past the limit unnoticed:
 * only a request that finds the account unlocked counts, and exactly one request sets the lock. A lock that has
 * expired starts a fresh count. Returns whether this failure counted and whether it locked the account.
 */
export async function recordLoginFailure(trx: Db, operatorId: string, now: Date, maxFailures: number, lockUntil: Date): Promise<{ counted: boolean; locked: boolean }> {
  const counted = await trx
    .updateTable('WhatsApp_Operators')
    .set((eb) => ({
      FailedLoginCount: eb.case().when('LockoutUntil', 'is not', null).then(1).else(eb('FailedLoginCount', '+', 1)).end(),
      LockoutUntil: null,
      UpdatedAt: now,
    }))
    .where('Id', '=', operatorId)
    .where((eb) => eb.or([eb('LockoutUntil', 'is', null), eb('LockoutUntil', '<=', now)]))
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) === 0) return { counted: false, locked: false };
  const locked = await trx
    .updateTable('WhatsApp_Operators')
    .set({ LockoutUntil: lockUntil, UpdatedAt: now })
    .where('Id', '=', operatorId)
    .where('FailedLoginCount', '>=', maxFailures)
    .where('LockoutUntil', 'is', null)
    .executeTakeFirst();
  return { counted: true, locked: Number(locked.numUpdatedRows) === 1 };
}

/**
 * Records a successful sign-in and clears the failure count, but only while the account is active and not
 * locked at `now`: a lock set by a concurrent failure after this request read the row still wins.
 */
export async function recordLoginSuccess(db: Db, operatorId: string, now: Date, ip: string | undefined): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_Operators')
    .set({ FailedLoginCount: 0, LockoutUntil: null, LastLoginAt: now, LastLoginIp: ip?.slice(0, 45) ?? null, UpdatedAt: now })
    .where('Id', '=', operatorId)
    .where('IsActive', '=', true)
    .where((eb) => eb.or([eb('LockoutUntil', 'is', null), eb('LockoutUntil', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Replaces a weaker hash after a successful sign-in, unless the password changed meanwhile (optimistic). */
export async function upgradePasswordHash(db: Db, operatorId: string, oldHash: string, newHash: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_Operators')
    .set({ PasswordHash: newHash, UpdatedAt: now })
    .where('Id', '=', operatorId)
    .where('PasswordHash', '=', oldHash)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Sets a new password, clears the lockout and bumps the token version so every access token issued before
 * is refused. With `expectedHash`, only if the stored hash is still that one (a concurrent change wins).
 */
export async function replacePassword(db: Db, operatorId: string, newHash: string, now: Date, expectedHash?: string): Promise<boolean> {
  let query = db
    .updateTable('WhatsApp_Operators')
    .set((eb) => ({
      PasswordHash: newHash,
      PasswordChangedAt: now,
      FailedLoginCount: 0,
      LockoutUntil: null,
      TokenVersion: eb('TokenVersion', '+', 1),
      UpdatedAt: now,
    }))
    .where('Id', '=', operatorId);
  if (expectedHash !== undefined) query = query.where('PasswordHash', '=', expectedHash);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Bumps the token version: every access token of the operator issued before now is refused. */
export async function bumpTokenVersion(db: Db, firmId: number, operatorId: string, now: Date): Promise<void> {
  await db
    .updateTable('WhatsApp_Operators')
    .set((eb) => ({ TokenVersion: eb('TokenVersion', '+', 1), UpdatedAt: now }))
    .where('FirmId', '=', firmId)
    .where('Id', '=', operatorId)
    .execute();
}
