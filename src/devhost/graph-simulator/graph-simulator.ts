// A local stand-in for Meta's WhatsApp Cloud API (Graph API) on node:http: sends, media, templates, faults, signed webhooks.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleControlRequest } from './control-api';
import { createFaultRules } from './fault-rules';
import { graphError } from './graph-errors';
import { createGraphRequestHandler } from './graph-request-handler';
import type { GraphSimulator, GraphSimulatorOptions, RecordedRequest } from './graph-simulator.types';
import { sendJson } from './http-io';
import { createMediaStore } from './media-store';
import { createPairLimiter, createThroughputLimiter } from './rate-limits';
import { sendInbound, sendStatus } from './send-inbound';
import type { SimulatorState } from './simulator-state';
import { defaultStatusBehaviour } from './status-progression';
import { createTaskTracker } from './task-tracker';
import { createTemplateStore } from './template-store';
import { webhookEnvelope } from './webhook-envelope';
import { createWebhookSender } from './webhook-sender';

export type * from './graph-simulator.types';

/**
 * Starts the simulator. Graph paths are served under `/{vNN.N}/…` with Meta's shapes and errors; `/_sim/…` is the
 * control API for other processes; media downloads live at `/whatsapp_business/attachments/` like Meta's lookaside URLs.
 */
export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<GraphSimulator> {
  if (options.phoneNumbers.length === 0) throw new Error('startGraphSimulator needs at least one phone number');
  const tracker = createTaskTracker();
  const heldSockets = new Set<Socket>();
  let webhookUrl = options.webhookUrl;
  let seq = 0;
  const requests: RecordedRequest[] = [];
  const webhooks = createWebhookSender({
    appSecret: options.appSecret,
    webhookUrl: () => webhookUrl,
    retryDelaysMs: options.webhookRetryDelaysMs ?? [200, 1000, 3000],
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    tracker,
  });
  const state: SimulatorState = {
    baseUrl: '',
    apiVersion: options.apiVersion ?? 'v21.0',
    accessToken: options.accessToken,
    phoneNumbers: options.phoneNumbers.map((p) => ({ ...p })),
    mediaUrlTtlMs: options.mediaUrlTtlMs ?? 5 * 60 * 1000,
    media: createMediaStore(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    templates: createTemplateStore(options.templates),
    faults: createFaultRules(options.random ?? Math.random),
    throughput: createThroughputLimiter(options.throughputPerSecond === undefined ? 80 : options.throughputPerSecond),
    pair: createPairLimiter(options.pairRateLimit ?? null),
    statusBehaviour: { ...defaultStatusBehaviour, ...options.statuses },
    tracker,
    webhooks,
    accepted: new Map(),
    requests,
    nextSeq: () => ++seq,
    postStatus: (phone, status) => webhooks.deliver(webhookEnvelope(phone, { statuses: [status] }), `status ${String(status.status)}`),
  };

  const handle = createGraphRequestHandler(state, (method, path, query, body) => handleControlRequest(sim, method, path, query, body), heldSockets);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, graphError(1, { message: `Simulator error: ${error instanceof Error ? error.message : String(error)}` }).body);
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  state.baseUrl = `http://${host}:${port}`;

  const sim: GraphSimulator = {
    baseUrl: state.baseUrl,
    port,
    apiVersion: state.apiVersion,
    phoneNumbers: state.phoneNumbers,
    templates: state.templates,
    async stop() {
      tracker.stop();
      for (const socket of heldSockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    received(filter = {}) {
      return requests
        .filter(
          (r) =>
            (filter.sinceSeq === undefined || r.seq > filter.sinceSeq) &&
            (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
            (filter.pathIncludes === undefined || r.path.includes(filter.pathIncludes)),
        )
        .map((r) => structuredClone(r));
    },
    clearReceived() {
      requests.length = 0;
    },
    sentMessages: () => [...state.accepted.values()].map((m) => structuredClone(m)),
    injectFault: (rule) => state.faults.add(rule),
    removeFault: (id) => state.faults.remove(id),
    clearFaults: () => state.faults.clear(),
    faults: () => state.faults.list(),
    setThroughputLimit: (perSecond) => state.throughput.setLimit(perSecond),
    setPairRateLimit: (limit) => state.pair.configure(limit),
    statusBehaviour: () => structuredClone(state.statusBehaviour),
    setStatusBehaviour(patch) {
      state.statusBehaviour = { ...state.statusBehaviour, ...patch, delaysMs: { ...state.statusBehaviour.delaysMs, ...patch.delaysMs } };
      return structuredClone(state.statusBehaviour);
    },
    sendInbound: (inbound) => sendInbound(state, inbound),
    sendStatus: (status) => sendStatus(state, status),
    postWebhook: (payload, label = 'custom') => webhooks.deliver(payload, label),
    registerMedia: (input) => state.media.put({ ...input, origin: 'inbound' }),
    media: (id) => state.media.get(id),
    mediaUrl: (id) => state.media.signedUrl(state.baseUrl, id, state.mediaUrlTtlMs),
    webhookDeliveries: () => webhooks.deliveries(),
    whenIdle: () => tracker.whenIdle(),
  };
  return sim;
}
