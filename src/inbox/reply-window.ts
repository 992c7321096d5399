// The 24-hour customer-service window (WHATSAPP.md §10): free-form replies are allowed until 24 hours after the customer's last message.
import { AppError } from '../shared/app-error';

/** How long the window stays open after the customer's last message. */
export const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** When the window closes (or closed); null when the customer never wrote. */
export function replyWindowUntil(lastInboundAt: Date | null): Date | null {
  return lastInboundAt === null ? null : new Date(lastInboundAt.getTime() + REPLY_WINDOW_MS);
}

/** Whether free-form messages may be sent now. */
export function isReplyWindowOpen(lastInboundAt: Date | null, now: Date): boolean {
  const until = replyWindowUntil(lastInboundAt);
  return until !== null && now.getTime() < until.getTime();
}

/** Throws ReplyWindowClosed, saying when it closed, unless the window is open (free-form sends and their retries ask). */
export function requireOpenWindow(conversation: { readonly lastInboundAt: Date | null }, now: Date): void {
  if (isReplyWindowOpen(conversation.lastInboundAt, now)) return;
  const closedAt = replyWindowUntil(conversation.lastInboundAt);
  const when = closedAt ? closedAt.toISOString() : undefined;
  throw new AppError(
    'ReplyWindowClosed',
    when
      ? { tr: `24 saatlik yanıt penceresi ${when} tarihinde kapandı: yalnızca onaylı bir şablon gönderilebilir.`, en: `The 24-hour reply window closed at ${when}: only an approved template can be sent.` }
      : { tr: 'Müşteri henüz yazmadı, yanıt penceresi hiç açılmadı: yalnızca onaylı bir şablon gönderilebilir.', en: 'The customer has not written yet, so the reply window never opened: only an approved template can be sent.' },
    { closedAt: when ?? null },
  );
}
