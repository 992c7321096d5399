// The assignment timer's work: hand back conversations of agents gone offline, then give waiting conversations to agents online.
import { changeAssignee } from '../inbox/change-assignee';
import { firstRows } from '../inbox/first-rows';
import { loadInboxSettings } from '../inbox/inbox-settings.queries';
import { publishConversationUpdate } from '../inbox/publish-conversation-update';
import { agentPresenceIsConfigured } from './assignment-availability';
import { keepsConversations, onlineAgents, presenceStates } from './agent-presence';
import { assignByRule, type AssignmentServices } from './auto-assign';

/** Conversations moved per firm and step in one run; the next run continues (keeps a run short whatever the backlog). */
const BATCH = 200;

export interface SweepResult {
  readonly firms: number;
  /** Conversations handed back to the queue because their agent was offline too long or deactivated. */
  readonly released: number;
  /** Waiting conversations given to an agent online. */
  readonly assigned: number;
}

interface SweepLog {
  warn(...args: unknown[]): void;
}

/**
 * Every firm with automatic assignment on: first the hand-back (open or pending conversations of agents offline longer
 * than the firm's grace period, or deactivated, go back to the queue), then the queue (open, unassigned, longest
 * waiting first) is shared out among the agents online by the firm's rule. A firm whose presence cannot be read is
 * skipped, so a storage outage never strips agents of their conversations.
 */
export async function runAssignmentSweep(services: AssignmentServices, log: SweepLog = console): Promise<SweepResult> {
  if (!agentPresenceIsConfigured(services.config)) return { firms: 0, released: 0, assigned: 0 };
  const firms = await services.db.selectFrom('WhatsApp_FirmSettings').select('FirmId').where('AssignmentMode', 'in', ['round-robin', 'least-open']).execute();
  let released = 0;
  let assigned = 0;
  for (const { FirmId: firmId } of firms) {
    try {
      const result = await sweepFirm(services, firmId);
      released += result.released;
      assigned += result.assigned;
    } catch (error) {
      log.warn(`assignment: the sweep of firm ${firmId} failed; it runs again on the next tick`, error);
    }
  }
  return { firms: firms.length, released, assigned };
}

/** One firm's hand-back and queue, as {@link runAssignmentSweep} describes. */
export async function sweepFirm(services: AssignmentServices, firmId: number): Promise<{ released: number; assigned: number }> {
  const { db } = services;
  const settings = await loadInboxSettings(db, firmId);
  if (settings.assignmentMode === 'off') return { released: 0, assigned: 0 };
  const now = services.clock.now();
  const states = await presenceStates(services, firmId);
  const operators = await db.selectFrom('WhatsApp_Operators').select(['Id', 'IsActive']).where('FirmId', '=', firmId).execute();

  let released = 0;
  for (const operator of operators) {
    if (keepsConversations(states.get(operator.Id), operator.IsActive, settings.offlineGraceSeconds, now)) continue;
    const heldQuery = db
      .selectFrom('WhatsApp_Conversations')
      .select('Id')
      .where('FirmId', '=', firmId)
      .where('AssignedOperatorId', '=', operator.Id)
      .where('Status', 'in', ['Open', 'Pending']);
    const held = await firstRows(heldQuery, services.dialect, BATCH).execute();
    for (const { Id: conversationId } of held) {
      const reason = operator.IsActive ? 'offline' : 'inactive';
      if (await changeAssignee(db, { firmId, conversationId, from: operator.Id, to: null, reason }, services.clock.now())) {
        released += 1;
        await publishConversationUpdate(services.realtime, firmId, conversationId, { change: 'assignment', previousAssigneeId: operator.Id });
      }
    }
  }

  const agents = await onlineAgents(services, firmId);
  let assigned = 0;
  if (agents.length > 0) {
    const waitingQuery = db
      .selectFrom('WhatsApp_Conversations')
      .select('Id')
      .where('FirmId', '=', firmId)
      .where('AssignedOperatorId', 'is', null)
      .where('Status', '=', 'Open')
      .orderBy('LastMessageAt', 'asc')
      .orderBy('Id', 'asc');
    const waiting = await firstRows(waitingQuery, services.dialect, BATCH).execute();
    for (const { Id: conversationId } of waiting) {
      if ((await assignByRule(services, firmId, conversationId, agents, 'auto')) !== undefined) assigned += 1;
    }
  }
  return { released, assigned };
}
