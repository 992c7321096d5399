// The real-time port: use cases announce what changed, by id, after commit; the adapter loads, scopes and delivers.

/**
 * What changed, by id (DESIGN.md §4 "Real-time"); each carries the firm it belongs to. The publisher turns these into
 * the client events of `realtime-events.schemas.ts`, reading the rows after commit, so callers never copy data here.
 * `change` names what moved: for messages `status`, `media`, `reaction`, `revoked`, `edited`; for conversations
 * `created`, `activity`, `reopened`, `assignment`, `status`, `unread`, `window`.
 */
export type RealtimeEvent =
  | { readonly type: 'message.created'; readonly firmId: number; readonly conversationId: string; readonly messageId: string }
  | { readonly type: 'message.updated'; readonly firmId: number; readonly conversationId: string; readonly messageId: string; readonly change: string }
  | {
      readonly type: 'conversation.updated';
      readonly firmId: number;
      readonly conversationId: string;
      readonly change: string;
      /**
       * For `assignment`: who had it before (null = unassigned). Agents who saw the conversation only through the old
       * assignment are told it left their view; without it, only those who see it now are told anything.
       */
      readonly previousAssigneeId?: string | null;
    }
  | { readonly type: 'operator.presence'; readonly firmId: number; readonly operatorId: string; readonly online: boolean };

/** Publishes events to the operators of a firm. Implementations must not throw for a delivery problem they can log. */
export interface RealtimePublisher {
  publish(events: readonly RealtimeEvent[]): Promise<void>;
}

/** Publishes nothing: used when no Web PubSub is configured. */
export const noopRealtimePublisher: RealtimePublisher = {
  publish: async () => {},
};
