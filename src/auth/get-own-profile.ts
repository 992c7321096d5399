// The signed-in operator's own profile (`GET /auth/me`).
import { toOperatorView, type OperatorView } from '../admin/operator-view';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import type { Actor } from './actor';
import { findOperatorInFirm } from './operator.queries';

export async function getOwnProfile(services: Pick<Services, 'db' | 'clock'>, actor: Actor): Promise<OperatorView> {
  const row = await findOperatorInFirm(services.db, actor.firmId, actor.operatorId);
  if (!row) throw new AppError('Unauthenticated');
  return toOperatorView(row, services.clock.now());
}
