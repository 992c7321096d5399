// One assignment change, written and audited together: the compare-and-set on the conversation and its audit row.
import type { Kysely } from 'kysely';
import type { RequestOrigin } from '../auth/actor';
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../db/tables';
import { compareAndSetAssignee } from './conversation.queries';

/** Why the assignee moved: an agent's claim or release, an admin's choice, the automatic rule, or the offline hand-back. */
export type AssignmentReason = 'claim' | 'release' | 'manual' | 'auto' | 'reopened' | 'offline' | 'inactive';

export interface AssigneeChange {
  readonly firmId: number;
  readonly conversationId: string;
  /** Who has it now (null: unassigned); the change happens only if that is still so. */
  readonly from: string | null;
  readonly to: string | null;
  readonly reason: AssignmentReason;
  /** The operator who made the change; none for the automatic rule. */
  readonly actor?: { readonly operatorId: string; readonly userName: string } | undefined;
  readonly origin?: RequestOrigin | undefined;
}

/**
 * Applies the change inside the caller's transaction: false (and nothing written) when the assignee is no longer
 * `from`; otherwise the row is updated and `conversation.assigned` / `conversation.unassigned` is audited with who
 * did it, from whom, to whom and why.
 */
export async function changeAssigneeIn(trx: Kysely<Database>, change: AssigneeChange, now: Date): Promise<boolean> {
  const changed = await compareAndSetAssignee(trx, { firmId: change.firmId, conversationId: change.conversationId, expected: change.from, next: change.to, now });
  if (!changed) return false;
  await recordAudit(
    trx,
    {
      firmId: change.firmId,
      action: change.to === null ? 'conversation.unassigned' : 'conversation.assigned',
      actor: change.actor,
      entityType: 'conversation',
      entityId: change.conversationId,
      details: { from: change.from, to: change.to, reason: change.reason },
      origin: change.origin,
    },
    now,
  );
  return true;
}

/** {@link changeAssigneeIn} in its own transaction. */
export function changeAssignee(db: Kysely<Database>, change: AssigneeChange, now: Date): Promise<boolean> {
  return db.transaction().execute((trx) => changeAssigneeIn(trx, change, now));
}
