// The /_sim/… control API: lets another process (scripts/simulate.ts, the dev host) drive a running simulator.
import type { z } from 'zod';
import {
  FaultRuleSchema,
  InboundSchema,
  LimitsSchema,
  MediaUploadSchema,
  StatusBehaviourPatchSchema,
  StatusSchema,
  TemplateInputSchema,
  WebhookUrlSchema,
  type InboundMediaBody,
} from './control-api.schemas';
import type { FaultRuleInput, GraphSimulator, InboundMediaInput, SendInboundOptions } from './graph-simulator.types';
import type { RouteResult } from './simulator-state';
import type { MessageTemplateInput } from './template-store';

type Handler = (sim: GraphSimulator, body: unknown, query: URLSearchParams, param: string | undefined) => Promise<RouteResult> | RouteResult;

const ok = (body: unknown, status = 200): RouteResult => ({ status, body });

class ControlInputError extends Error {}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ControlInputError(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function mediaInput(body: InboundMediaBody | undefined): InboundMediaInput | undefined {
  if (body === undefined) return undefined;
  const { caption, filename, voice, animated } = body;
  const extras = {
    ...(caption === undefined ? {} : { caption }),
    ...(filename === undefined ? {} : { filename }),
    ...(voice === undefined ? {} : { voice }),
    ...(animated === undefined ? {} : { animated }),
  };
  return 'mediaId' in body ? { mediaId: body.mediaId, ...extras } : { bytes: Buffer.from(body.base64, 'base64'), mimeType: body.mimeType, ...extras };
}

function inboundOptions(body: z.infer<typeof InboundSchema>): SendInboundOptions {
  const { image, video, audio, document, sticker, ...rest } = body;
  const media = { image: mediaInput(image), video: mediaInput(video), audio: mediaInput(audio), document: mediaInput(document), sticker: mediaInput(sticker) };
  const options: SendInboundOptions = { ...rest };
  for (const [kind, value] of Object.entries(media)) if (value !== undefined) options[kind as keyof typeof media] = value;
  return options;
}

const routes: Record<string, Handler> = {
  'GET health': () => ok({ ok: true }),
  'GET config': (sim) => ok({ baseUrl: sim.baseUrl, apiVersion: sim.apiVersion, phoneNumbers: sim.phoneNumbers }),
  'PUT webhook-url': (sim, body) => {
    const { url } = parse(WebhookUrlSchema, body);
    sim.setWebhookUrl(url ?? undefined);
    return ok({ url });
  },
  'GET faults': (sim) => ok({ data: sim.faults() }),
  'POST faults': (sim, body) => ok(sim.injectFault(parse(FaultRuleSchema, body) as FaultRuleInput), 201),
  'DELETE faults': (sim, _body, _query, id) => {
    if (id === undefined) {
      sim.clearFaults();
      return ok({ success: true });
    }
    return sim.removeFault(id) ? ok({ success: true }) : ok({ error: { message: `no fault ${id}` } }, 404);
  },
  'POST media': (sim, body) => {
    const input = parse(MediaUploadSchema, body);
    const media = sim.registerMedia({
      bytes: Buffer.from(input.base64, 'base64'),
      mimeType: input.mimeType,
      ...(input.filename === undefined ? {} : { filename: input.filename }),
      ...(input.phoneNumberId === undefined ? {} : { phoneNumberId: input.phoneNumberId }),
    });
    return ok({ ...media, url: sim.mediaUrl(media.id) }, 201);
  },
  'GET media': (sim, _body, _query, id) => {
    const media = id === undefined ? undefined : sim.media(id);
    return media === undefined ? ok({ error: { message: `no media ${id ?? ''}` } }, 404) : ok(media);
  },
  'POST inbound': async (sim, body) => ok(await sim.sendInbound(inboundOptions(parse(InboundSchema, body)))),
  'POST statuses': async (sim, body) => ok(await sim.sendStatus(parse(StatusSchema, body))),
  'POST webhooks': async (sim, body) => ok(await sim.postWebhook(body, 'control api')),
  'GET webhooks': (sim) => ok({ data: sim.webhookDeliveries() }),
  'GET status-behaviour': (sim) => ok(sim.statusBehaviour()),
  'PUT status-behaviour': (sim, body) => ok(sim.setStatusBehaviour(parse(StatusBehaviourPatchSchema, body))),
  'PUT limits': (sim, body) => {
    const limits = parse(LimitsSchema, body);
    if (limits.throughputPerSecond !== undefined) sim.setThroughputLimit(limits.throughputPerSecond);
    if (limits.pairRateLimit !== undefined) sim.setPairRateLimit(limits.pairRateLimit);
    return ok({ success: true });
  },
  'GET received': (sim, _body, query) =>
    ok({
      data: sim.received({
        ...(query.get('since') === null ? {} : { sinceSeq: Number(query.get('since')) }),
        ...(query.get('method') === null ? {} : { method: query.get('method') ?? '' }),
        ...(query.get('path') === null ? {} : { pathIncludes: query.get('path') ?? '' }),
      }),
    }),
  'DELETE received': (sim) => {
    sim.clearReceived();
    return ok({ success: true });
  },
  'GET messages': (sim) => ok({ data: sim.sentMessages() }),
  'GET templates': (sim) => ok({ data: sim.templates.list() }),
  'PUT templates': (sim, body) => {
    sim.templates.set(parse(TemplateInputSchema.array(), body) as MessageTemplateInput[]);
    return ok({ data: sim.templates.list() });
  },
  'POST templates': (sim, body) => ok(sim.templates.add(parse(TemplateInputSchema, body) as MessageTemplateInput), 201),
  'DELETE templates': (sim, _body, query) => ok({ removed: sim.templates.remove(query.get('name') ?? '', query.get('language') ?? undefined) }),
};

/** Handles `/_sim/<resource>[/<id>]`; unknown routes are 404, bad bodies 400 naming the field. */
export async function handleControlRequest(sim: GraphSimulator, method: string, path: string, query: URLSearchParams, body: unknown): Promise<RouteResult> {
  const [, , resource = '', param] = path.split('/').map(decodeURIComponent);
  const handler = routes[`${method} ${resource}`];
  if (handler === undefined) return ok({ error: { message: `no control route ${method} ${path}` } }, 404);
  try {
    return await handler(sim, body, query, param);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return ok({ error: { message } }, error instanceof ControlInputError ? 400 : 422);
  }
}
