// How an operator appears in API answers: never the hash, never the token version.
import type { OperatorRow } from '../db/tables';
import type { Role } from '../auth/actor';

export interface OperatorView {
  readonly id: string;
  readonly firmId: number;
  readonly userName: string;
  readonly fullName: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly role: Role;
  readonly isActive: boolean;
  readonly language: 'tr' | 'en';
  /** When the lockout ends; null when the account is not locked now. */
  readonly lockedUntil: string | null;
  readonly failedLoginCount: number;
  readonly lastLoginAt: string | null;
  readonly passwordChangedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function toOperatorView(row: OperatorRow, now: Date): OperatorView {
  const locked = row.LockoutUntil !== null && row.LockoutUntil.getTime() > now.getTime();
  return {
    id: row.Id,
    firmId: row.FirmId,
    userName: row.UserName,
    fullName: row.FullName,
    email: row.Email,
    phone: row.Phone,
    role: row.Role as Role,
    isActive: row.IsActive,
    language: row.PreferredLanguage === 'en' ? 'en' : 'tr',
    lockedUntil: locked && row.LockoutUntil ? row.LockoutUntil.toISOString() : null,
    failedLoginCount: row.FailedLoginCount,
    lastLoginAt: row.LastLoginAt?.toISOString() ?? null,
    passwordChangedAt: row.PasswordChangedAt?.toISOString() ?? null,
    createdAt: row.CreatedAt.toISOString(),
    updatedAt: row.UpdatedAt.toISOString(),
  };
}
