// The conversation an operator sends into: of the caller's firm and visible to them (the inbox rule), with the reply window.
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor';
import type { Database } from '../db/tables';
import { canSeeConversation, inboxVisibilityOf } from '../inbox/visibility';
import { AppError } from '../shared/app-error';
import { isReplyWindowOpen, replyWindowUntil } from '../inbox/reply-window';


export interface ReplyTarget {
  readonly conversationId: string;
  readonly phoneNumberId: string;
  readonly customerId: string;
  readonly lastInboundAt: Date | null;
  readonly assigneeId: string | null;
}

/**
 * The conversation, if it belongs to the caller's firm and the caller may see it; otherwise NotFound, the same answer
 * as for an id that does not exist, so nothing about other firms or other agents' conversations leaks.
 */
export async function loadReplyTarget(db: Kysely<Database>, actor: Pick<Actor, 'firmId' | 'operatorId' | 'role'>, conversationId: string): Promise<ReplyTarget> {
  const row = await db
    .selectFrom('WhatsApp_Conversations as c')
    .innerJoin('WhatsApp_FirmSettings as f', 'f.FirmId', 'c.FirmId')
    .select(['c.Id', 'c.PhoneNumberId', 'c.CustomerId', 'c.LastInboundAt', 'c.AssignedOperatorId', 'f.InboxVisibility'])
    .where('c.Id', '=', conversationId)
    .where('c.FirmId', '=', actor.firmId)
    .executeTakeFirst();
  if (!row || !canSeeConversation(inboxVisibilityOf(row.InboxVisibility), actor, row.AssignedOperatorId)) throw new AppError('NotFound');
  return { conversationId: row.Id, phoneNumberId: row.PhoneNumberId, customerId: row.CustomerId, lastInboundAt: row.LastInboundAt, assigneeId: row.AssignedOperatorId };
}

/** Throws ReplyWindowClosed, saying when it closed, unless the window is open. */
export function requireOpenWindow(target: Pick<ReplyTarget, 'lastInboundAt'>, now: Date): void {
  if (isReplyWindowOpen(target.lastInboundAt, now)) return;
  const closedAt = replyWindowUntil(target.lastInboundAt);
  const when = closedAt ? closedAt.toISOString() : undefined;
  throw new AppError(
    'ReplyWindowClosed',
    when
      ? { tr: `24 saatlik yanıt penceresi ${when} tarihinde kapandı: yalnızca onaylı bir şablon gönderilebilir.`, en: `The 24-hour reply window closed at ${when}: only an approved template can be sent.` }
      : { tr: 'Müşteri henüz yazmadı, yanıt penceresi hiç açılmadı: yalnızca onaylı bir şablon gönderilebilir.', en: 'The customer has not written yet, so the reply window never opened: only an approved template can be sent.' },
    { closedAt: when ?? null },
  );
}
