// The Graph request pipeline: read, record, check the token, apply fault rules, route, then answer (now, late, never, or reset).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { isValidToken, presentedToken } from './bearer-token';
import type { FaultAction } from './fault-rules';
import { graphError, unknownPath, unsupportedRequest } from './graph-errors';
import type { RecordedRequest } from './graph-simulator.types';
import { BodyTooLargeError, isRecord, parseJson, readBody, sendJson } from './http-io';
import { listMessageTemplates } from './list-message-templates';
import { deleteMedia, downloadMedia, getMedia, uploadMedia } from './media.routes';
import { sendMessage } from './send-message.route';
import { phoneById, type RouteResult, type SimulatorState } from './simulator-state';

const maxBodyBytes = 110 * 1024 * 1024;
const downloadPath = '/whatsapp_business/attachments/';

function redactHeaders(headers: IncomingHttpHeaders): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = name === 'authorization' ? true : Array.isArray(value) ? value.join(', ') : value;
  }
  if (out.authorization === undefined) out.authorization = false;
  return out;
}

function phoneInfo(phone: { phoneNumberId: string; displayPhoneNumber: string }): RouteResult {
  return {
    status: 200,
    body: {
      verified_name: 'Ustad Local Simulator',
      code_verification_status: 'VERIFIED',
      display_phone_number: phone.displayPhoneNumber,
      quality_rating: 'GREEN',
      platform_type: 'CLOUD_API',
      throughput: { level: 'STANDARD' },
      id: phone.phoneNumberId,
    },
  };
}

/** Answers `/_sim/…` control requests (not recorded, no token). */
export type ControlHandler = (method: string, path: string, query: URLSearchParams, body: unknown) => Promise<RouteResult>;

/** Builds the node:http request listener; `heldSockets` collects requests left unanswered so stop() can end them. */
export function createGraphRequestHandler(
  state: SimulatorState,
  control: ControlHandler,
  heldSockets: Set<Socket>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { tracker, requests } = state;
  async function route(method: string, url: URL, raw: Buffer, contentType: string, record: RecordedRequest, fault: FaultAction | undefined): Promise<RouteResult> {
    if (url.pathname === downloadPath || url.pathname === downloadPath.slice(0, -1)) {
      return method === 'GET' ? downloadMedia(state, url.searchParams) : unsupportedRequest(method, 'attachments');
    }
    const [version, objectId, edge, ...extra] = url.pathname.split('/').filter(Boolean);
    if (version === undefined || !/^v\d+\.\d+$/.test(version) || objectId === undefined || extra.length > 0) return unknownPath(url.pathname);
    const phone = phoneById(state, objectId);
    if (edge === 'messages' && method === 'POST' && phone) {
      return sendMessage(state, { apiVersion: version, phone, body: record.body, seq: record.seq }, fault);
    }
    if (edge === 'media' && method === 'POST' && phone) {
      const { result, summary } = await uploadMedia(state, phone, raw, contentType);
      record.body = summary;
      return result;
    }
    if (edge === 'message_templates' && method === 'GET' && state.phoneNumbers.some((p) => p.wabaId === objectId)) {
      const listing = listMessageTemplates(state.templates.list(objectId), url.searchParams, (query) => `${state.baseUrl}/${version}/${objectId}/message_templates?${query.toString()}`);
      return { status: 200, body: listing };
    }
    if (edge === undefined && method === 'GET') return phone ? phoneInfo(phone) : (getMedia(state, objectId, url.searchParams) ?? unsupportedRequest(method, objectId));
    if (edge === undefined && method === 'DELETE') return deleteMedia(state, objectId, url.searchParams) ?? unsupportedRequest(method, objectId);
    return unsupportedRequest(method, objectId);
  }

  function write(res: ServerResponse, result: RouteResult): void {
    if (res.destroyed || res.writableEnded) return;
    if (result.raw === undefined) {
      sendJson(res, result.status, result.body);
      return;
    }
    res.writeHead(result.status, { 'Content-Type': result.raw.contentType, 'Content-Length': result.raw.bytes.length });
    res.end(result.raw.bytes);
  }

  function reset(req: IncomingMessage): void {
    // resetAndDestroy sends a TCP RST, which is what a client sees as ECONNRESET.
    req.socket.resetAndDestroy();
  }

  async function deliver(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, result: RouteResult, fault: FaultAction | undefined): Promise<void> {
    record.response = { status: result.status, body: result.raw === undefined ? result.body : { contentType: result.raw.contentType, size: result.raw.bytes.length } };
    if (result.acceptedMessageId !== undefined) record.acceptedMessageId = result.acceptedMessageId;
    const late = fault?.kind === 'delay' ? fault.ms : fault?.kind === 'timeout-after-accept' ? fault.delayMs : undefined;
    if (fault?.kind === 'connection-reset') {
      record.delivery = 'reset';
      reset(req);
    } else if (fault?.kind === 'timeout-after-accept' && late === undefined) {
      // Never answer; the client's own timeout ends it, or stop() does.
      record.delivery = 'held';
      heldSockets.add(req.socket);
      req.socket.once('close', () => heldSockets.delete(req.socket));
    } else if (late !== undefined) {
      record.delivery = 'delayed';
      await tracker.sleep(late).then(
        () => write(res, result),
        () => undefined,
      );
    } else write(res, result);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const method = (req.method ?? 'GET').toUpperCase();
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) sendJson(res, 413, graphError(1, { message: 'Request body too large' }).body);
      else res.destroy();
      return;
    }
    if (url.pathname.startsWith('/_sim/')) {
      const result = await control(method, url.pathname, url.searchParams, parseJson(raw));
      sendJson(res, result.status, result.body);
      return;
    }
    const contentType = req.headers['content-type'] ?? '';
    const record: RecordedRequest = {
      seq: state.nextSeq(),
      at: new Date().toISOString(),
      method,
      path: url.pathname,
      query: Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'access_token')),
      headers: redactHeaders(req.headers),
      body: contentType.startsWith('multipart/') ? undefined : (parseJson(raw) ?? (raw.length > 0 ? raw.toString('utf8') : undefined)),
      response: undefined,
      delivery: 'answered',
    };
    requests.push(record);

    if (!isValidToken(presentedToken(req.headers, url.searchParams), state.accessToken)) {
      await deliver(req, res, record, graphError(190), undefined);
      return;
    }
    const body = isRecord(record.body) ? record.body : {};
    const segments = url.pathname.split('/').filter(Boolean);
    const rule = state.faults.pick({
      method,
      path: url.pathname,
      ...(segments[1] === undefined ? {} : { phoneNumberId: segments[1] }),
      ...(typeof body.to === 'string' ? { to: body.to } : {}),
      ...(segments[2] === 'messages' && body.status === undefined ? { messageType: typeof body.type === 'string' ? body.type : 'text' } : {}),
    });
    const fault = rule?.action;
    if (rule !== undefined) record.faultId = rule.id;
    if (fault?.kind === 'error') {
      const { code, status, message, details, subcode } = fault;
      await deliver(req, res, record, graphError(code, { ...(status ? { status } : {}), ...(message ? { message } : {}), ...(details ? { details } : {}), ...(subcode !== undefined ? { subcode } : {}) }), undefined);
      return;
    }
    if (fault?.kind === 'http-status') {
      const result: RouteResult =
        fault.body === undefined
          ? graphError(2, { status: fault.status, message: 'An unexpected error has occurred. Please retry your request later.' })
          : { status: fault.status, body: fault.body, raw: { bytes: Buffer.from(fault.body), contentType: 'text/html; charset=utf-8' } };
      await deliver(req, res, record, result, undefined);
      return;
    }
    if (fault?.kind === 'connection-reset' && fault.afterAccept !== true) {
      record.delivery = 'reset';
      reset(req);
      return;
    }
    await deliver(req, res, record, await route(method, url, raw, contentType, record, fault), fault);
  }

  return handle;
}
