// Status webhooks for accepted sends: Meta's status objects, and the automatic sent → delivered → read progression.
import { newConversationId } from './graph-ids';
import { webhookError } from './graph-errors';
import type { TaskTracker } from './task-tracker';
import { unixSeconds } from './webhook-envelope';

/** How the simulator reports what happens to the messages it accepts. */
export interface StatusBehaviour {
  /** Post statuses automatically after each accepted send. */
  auto: boolean;
  /** Delay of each status after acceptance. */
  delaysMs: { sent: number; delivered: number; read: number };
  /** Stop here (a user with read receipts off never produces `read`). */
  finalStatus: 'sent' | 'delivered' | 'read';
  /** Fail every accepted message with this error instead of delivering it. */
  failWith: { code: number; title?: string; details?: string } | null;
  /** Add `conversation` (API < v24) and `pricing` blocks to sent and delivered, as Meta does. */
  pricing: boolean;
}

export const defaultStatusBehaviour: StatusBehaviour = {
  auto: true,
  delaysMs: { sent: 50, delivered: 150, read: 300 },
  finalStatus: 'read',
  failWith: null,
  pricing: true,
};

/** What a status is about. */
export interface StatusSubject {
  messageId: string;
  recipientId: string;
  apiVersion: string;
  bizOpaqueCallbackData?: string;
  /** `service`, `utility`, `marketing`, `authentication`. */
  category: string;
  conversationId: string;
  acceptedAt: number;
}

export interface StatusObjectInput {
  subject: StatusSubject;
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'played';
  at: number;
  pricing: boolean;
  error?: { code: number; title?: string; details?: string };
}

function majorVersion(apiVersion: string): number {
  return Number(/^v(\d+)/.exec(apiVersion)?.[1] ?? '0');
}

/** One `statuses[]` item, shaped like ST's examples (conversation only before v24; pricing PMP). */
export function buildStatusObject(input: StatusObjectInput): Record<string, unknown> {
  const { subject } = input;
  const free = subject.category === 'service';
  const withBlocks = input.pricing && (input.status === 'sent' || input.status === 'delivered');
  return {
    id: subject.messageId,
    status: input.status,
    timestamp: unixSeconds(input.at),
    recipient_id: subject.recipientId,
    ...(subject.bizOpaqueCallbackData === undefined ? {} : { biz_opaque_callback_data: subject.bizOpaqueCallbackData }),
    ...(withBlocks && majorVersion(subject.apiVersion) < 24
      ? {
          conversation: {
            id: subject.conversationId,
            ...(input.status === 'sent' ? { expiration_timestamp: unixSeconds(subject.acceptedAt + 24 * 60 * 60 * 1000) } : {}),
            origin: { type: subject.category },
          },
        }
      : {}),
    ...(withBlocks
      ? { pricing: { billable: !free, pricing_model: 'PMP', type: free ? 'free_customer_service' : 'regular', category: subject.category } }
      : {}),
    ...(input.status === 'failed' ? { errors: [webhookError(input.error?.code ?? 131000, input.error ?? {})] } : {}),
  };
}

/** A new subject for an accepted message. */
export function statusSubject(fields: Omit<StatusSubject, 'conversationId'>): StatusSubject {
  return { ...fields, conversationId: newConversationId() };
}

/**
 * Schedules the statuses of one accepted message. Reactions only ever get `sent` (SEND-reaction); a failure
 * replaces delivered/read with one `failed` at the `sent` delay.
 */
export function scheduleStatuses(
  tracker: TaskTracker,
  behaviour: StatusBehaviour,
  subject: StatusSubject,
  options: { messageType: string; failWith?: { code: number; title?: string; details?: string } | null },
  post: (status: Record<string, unknown>) => Promise<unknown>,
): void {
  if (!behaviour.auto) return;
  const failWith = options.failWith ?? behaviour.failWith;
  const emit = (status: StatusObjectInput['status'], delay: number, error?: StatusObjectInput['error']) =>
    tracker.later(delay, () => post(buildStatusObject({ subject, status, at: Date.now(), pricing: behaviour.pricing, ...(error ? { error } : {}) })));
  if (failWith) {
    emit('failed', behaviour.delaysMs.sent, failWith);
    return;
  }
  const order = ['sent', 'delivered', 'read'] as const;
  const last = options.messageType === 'reaction' ? 0 : order.indexOf(behaviour.finalStatus);
  for (const [i, status] of order.entries()) if (i <= last) emit(status, behaviour.delaysMs[status]);
}
