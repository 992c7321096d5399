// PATCH /api/conversations/{conversationId} as a use case: Open, Pending or Resolved, by whoever may act on the conversation.
import type { Actor, RequestOrigin } from '../auth/actor';
import { recordAudit } from '../audit/record-audit';
import type { ConversationView } from '../realtime/realtime-events.schemas';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { requireConversation } from './conversation-access';
import { setConversationStatus } from './conversation.queries';
import { loadConversationViews, type ConversationStatus } from './conversation-view';
import { publishConversationUpdate } from './publish-conversation-update';

/** Others moving the same conversation at the same moment make a compare-and-set fail; it is retried this often. */
const STATUS_ATTEMPTS = 3;

/**
 * Moves the status (resolving stamps `resolvedAt`; the assignee stays, so a reopened conversation can go back to
 * them). Admins act on any conversation of their firm, agents on unassigned ones and their own (Forbidden otherwise,
 * also when another agent takes it meanwhile). The same status again changes nothing. Audited and published.
 */
export async function updateConversationStatus(
  services: Pick<Services, 'db' | 'clock' | 'realtime'>,
  actor: Actor,
  origin: RequestOrigin,
  input: { conversationId: string; status: ConversationStatus },
): Promise<ConversationView> {
  const { db } = services;
  let changed = false;
  let already = false;
  // A compare-and-set on the status read, so the audit's "from" is exactly what was replaced; retried if it moved.
  for (let attempt = 0; attempt < STATUS_ATTEMPTS && !changed; attempt += 1) {
    const { conversation } = await requireConversation(db, actor, input.conversationId, 'act');
    if (conversation.status === input.status) {
      already = true;
      break;
    }
    const now = services.clock.now();
    changed = await db.transaction().execute(async (trx) => {
      const done = await setConversationStatus(trx, {
        firmId: actor.firmId,
        conversationId: input.conversationId,
        from: conversation.status,
        status: input.status,
        expectedAssignee: actor.role === 'Admin' ? 'any' : conversation.assigneeId,
        now,
      });
      if (done) {
        await recordAudit(
          trx,
          {
            firmId: actor.firmId,
            action: 'conversation.status_changed',
            actor: { operatorId: actor.operatorId, userName: actor.userName },
            entityType: 'conversation',
            entityId: input.conversationId,
            details: { from: conversation.status, to: input.status },
            origin,
          },
          now,
        );
      }
      return done;
    });
  }
  if (!changed && !already) throw new AppError('Conflict');
  if (changed) await publishConversationUpdate(services.realtime, actor.firmId, input.conversationId, { change: 'status' });
  const view = (await loadConversationViews(db, actor.firmId, [input.conversationId], services.clock.now())).get(input.conversationId);
  if (!view) throw new AppError('NotFound');
  return view;
}
