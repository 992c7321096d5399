// The 24-hour customer-service window (WHATSAPP.md §10): free-form replies are allowed until 24 hours after the customer's last message.

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
