// POST /api/conversations/{conversationId}/assignment as a use case: claims, releases and admins' assignments, never double-claimed.
import type { Actor, RequestOrigin } from '../auth/actor';
import type { ConversationView } from '../realtime/realtime-events.schemas';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { changeAssignee, type AssignmentReason } from './change-assignee';
import { findActiveOperator, findConversationState } from './conversation.queries';
import { loadConversationViews } from './conversation-view';
import { publishConversationUpdate } from './publish-conversation-update';

/** Admins retry a compare-and-set this often when others keep moving the same conversation. */
const ADMIN_ATTEMPTS = 3;

type Outcome = { kind: 'changed'; from: string | null } | { kind: 'unchanged' };

/**
 * Sets the conversation's assignee (`operatorId` null unassigns). Admins may assign any active operator of their firm
 * (else NotFound naming `body.operatorId`). Agents may claim an unassigned conversation (another agent's claim wins a
 * race: ConversationAlreadyClaimed) or release their own; anything else is Forbidden. Asking for the assignee it
 * already has changes nothing and succeeds. Every change is audited and published as `conversation.updated`.
 */
export async function assignConversation(
  services: Pick<Services, 'db' | 'clock' | 'realtime'>,
  actor: Actor,
  origin: RequestOrigin,
  input: { conversationId: string; operatorId: string | null },
): Promise<ConversationView> {
  const { db } = services;
  const current = await findConversationState(db, actor.firmId, input.conversationId);
  if (!current) throw new AppError('NotFound');
  const target = input.operatorId;
  const who = { operatorId: actor.operatorId, userName: actor.userName };
  const change = (from: string | null, reason: AssignmentReason) =>
    changeAssignee(db, { firmId: actor.firmId, conversationId: input.conversationId, from, to: target, reason, actor: who, origin }, services.clock.now());

  let outcome: Outcome;
  if (actor.role === 'Agent') {
    outcome = await agentChange(actor, current.assigneeId, target, change, () => findConversationState(db, actor.firmId, input.conversationId));
  } else {
    if (target !== null && !(await findActiveOperator(db, actor.firmId, target))) {
      throw new AppError('NotFound', { tr: 'Bu firmada böyle etkin bir temsilci yok.', en: 'There is no such active operator in this firm.' }, { fields: { 'body.operatorId': 'is not an active operator of this firm' } });
    }
    outcome = { kind: 'unchanged' };
    let from = current.assigneeId;
    for (let attempt = 0; attempt < ADMIN_ATTEMPTS && from !== target; attempt += 1) {
      if (await change(from, 'manual')) {
        outcome = { kind: 'changed', from };
        break;
      }
      from = (await findConversationState(db, actor.firmId, input.conversationId))?.assigneeId ?? null;
    }
    if (outcome.kind === 'unchanged' && from !== target) throw new AppError('Conflict');
  }
  if (outcome.kind === 'changed') {
    await publishConversationUpdate(services.realtime, actor.firmId, input.conversationId, { change: 'assignment', previousAssigneeId: outcome.from });
  }
  const view = (await loadConversationViews(db, actor.firmId, [input.conversationId], services.clock.now())).get(input.conversationId);
  if (!view) throw new AppError('NotFound');
  return view;
}

async function agentChange(
  actor: Actor,
  assigneeId: string | null,
  target: string | null,
  change: (from: string | null, reason: AssignmentReason) => Promise<boolean>,
  reread: () => Promise<{ assigneeId: string | null } | undefined>,
): Promise<Outcome> {
  const me = actor.operatorId;
  if (target !== null && target !== me) throw new AppError('Forbidden');
  if (assigneeId === target) return { kind: 'unchanged' };
  if (target === me) {
    if (assigneeId !== null) throw new AppError('ConversationAlreadyClaimed');
    if (await change(null, 'claim')) return { kind: 'changed', from: null };
    // Lost the race (or the same agent's other request won it).
    if ((await reread())?.assigneeId === me) return { kind: 'unchanged' };
    throw new AppError('ConversationAlreadyClaimed');
  }
  if (assigneeId !== me) throw new AppError('Forbidden');
  if (await change(me, 'release')) return { kind: 'changed', from: me };
  if ((await reread())?.assigneeId === null) return { kind: 'unchanged' };
  throw new AppError('Forbidden');
}
