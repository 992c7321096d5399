// An admin changes an operator of their firm: name, contact, language, role, active flag.
import type { z } from 'zod';
import type { Actor, RequestOrigin } from '../auth/actor';
import { bumpTokenVersion, findOperatorInFirm } from '../auth/operator.queries';
import { revokeAllSessions } from '../auth/session.queries';
import { normalizeEmail } from '../auth/user-name';
import { recordAudit } from '../audit/record-audit';
import type { RowUpdate } from '../db/tables';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import type { UpdateOperatorBodySchema } from './admin.schemas';
import { findFirmOperatorOr404 } from './find-firm-operator';
import { toOperatorView, type OperatorView } from './operator-view';
import { closeOperatorConnections } from '../realtime/close-operator-connections';

export type UpdateOperatorInput = z.infer<typeof UpdateOperatorBodySchema>;

/**
 * Applies the changes. A role change or a deactivation also bumps the token version and revokes every session,
 * so the operator's next request with an old token is refused. Admins cannot demote or deactivate themselves
 * (a firm must not lose its last way in by accident).
 */
export async function updateOperator(services: Services, actor: Actor, operatorId: string, input: UpdateOperatorInput, origin: RequestOrigin): Promise<OperatorView> {
  const before = await findFirmOperatorOr404(services, actor, operatorId);
  const self = before.Id === actor.operatorId;
  if (self && ((input.role !== undefined && input.role !== before.Role) || input.isActive === false)) {
    throw new AppError('Conflict', { tr: 'Kendi rolünüzü düşüremez veya hesabınızı kapatamazsınız.', en: 'You cannot demote or deactivate yourself.' });
  }
  const now = services.clock.now();
  const changes: RowUpdate<'WhatsApp_Operators'> = { UpdatedAt: now };
  const changed: string[] = [];
  const change = (field: string, update: RowUpdate<'WhatsApp_Operators'>) => {
    Object.assign(changes, update);
    changed.push(field);
  };
  if (input.fullName !== undefined && input.fullName !== before.FullName) change('fullName', { FullName: input.fullName });
  if (input.email !== undefined && input.email !== before.Email) {
    change('email', { Email: input.email, EmailNormalized: input.email === null ? null : normalizeEmail(input.email) });
  }
  if (input.phone !== undefined && input.phone !== before.Phone) change('phone', { Phone: input.phone });
  if (input.language !== undefined && input.language !== before.PreferredLanguage) change('language', { PreferredLanguage: input.language });
  const roleChanged = input.role !== undefined && input.role !== before.Role;
  if (roleChanged) change('role', { Role: input.role });
  const deactivated = input.isActive === false && before.IsActive;
  const reactivated = input.isActive === true && !before.IsActive;
  if (deactivated || reactivated) change('isActive', { IsActive: input.isActive });

  if (changed.length > 0) {
    await services.db.transaction().execute(async (trx) => {
      await trx.updateTable('WhatsApp_Operators').set(changes).where('FirmId', '=', actor.firmId).where('Id', '=', before.Id).execute();
      const entity = { entityType: 'operator', entityId: before.Id, origin, actor, firmId: actor.firmId } as const;
      if (roleChanged || deactivated) {
        await bumpTokenVersion(trx, actor.firmId, before.Id, now);
        const revokedSessions = await revokeAllSessions(trx, before.Id, now, deactivated ? 'deactivated' : 'role-changed');
        if (roleChanged) await recordAudit(trx, { ...entity, action: 'privilege_permissions_changed', details: { from: before.Role, to: input.role, revokedSessions } }, now);
        if (deactivated) await recordAudit(trx, { ...entity, action: 'user_archived', details: { revokedSessions } }, now);
      }
      if (reactivated) await recordAudit(trx, { ...entity, action: 'user_restored' }, now);
      await recordAudit(trx, { ...entity, action: 'user_updated', details: { fields: changed } }, now);
    });
  }
  if (roleChanged || deactivated) await closeOperatorConnections(services, actor.firmId, before.Id, deactivated ? 'deactivated' : 'role-changed');
  const after = await findOperatorInFirm(services.db, actor.firmId, before.Id);
  if (!after) throw new AppError('NotFound');
  return toOperatorView(after, services.clock.now());
}
