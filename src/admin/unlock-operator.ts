// An admin lifts an operator's lockout early and clears the failure count.
import type { Actor, RequestOrigin } from '../auth/actor';
import { findOperatorInFirm } from '../auth/operator.queries';
import { recordAudit } from '../audit/record-audit';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { findFirmOperatorOr404 } from './find-firm-operator';
import { toOperatorView, type OperatorView } from './operator-view';

export async function unlockOperator(services: Services, actor: Actor, operatorId: string, origin: RequestOrigin): Promise<OperatorView> {
  const before = await findFirmOperatorOr404(services, actor, operatorId);
  const now = services.clock.now();
  await services.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('WhatsApp_Operators')
      .set({ FailedLoginCount: 0, LockoutUntil: null, UpdatedAt: now })
      .where('FirmId', '=', actor.firmId)
      .where('Id', '=', before.Id)
      .execute();
    await recordAudit(
      trx,
      {
        firmId: actor.firmId,
        action: 'user_unlocked',
        actor,
        entityType: 'operator',
        entityId: before.Id,
        details: { wasLockedUntil: before.LockoutUntil?.toISOString() ?? null, failedLoginCount: before.FailedLoginCount },
        origin,
      },
      now,
    );
  });
  const after = await findOperatorInFirm(services.db, actor.firmId, before.Id);
  if (!after) throw new AppError('NotFound');
  return toOperatorView(after, services.clock.now());
}
