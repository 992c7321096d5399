// Gives the webhook its automatic-assignment step: the composition the Functions entry points use (inbox, issue 6).
import type { Services } from '../services';
import { onConversationsOpened } from './auto-assign';

/** The services plus `onConversationsOpened`, which the webhook calls after commit for conversations it created or reopened. */
export function withAssignment<S extends Services>(services: S, log: { warn(...args: unknown[]): void }): S & { onConversationsOpened: (firmId: number, opened: readonly { conversationId: string; reopened: boolean }[]) => Promise<void> } {
  return { ...services, onConversationsOpened: (firmId, opened) => onConversationsOpened(services, firmId, opened, log) };
}
