// Lists the operators of the admin's firm (firms have tens of operators, so no paging).
import type { Actor } from '../auth/actor';
import type { Services } from '../services';
import { toOperatorView, type OperatorView } from './operator-view';

/** More than any firm has; a bound so a runaway table cannot make one huge answer. */
const MAX_OPERATORS = 1000;

export async function listOperators(services: Pick<Services, 'db' | 'clock'>, actor: Actor): Promise<{ items: OperatorView[] }> {
  const rows = await services.db.selectFrom('WhatsApp_Operators').selectAll().where('FirmId', '=', actor.firmId).orderBy('UserNameNormalized').execute();
  const now = services.clock.now();
  return { items: rows.slice(0, MAX_OPERATORS).map((row) => toOperatorView(row, now)) };
}
