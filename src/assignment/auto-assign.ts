// Automatic assignment of one conversation by the firm's rule (round-robin or least-open among online agents).
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import { changeAssignee, changeAssigneeIn, type AssignmentReason } from '../inbox/change-assignee';
import { findConversationState } from '../inbox/conversation.queries';
import { loadInboxSettings, type InboxSettings } from '../inbox/inbox-settings.queries';
import { publishConversationUpdate } from '../inbox/publish-conversation-update';
import type { Services } from '../services';
import { agentPresenceIsConfigured } from './assignment-availability';
import { keepsConversations, onlineAgents, presenceStates } from './agent-presence';
import { chooseLeastOpen, chooseRoundRobin } from './choose-assignee';

export type AssignmentServices = Pick<Services, 'db' | 'dialect' | 'clock' | 'realtime' | 'storage' | 'config'>;

/** Concurrent assigners of one firm retry when another moved the round-robin pointer first. */
const POINTER_ATTEMPTS = 5;

class PointerMoved extends Error {}

/** Open conversations per agent: what least-open compares. */
async function openCounts(db: Kysely<Database>, firmId: number, agents: readonly string[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('WhatsApp_Conversations')
    .select((eb) => ['AssignedOperatorId', eb.fn.countAll().as('n')])
    .where('FirmId', '=', firmId)
    .where('Status', '=', 'Open')
    .where('AssignedOperatorId', 'in', agents)
    .groupBy('AssignedOperatorId')
    .execute();
  return new Map(rows.map((row) => [row.AssignedOperatorId ?? '', Number(row.n)]));
}

/**
 * Assigns an unassigned conversation to the agent the firm's rule picks among `agents` (online, sorted). The choice,
 * the conversation update, its audit row and the round-robin pointer commit together; the pointer is itself a
 * compare-and-set, so concurrent assigners of one firm take turns instead of picking the same agent.
 * @returns the agent chosen, or undefined (no agent, mode off, or the conversation was taken meanwhile)
 */
export async function assignByRule(services: AssignmentServices, firmId: number, conversationId: string, agents: readonly string[], reason: AssignmentReason): Promise<string | undefined> {
  if (agents.length === 0) return undefined;
  for (let attempt = 0; attempt < POINTER_ATTEMPTS; attempt += 1) {
    const settings = await loadInboxSettings(services.db, firmId);
    if (settings.assignmentMode === 'off') return undefined;
    const last = settings.lastAssignedOperatorId;
    const chosen =
      settings.assignmentMode === 'least-open' ? chooseLeastOpen(agents, await openCounts(services.db, firmId, agents), last) : chooseRoundRobin(agents, last);
    if (chosen === undefined) return undefined;
    const now = services.clock.now();
    try {
      const assigned = await services.db.transaction().execute(async (trx) => {
        if (!(await changeAssigneeIn(trx, { firmId, conversationId, from: null, to: chosen, reason }, now))) return false;
        let pointer = trx.updateTable('WhatsApp_FirmSettings').set({ LastAssignedOperatorId: chosen, UpdatedAt: now }).where('FirmId', '=', firmId);
        pointer = last === null ? pointer.where('LastAssignedOperatorId', 'is', null) : pointer.where('LastAssignedOperatorId', '=', last);
        if (Number((await pointer.executeTakeFirst()).numUpdatedRows) !== 1) throw new PointerMoved();
        return true;
      });
      if (!assigned) return undefined;
      await publishConversationUpdate(services.realtime, firmId, conversationId, { change: 'assignment', previousAssigneeId: null });
      return chosen;
    } catch (error) {
      if (!(error instanceof PointerMoved)) throw error;
    }
  }
  return undefined;
}

/**
 * The rule for a conversation that just opened: new (`reopened` false) or reopened by a customer's message. With
 * automatic assignment on, a reopened conversation stays with its assignee while they are active and online (or
 * offline within the grace period); otherwise it goes back to the queue and, like a new one, to the agent the rule
 * picks among those online. With it off nothing changes. Failures of presence leave the conversation as it is.
 * @returns who has the conversation afterwards (null: it waits in the queue)
 */
export async function onConversationOpened(
  services: AssignmentServices,
  input: { firmId: number; conversationId: string; reopened: boolean },
  agentsOnline: () => Promise<readonly string[]> = () => onlineAgents(services, input.firmId),
): Promise<string | null> {
  const { firmId, conversationId } = input;
  const settings = await loadInboxSettings(services.db, firmId);
  const state = await findConversationState(services.db, firmId, conversationId);
  if (!state || settings.assignmentMode === 'off' || state.status !== 'Open') return state?.assigneeId ?? null;
  if (state.assigneeId !== null) {
    const keep = !input.reopened || !agentPresenceIsConfigured(services.config) || (await assigneeStays(services, settings, firmId, state.assigneeId));
    if (keep) return state.assigneeId;
    const released = await changeAssignee(services.db, { firmId, conversationId, from: state.assigneeId, to: null, reason: 'reopened' }, services.clock.now());
    if (!released) return (await findConversationState(services.db, firmId, conversationId))?.assigneeId ?? null;
    await publishConversationUpdate(services.realtime, firmId, conversationId, { change: 'assignment', previousAssigneeId: state.assigneeId });
  }
  return (await assignByRule(services, firmId, conversationId, await agentsOnline(), input.reopened ? 'reopened' : 'auto')) ?? null;
}

async function assigneeStays(services: AssignmentServices, settings: InboxSettings, firmId: number, operatorId: string): Promise<boolean> {
  const operator = await services.db.selectFrom('WhatsApp_Operators').select('IsActive').where('FirmId', '=', firmId).where('Id', '=', operatorId).executeTakeFirst();
  const states = await presenceStates(services, firmId);
  return keepsConversations(states.get(operatorId), operator?.IsActive === true, settings.offlineGraceSeconds, services.clock.now());
}

/**
 * {@link onConversationOpened} for each conversation a webhook created or reopened, in order. Never throws: a
 * conversation it could not assign waits in the queue, and the assignment sweep picks it up.
 */
export async function onConversationsOpened(
  services: AssignmentServices,
  firmId: number,
  opened: readonly { conversationId: string; reopened: boolean }[],
  log: { warn(...args: unknown[]): void } = console,
): Promise<void> {
  if (opened.length === 0) return;
  try {
    if ((await loadInboxSettings(services.db, firmId)).assignmentMode === 'off') return;
  } catch (error) {
    log.warn(`assignment: could not read the settings of firm ${firmId}; ${opened.length} conversation(s) wait in the queue`, error);
    return;
  }
  // Presence is read once per batch: a webhook may open many conversations at once.
  let agents: Promise<readonly string[]> | undefined;
  const agentsOnline = () => (agents ??= onlineAgents(services, firmId));
  for (const conversation of opened) {
    try {
      await onConversationOpened(services, { firmId, ...conversation }, agentsOnline);
    } catch (error) {
      log.warn(`assignment: could not assign conversation ${conversation.conversationId} of firm ${firmId}`, error);
    }
  }
}
