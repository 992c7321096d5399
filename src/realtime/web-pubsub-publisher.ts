// The Web PubSub adapter of the real-time port: loads what changed after commit, scopes it by the inbox rule, sends it.
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import type { Clock } from '../shared/clock';
import { loadConversationViews } from '../inbox/conversation-view';
import { loadInboxSettings } from '../inbox/inbox-settings.queries';
import type { InboxVisibility } from '../inbox/visibility';
import { conversationAudienceFilter, firmAudienceFilter, lostAudienceFilter } from './conversation-audience';
import {
  ConversationChangeSchema,
  MessageChangeSchema,
  type ConversationChange,
  type ConversationView,
  type MessageChange,
  type RealtimeClientEvent,
} from './realtime-events.schemas';
import type { RealtimeEvent, RealtimePublisher } from './realtime-publisher';
import { loadMessages, loadOperatorNames } from './realtime-views.queries';
import { BroadcastError, type HubBroadcast } from './web-pubsub-broadcast';

/** Where publishing problems are reported (the Functions log in production). */
export interface PublishLog {
  warn(message: string, ...details: unknown[]): void;
}

export interface WebPubSubPublisherDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly broadcast: HubBroadcast;
  readonly log?: PublishLog;
  /** Waits before each retry of a failed send; default 100, 300, 900 ms (then the failure is logged). */
  readonly retryDelaysMs?: readonly number[];
  /** Per-attempt time limit; default 5 s. */
  readonly attemptTimeoutMs?: number;
}

/**
 * One send: a client event for the hub's connections that `filter` selects (always within the firm's group). Sent to
 * the hub, not to a group, so clients receive every event alike as a server message. `lane` names what the event is
 * about (a conversation, an operator): events of one lane are sent in order.
 */
interface Delivery {
  readonly firmId: number;
  readonly lane: string;
  readonly event: RealtimeClientEvent;
  readonly filter: string;
}

/** Sends in flight at once per publish: a webhook with a thousand messages must not wait for a thousand round trips in a row. */
const LANES_AT_ONCE = 8;

/**
 * The publisher used when `WebPubSubConnectionString` is set. `publish` resolves when every event was delivered to
 * the service or given up on (retried briefly, then logged); it never throws, so a Web PubSub outage cannot fail a
 * webhook or a send: clients catch up through REST.
 */
export function createWebPubSubPublisher(deps: WebPubSubPublisherDeps): RealtimePublisher {
  const log = deps.log ?? console;
  return {
    async publish(events) {
      const byFirm = new Map<number, RealtimeEvent[]>();
      for (const event of events) {
        const list = byFirm.get(event.firmId);
        if (list) list.push(event);
        else byFirm.set(event.firmId, [event]);
      }
      const lanes = new Map<string, Delivery[]>();
      for (const [firmId, firmEvents] of byFirm) {
        try {
          for (const delivery of await buildDeliveries(deps, firmId, firmEvents)) {
            const lane = lanes.get(delivery.lane);
            if (lane) lane.push(delivery);
            else lanes.set(delivery.lane, [delivery]);
          }
        } catch (error) {
          log.warn(`realtime: could not read what changed for firm ${firmId}; ${firmEvents.length} event(s) not published`, error);
        }
      }
      // Lanes side by side, each in order: a client sees a conversation's changes in the order they happened.
      const queue = [...lanes.values()];
      const worker = async () => {
        for (let lane = queue.shift(); lane; lane = queue.shift()) for (const delivery of lane) await send(deps, log, delivery);
      };
      await Promise.all(Array.from({ length: Math.min(LANES_AT_ONCE, queue.length) }, worker));
    },
  };
}

interface MergedMessage {
  readonly messageId: string;
  readonly conversationId: string;
  created: boolean;
  readonly changes: Set<MessageChange>;
}

interface MergedConversation {
  readonly conversationId: string;
  readonly changes: Set<ConversationChange>;
  previousAssigneeId: string | null | undefined;
}

type Step = { kind: 'message'; merged: MergedMessage } | { kind: 'conversation'; merged: MergedConversation } | { kind: 'presence'; operatorId: string; online: boolean };

/** Folds a firm's events into one step per message and per conversation, at the first mention, keeping order. */
function fold(events: readonly RealtimeEvent[]): Step[] {
  const steps: Step[] = [];
  const messages = new Map<string, MergedMessage>();
  const conversations = new Map<string, MergedConversation>();
  for (const event of events) {
    if (event.type === 'operator.presence') {
      steps.push({ kind: 'presence', operatorId: event.operatorId, online: event.online });
    } else if (event.type === 'conversation.updated') {
      let merged = conversations.get(event.conversationId);
      if (!merged) {
        merged = { conversationId: event.conversationId, changes: new Set(), previousAssigneeId: undefined };
        conversations.set(event.conversationId, merged);
        steps.push({ kind: 'conversation', merged });
      }
      const change = ConversationChangeSchema.safeParse(event.change);
      if (change.success) merged.changes.add(change.data);
      if (merged.previousAssigneeId === undefined && event.previousAssigneeId !== undefined) merged.previousAssigneeId = event.previousAssigneeId;
    } else {
      let merged = messages.get(event.messageId);
      if (!merged) {
        merged = { messageId: event.messageId, conversationId: event.conversationId, created: false, changes: new Set() };
        messages.set(event.messageId, merged);
        steps.push({ kind: 'message', merged });
      }
      if (event.type === 'message.created') merged.created = true;
      else {
        const change = MessageChangeSchema.safeParse(event.change);
        if (change.success) merged.changes.add(change.data);
      }
    }
  }
  return steps;
}

async function buildDeliveries(deps: WebPubSubPublisherDeps, firmId: number, events: readonly RealtimeEvent[]): Promise<Delivery[]> {
  const steps = fold(events);
  const messageIds = steps.flatMap((s) => (s.kind === 'message' ? [s.merged.messageId] : []));
  const conversationIds = steps.flatMap((s) => (s.kind === 'message' || s.kind === 'conversation' ? [s.merged.conversationId] : []));
  const operatorIds = steps.flatMap((s) => (s.kind === 'presence' ? [s.operatorId] : []));
  const now = deps.clock.now();
  const [messages, conversations, visibility, names] = await Promise.all([
    messageIds.length > 0 ? loadMessages(deps.db, firmId, messageIds) : new Map<string, never>(),
    conversationIds.length > 0 ? loadConversationViews(deps.db, firmId, conversationIds, now) : new Map<string, ConversationView>(),
    conversationIds.length > 0 ? loadInboxSettings(deps.db, firmId).then((settings) => settings.visibility) : ('own-and-unassigned' as InboxVisibility),
    operatorIds.length > 0 ? loadOperatorNames(deps.db, firmId, operatorIds) : new Map<string, string>(),
  ]);
  const at = now.toISOString();
  // A conversation change that comes with a new message rides on its message.created (which carries the row), unless
  // agents must be told the conversation left their view: a webhook that opened a conversation and stored a message
  // sends one event, not three.
  const carried = new Set(
    steps.flatMap((s) => (s.kind === 'message' && s.merged.created && messages.get(s.merged.messageId)?.isAnnotation === false ? [s.merged.conversationId] : [])),
  );
  const deliveries: Delivery[] = [];
  for (const step of steps) {
    if (step.kind === 'presence') {
      const fullName = names.get(step.operatorId);
      if (fullName === undefined) continue;
      deliveries.push({ firmId, lane: `operator:${step.operatorId}`, filter: firmAudienceFilter(firmId), event: { type: 'operator.presence', firmId, at, operatorId: step.operatorId, fullName, online: step.online } });
      continue;
    }
    const conversation = conversations.get(step.merged.conversationId);
    if (!conversation) continue;
    const assigneeId = conversation.assignee?.id ?? null;
    const filter = conversationAudienceFilter(firmId, visibility, assigneeId);
    const lane = `conversation:${conversation.id}`;
    if (step.kind === 'message') {
      const message = messages.get(step.merged.messageId);
      if (!message || message.view.conversationId !== conversation.id) continue;
      const { conversationId } = step.merged;
      if (step.merged.created) {
        // An annotation shows on the message it changes, which gets its own message.updated.
        if (!message.isAnnotation) {
          deliveries.push({ firmId, lane, filter, event: { type: 'message.created', firmId, at, conversationId, message: message.view, conversation } });
        }
      } else {
        deliveries.push({ firmId, lane, filter, event: { type: 'message.updated', firmId, at, conversationId, changes: [...step.merged.changes], message: message.view } });
      }
      continue;
    }
    const previous = step.merged.previousAssigneeId;
    if (previous === undefined && carried.has(conversation.id)) continue;
    const changes = [...step.merged.changes];
    const lost = previous === undefined ? undefined : lostAudienceFilter(firmId, visibility, previous, assigneeId);
    if (lost !== undefined) {
      deliveries.push({ firmId, lane, filter: lost, event: { type: 'conversation.updated', firmId, at, conversationId: conversation.id, changes, visible: false } });
    }
    deliveries.push({ firmId, lane, filter, event: { type: 'conversation.updated', firmId, at, conversationId: conversation.id, changes, visible: true, conversation } });
  }
  return deliveries;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Refused connections, 408, 429 and 5xx are retried. A send that timed out is not: the service may have taken it, and
 * retrying a slow service only adds load; clients catch up through REST either way.
 */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof BroadcastError)) return false;
  if (error.timedOut) return false;
  const status = error.statusCode;
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

async function send(deps: WebPubSubPublisherDeps, log: PublishLog, delivery: Delivery): Promise<void> {
  const delays = deps.retryDelaysMs ?? [100, 300, 900];
  for (let attempt = 0; ; attempt += 1) {
    try {
      await deps.broadcast.sendToAll(delivery.event, { filter: delivery.filter, timeoutMs: deps.attemptTimeoutMs ?? 5000 });
      return;
    } catch (error) {
      const delay = delays[attempt];
      if (delay === undefined || !isRetryable(error)) {
        log.warn(`realtime: could not publish ${delivery.event.type} to firm ${delivery.firmId} after ${attempt + 1} attempt(s); clients catch up through REST`, error);
        return;
      }
      await sleep(delay);
    }
  }
}
