// What every password change does, whoever starts it: new hash, lockout cleared, all sessions and tokens ended, operator told.
import type { Kysely } from 'kysely';
import type { Database, OperatorRow } from '../db/tables';
import type { Services } from '../services';
import { recordAudit } from '../audit/record-audit';
import { createNotification, preferredChannel, type PendingNotification } from '../notifications/create-notification';
import type { RequestOrigin } from './actor';
import { replacePassword } from './operator.queries';
import { revokeOpenResetTokens } from './password-reset.queries';
import { revokeAllSessions } from './session.queries';

export interface NewPasswordChange {
  readonly operator: OperatorRow;
  readonly newHash: string;
  readonly how: 'reset' | 'change';
  readonly origin: RequestOrigin;
  /** For a change: the hash the caller verified, so a concurrent change is not overwritten. */
  readonly expectedHash?: string;
}

/**
 * Inside the caller's transaction: stores the hash, clears the lockout, bumps the token version (access tokens
 * issued before are refused on their next request), revokes every refresh family and open reset secret, queues a
 * "your password was changed" notice and audits it. Returns undefined when the optimistic check lost.
 */
export async function applyNewPassword(
  services: Pick<Services, 'config'>,
  trx: Kysely<Database>,
  change: NewPasswordChange,
  now: Date,
): Promise<{ notification: PendingNotification | undefined } | undefined> {
  const { operator } = change;
  if (!(await replacePassword(trx, operator.Id, change.newHash, now, change.expectedHash))) return undefined;
  const revokedSessions = await revokeAllSessions(trx, operator.Id, now, change.how === 'reset' ? 'password-reset' : 'password-changed');
  await revokeOpenResetTokens(trx, operator.Id, now);
  const channel = preferredChannel(operator);
  const notification = channel
    ? await createNotification(services, trx, operator, { kind: 'password-changed', channel, at: now, how: change.how }, now)
    : undefined;
  await recordAudit(
    trx,
    {
      firmId: operator.FirmId,
      action: change.how === 'reset' ? 'authn_password_reset_complete' : 'authn_password_change',
      actor: { operatorId: operator.Id, userName: operator.UserName },
      entityType: 'operator',
      entityId: operator.Id,
      details: { revokedSessions, lockoutCleared: operator.LockoutUntil !== null || operator.FailedLoginCount > 0, notified: channel ?? 'no-address' },
      origin: change.origin,
    },
    now,
  );
  return { notification };
}
