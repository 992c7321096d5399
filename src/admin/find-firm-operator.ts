// Loads an operator of the caller's firm or answers 404: another firm's operator does not exist for this caller.
import type { Actor } from '../auth/actor';
import { findOperatorInFirm } from '../auth/operator.queries';
import type { OperatorRow } from '../db/tables';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';

export async function findFirmOperatorOr404(services: Pick<Services, 'db'>, actor: Actor, operatorId: string): Promise<OperatorRow> {
  const row = await findOperatorInFirm(services.db, actor.firmId, operatorId.toLowerCase());
  if (!row) throw new AppError('NotFound');
  return row;
}
