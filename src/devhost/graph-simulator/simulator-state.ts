// The shared state one running simulator's routes work on.
import type { FaultRules } from './fault-rules';
import type { AcceptedMessage, RecordedRequest } from './graph-simulator.types';
import type { MediaStore } from './media-store';
import type { PairLimiter, ThroughputLimiter } from './rate-limits';
import type { StatusBehaviour } from './status-progression';
import type { TaskTracker } from './task-tracker';
import type { TemplateStore } from './template-store';
import type { SimulatedPhoneNumber } from './webhook-envelope';
import type { WebhookDelivery, WebhookSender } from './webhook-sender';

export interface SimulatorState {
  baseUrl: string;
  apiVersion: string;
  accessToken: string;
  phoneNumbers: readonly SimulatedPhoneNumber[];
  mediaUrlTtlMs: number;
  media: MediaStore;
  templates: TemplateStore;
  faults: FaultRules;
  throughput: ThroughputLimiter;
  pair: PairLimiter;
  statusBehaviour: StatusBehaviour;
  tracker: TaskTracker;
  webhooks: WebhookSender;
  accepted: Map<string, AcceptedMessage>;
  requests: RecordedRequest[];
  nextSeq(): number;
  /** Posts one `statuses[]` item for a phone number, signed. */
  postStatus(phone: SimulatedPhoneNumber, status: Record<string, unknown>): Promise<WebhookDelivery>;
}

/** What a route answers; the server decides how (now, late, never, reset) from the fault that applies. */
export interface RouteResult {
  status: number;
  body: unknown;
  /** Binary answers (media download). */
  raw?: { bytes: Buffer; contentType: string };
  acceptedMessageId?: string;
}

export function phoneById(state: SimulatorState, phoneNumberId: string): SimulatedPhoneNumber | undefined {
  return state.phoneNumbers.find((p) => p.phoneNumberId === phoneNumberId);
}
