// The sending path against a Meta stand-in that is not ours: a bare node:http server replaying real Graph bodies,
// status codes and proxy pages (tests/fixtures/graph-external, SOURCES.md there), through the real client, the real
// classification and the real worker on a SQLite file and the run's Azurite.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifySendError, type SendErrorClass } from '../../../src/outbound/classify-send-error';
import { deliverMessage, type DeliveryOutcome } from '../../../src/outbound/deliver-message';
import { SendPacer } from '../../../src/outbound/send-pacer';
import { WhatsAppCloudClient, WhatsAppCloudError } from '../../../src/outbound/whatsapp-cloud.client';
import { newId } from '../../../src/shared/ids';
import { addOperator, createAuthTestServices, fakeClock, type AuthTestServices } from '../../support/auth-test-services';
import { seedFirm, seedOutboundMessage } from '../../support/webhook-fixtures';

const FIXTURES = path.join(__dirname, '../../fixtures/graph-external');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const PHONE_NUMBER_ID = '106540352242922';
const TOKEN = 'EAAG-external-double-token';

/** What the double answers: a recorded body, or a transport failure. */
type Reply =
  | { readonly status: number; readonly body: string; readonly headers?: Record<string, string> }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'cut-body'; readonly status: number };

interface Received {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

const json = (status: number, name: string, headers: Record<string, string> = {}): Reply => ({ status, body: fixture(name), headers: { 'content-type': 'application/json; charset=UTF-8', ...headers } });
const html = (status: number, name: string, headers: Record<string, string> = {}): Reply => ({ status, body: fixture(name), headers: { 'content-type': 'text/html', ...headers } });
/** The YCloud page quotes Meta's error object on its own; Meta sends it under `error`. */
const wrapped = (status: number, name: string): Reply => ({ status, body: JSON.stringify({ error: JSON.parse(fixture(name)) as unknown }), headers: { 'content-type': 'application/json' } });

let server: Server;
let baseUrl: string;
let replies: Reply[] = [];
let received: Received[] = [];
const hanging = new Set<ServerResponse>();

function answer(request: IncomingMessage, response: ServerResponse, body: string): void {
  received.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization, body });
  const reply = replies.shift() ?? { status: 500, body: 'the test gave the double no answer' };
  if ('kind' in reply) {
    if (reply.kind === 'hang') hanging.add(response);
    if (reply.kind === 'reset') request.socket.destroy();
    if (reply.kind === 'cut-body') {
      response.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': '400' });
      response.write('{"messaging_product":"whatsapp","contacts":[');
      setTimeout(() => request.socket.destroy(), 20);
    }
    return;
  }
  response.writeHead(reply.status, reply.headers ?? {});
  response.end(reply.body);
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of hanging) response.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  replies = [];
  received = [];
});

const client = (timeoutInMs = 2000) => new WhatsAppCloudClient(baseUrl, PHONE_NUMBER_ID, TOKEN, { apiVersion: 'v21.0', timeoutInMs });

/** Sends one text through the real client against `reply`; answers the error (or the result) and its class. */
async function sendAgainst(reply: Reply, timeoutInMs?: number): Promise<{ error: WhatsAppCloudError; verdict: SendErrorClass }> {
  replies = [reply];
  try {
    const result = await client(timeoutInMs).sendTextMessage('+16505551234', 'Merhaba');
    throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  } catch (error) {
    if (!(error instanceof WhatsAppCloudError)) throw error;
    return { error, verdict: classifySendError(error) };
  }
}

const RETRY_TRANSIENT = { outcome: 'retry', backoff: 'transient' } as const;
const FAIL = { outcome: 'fail', channelHealth: false } as const;

describe('the client against real Graph success bodies', () => {
  it('takes the wamid and wa_id of a text send (contacts[].input differs from wa_id)', async () => {
    replies = [json(200, 'send-text.200.json')];
    const result = await client().sendTextMessage('+16505551234', 'Merhaba', { bizOpaqueCallbackData: 'msg-1' });
    expect(result).toEqual({ messageId: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA', waId: '16505551234', messageStatus: undefined });
    expect(received[0]).toMatchObject({ method: 'POST', url: `/v21.0/${PHONE_NUMBER_ID}/messages`, authorization: `Bearer ${TOKEN}` });
    expect(JSON.parse(received[0]?.body ?? '{}')).toMatchObject({ messaging_product: 'whatsapp', to: '+16505551234', type: 'text', biz_opaque_callback_data: 'msg-1' });
  });

  it('keeps message_status of a paced template', async () => {
    replies = [json(200, 'send-template-accepted.200.json')];
    const result = await client().sendTemplateMessage('16505551234', { name: 'order_confirmation', languageCode: 'en_US', components: [] });
    expect(result).toEqual({ messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBRkJENzExMTRFRjk2NTI1OTEA', waId: '16505551234', messageStatus: 'accepted' });
  });

  it('uploads media and marks a message read', async () => {
    replies = [json(200, 'media-upload.200.json'), json(200, 'mark-as-read.200.json')];
    await expect(client().uploadMedia({ bytes: new Uint8Array([1, 2, 3]), mimeType: 'image/png', fileName: 'a.png' })).resolves.toEqual({ mediaId: '1037543291543636' });
    expect(received[0]?.url).toBe(`/v21.0/${PHONE_NUMBER_ID}/media`);
    expect(received[0]?.body).toContain('name="messaging_product"');
    await expect(client().markMessageAsRead('wamid.in')).resolves.toBeUndefined();
  });

  it('follows Meta’s absolute paging.next on its own endpoint, never on graph.facebook.com', async () => {
    replies = [json(200, 'message-templates-page.200.json'), { status: 200, body: '{"data":[],"paging":{"cursors":{"before":"QVFIU...","after":"QVFIU..."}}}' }];
    const names: unknown[] = [];
    for await (const template of client().listMessageTemplates('102290129340398')) names.push(template['name']);
    expect(names).toEqual(['reservation_confirmation', 'coupon_expiration_reminder_number_vars', 'coupon_expiration_reminder_named_vars', 'address_update', 'reservation_confirmation_short_banner']);
    expect(received.map((r) => r.url.split('?')[0])).toEqual(['/v21.0/102290129340398/message_templates', '/v23.0/10229...']);
    expect(received[1]?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('reads an empty or non-JSON 2xx as "Meta may have it" (unknown), never as sent or failed', async () => {
    for (const reply of [{ status: 200, body: '' }, html(200, 'proxy-nginx-502.html'), json(200, 'mark-as-read.200.json')]) {
      const { error, verdict } = await sendAgainst(reply);
      expect(error.kind).toBe('unknown');
      expect(verdict).toEqual({ outcome: 'unknown' });
    }
  });
});

describe('the client and the classification against real Graph error bodies', () => {
  const cases: { name: string; reply: Reply; code: number; verdict: Partial<SendErrorClass>; title: string; details?: string; fbtrace?: string }[] = [
    { name: '130429 throughput (EC page)', reply: json(400, 'error-130429-rate-limit.json'), code: 130429, verdict: { outcome: 'retry', backoff: 'throughput' }, title: '(#130429) Rate limit hit', details: 'Cloud API message throughput has been reached.', fbtrace: 'Az8or2yhqkZfEZ-_4Qn_Bam' },
    { name: '131056 with code and subcode as strings', reply: wrapped(400, 'error-131056-code-as-string.json'), code: 131056, verdict: { outcome: 'retry', backoff: 'pair' }, title: '(#131056) (Business Account, Consumer Account) pair rate limit hit', details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.' },
    { name: '131056 on a 403 (older Meta table)', reply: wrapped(403, 'error-131056-code-as-string.json'), code: 131056, verdict: { outcome: 'retry', backoff: 'pair' }, title: '(#131056) (Business Account, Consumer Account) pair rate limit hit' },
    { name: '2 is_transient on a 500', reply: json(500, 'error-2-transient.json'), code: 2, verdict: RETRY_TRANSIENT, title: 'An unexpected error has occurred. Please retry your request later.', fbtrace: '####' },
    { name: '2 is_transient on a 400 (same code, other status)', reply: json(400, 'error-2-transient.json'), code: 2, verdict: RETRY_TRANSIENT, title: 'An unexpected error has occurred. Please retry your request later.' },
    { name: '190 subcode 460 with error_user_msg, no error_data', reply: json(401, 'error-190-subcode-460-user-msg.json'), code: 190, verdict: { outcome: 'fail', channelHealth: true }, title: 'Message describing the error', details: 'A message', fbtrace: 'EJplcsCHuLu' },
    { name: '190 invalid token on a 400', reply: json(400, 'error-190-invalid-token.json'), code: 190, verdict: { outcome: 'fail', channelHealth: true }, title: 'Invalid OAuth access token - Cannot parse access token' },
    { name: '132001 template missing', reply: json(400, 'error-132001-template-missing.json'), code: 132001, verdict: FAIL, title: '(#132001) Template name does not exist in the translation', details: 'template name (cg_quest_text) does not exist in en_US' },
    { name: '132001 on a 404', reply: json(404, 'error-132001-template-missing.json'), code: 132001, verdict: FAIL, title: '(#132001) Template name does not exist in the translation' },
    { name: '131030 recipient not allowed', reply: json(400, 'error-131030-not-in-allowed-list.json'), code: 131030, verdict: FAIL, title: '(#131030) Recipient phone number not in allowed list', details: 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.' },
    { name: '100 must be a template', reply: json(400, 'error-100-must-be-template.json'), code: 100, verdict: FAIL, title: '(#100) Invalid parameter', details: 'Message must be a template message.' },
    { name: '100 text mandatory (keys in another order)', reply: json(400, 'error-100-text-mandatory.json'), code: 100, verdict: FAIL, title: '(#100) Invalid parameter', details: "Parameter 'text' is mandatory for component parameter type 'text'" },
    { name: '100 parameter name missing', reply: json(400, 'error-100-parameter-name-missing.json'), code: 100, verdict: FAIL, title: '(#100) Invalid parameter', details: 'Parameter name is missing or empty' },
    { name: '100 on a 500 stays permanent', reply: json(500, 'error-100-failed-to-fetch-file.json'), code: 100, verdict: FAIL, title: '(#100) Failed to fetch the file from the url' },
    { name: '100 subcode 33 (unknown phone number id)', reply: json(400, 'error-100-subcode-33-unknown-object.json'), code: 100, verdict: FAIL, title: "Unsupported post request. Object with ID 'XXXXX' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api" },
    { name: '100 subcode 2388077 is_transient false', reply: json(400, 'error-100-subcode-2388077-not-transient.json'), code: 100, verdict: FAIL, title: 'Invalid parameter', details: 'Unable to query this combination of product types. Please query individually and try again.' },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const { error, verdict } = await sendAgainst(c.reply);
      expect(error.kind).toBe('graph');
      expect(error.details).toMatchObject({ code: c.code, title: c.title, httpStatus: 'status' in c.reply ? c.reply.status : undefined });
      if (c.details !== undefined) expect(error.details.errorDetails).toBe(c.details);
      if (c.fbtrace !== undefined) expect(error.details.fbtraceId).toBe(c.fbtrace);
      expect(verdict).toMatchObject(c.verdict);
    });
  }

  it('keeps is_transient and the subcode as Graph sent them', async () => {
    expect((await sendAgainst(json(500, 'error-2-transient.json'))).error.details.isTransient).toBe(true);
    expect((await sendAgainst(json(400, 'error-100-subcode-2388077-not-transient.json'))).error.details).toMatchObject({ isTransient: false, subcode: 2388077 });
    expect((await sendAgainst(wrapped(400, 'error-131056-code-as-string.json'))).error.details.subcode).toBe(2494071);
  });

  it('an is_transient code nobody lists is retried; a listed permanent one is not', async () => {
    const unlisted = { status: 400, body: JSON.stringify({ error: { message: 'x', type: 'OAuthException', is_transient: true, code: 555, fbtrace_id: 'T' } }) };
    expect((await sendAgainst(unlisted)).verdict).toMatchObject(RETRY_TRANSIENT);
    const permanent = { status: 400, body: JSON.stringify({ error: { message: '(#131026) Message undeliverable', is_transient: true, code: 131026 } }) };
    expect((await sendAgainst(permanent)).verdict).toEqual(FAIL);
  });

  it('reads error_data sent as a JSON string (other Graph endpoints) without losing the code', async () => {
    const body = JSON.stringify({ error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, error_data: '{"details":"Parameter name is missing or empty"}', fbtrace_id: 'S' } });
    const { error } = await sendAgainst({ status: 400, body });
    expect(error.details).toMatchObject({ code: 100, errorDetails: 'Parameter name is missing or empty' });
  });
});

describe('the client against proxies and broken connections', () => {
  for (const status of [502, 503, 504] as const) {
    it(`nginx HTML ${status}: a retryable HTTP error, no crash`, async () => {
      const { error, verdict } = await sendAgainst(html(status, `proxy-nginx-${status}.html`));
      expect(error.kind).toBe('http');
      expect(error.details.httpStatus).toBe(status);
      expect(verdict).toMatchObject(RETRY_TRANSIENT);
    });
  }

  it('empty 500 and empty 502 bodies are retried; an empty 400 is not', async () => {
    expect((await sendAgainst({ status: 500, body: '' })).verdict).toMatchObject(RETRY_TRANSIENT);
    expect((await sendAgainst({ status: 502, body: '' })).verdict).toMatchObject(RETRY_TRANSIENT);
    expect((await sendAgainst({ status: 400, body: '' })).verdict).toEqual(FAIL);
  });

  it('keeps a Retry-After (seconds or HTTP date)', async () => {
    expect((await sendAgainst(html(503, 'proxy-nginx-503.html', { 'retry-after': '120' }))).error.details.retryAfterSeconds).toBe(120);
    const at = new Date(Date.now() + 90_000).toUTCString();
    const seconds = (await sendAgainst(json(400, 'error-130429-rate-limit.json', { 'retry-after': at }))).error.details.retryAfterSeconds ?? 0;
    expect(seconds).toBeGreaterThan(80);
    expect(seconds).toBeLessThanOrEqual(90);
  });

  it('a reseller’s 429 envelope (code is a word) is a retryable HTTP error', async () => {
    const { error, verdict } = await sendAgainst(json(429, 'proxy-ycloud-429-131056.json'));
    expect(error.kind).toBe('http');
    expect(verdict).toMatchObject(RETRY_TRANSIENT);
  });

  it('no answer before the timeout, a reset after the request, a cut-off 2xx body: unknown, never re-sent', async () => {
    for (const reply of [{ kind: 'hang' } as const, { kind: 'reset' } as const, { kind: 'cut-body', status: 200 } as const]) {
      const { error, verdict } = await sendAgainst(reply, 300);
      expect(error.kind, reply.kind).toBe('unknown');
      expect(verdict).toEqual({ outcome: 'unknown' });
    }
  });

  it('a cut-off error body is an HTTP error of its status', async () => {
    const { error, verdict } = await sendAgainst({ kind: 'cut-body', status: 503 });
    expect(error).toMatchObject({ kind: 'http', details: { httpStatus: 503 } });
    expect(verdict).toMatchObject(RETRY_TRANSIENT);
  });

  it('a refused connection is not-sent and retried', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await new WhatsAppCloudClient(`http://127.0.0.1:${port}`, PHONE_NUMBER_ID, TOKEN, { apiVersion: 'v21.0' }).sendTextMessage('+1', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WhatsAppCloudError);
    expect((error as WhatsAppCloudError).kind).toBe('not-sent');
    expect(classifySendError(error)).toMatchObject(RETRY_TRANSIENT);
  });
});

describe('the worker (deliverMessage) on a SQLite file against the double', () => {
  let t: AuthTestServices;
  let customer = 0;
  const silent = { log: () => {}, warn: () => {}, error: () => {} };

  beforeAll(async () => {
    const env = { WhatsApp__GraphBaseUrl: baseUrl, WhatsApp__PhoneNumberId: PHONE_NUMBER_ID, WhatsApp__AccessToken: TOKEN, WhatsApp__SendTimeoutSeconds: '1' };
    t = await createAuthTestServices(env, fakeClock(new Date('2026-03-01T10:00:00Z')));
    const seeded = await t.services.db.selectFrom('WhatsApp_PhoneNumbers').select('Id').where('PhoneNumberId', '=', PHONE_NUMBER_ID).executeTakeFirst();
    if (!seeded) await seedFirm(t.services.db, 1, [PHONE_NUMBER_ID]);
  }, 60_000);

  afterAll(async () => {
    await t?.cleanup();
  });

  const row = (id: string) => t.services.db.selectFrom('WhatsApp_Messages').selectAll().where('Id', '=', id).executeTakeFirstOrThrow();

  /** A queued text to a new customer, sent once against `reply`. */
  async function deliverAgainst(reply: Reply): Promise<{ outcome: DeliveryOutcome; row: Awaited<ReturnType<typeof row>>; delay: number }> {
    const id = newId();
    await seedOutboundMessage(t.services.db, { firmId: 1, phoneNumberId: PHONE_NUMBER_ID, waId: `90544${String(++customer).padStart(7, '0')}`, whatsAppMessageId: null, status: 'queued', statusRank: 1, bizOpaqueCallbackData: id, id });
    replies = [reply];
    const outcome = await deliverMessage(t.services, { firmId: 1, messageId: id }, silent, { pacer: new SendPacer(), random: () => 0 });
    const after = await row(id);
    const delay = Math.round(((after.NextAttemptAt?.getTime() ?? 0) - t.clock.now().getTime()) / 1000);
    return { outcome, row: after, delay };
  }

  it('sent: stores the wamid of the real answer', async () => {
    const { outcome, row: r } = await deliverAgainst(json(200, 'send-text.200.json'));
    expect(outcome).toBe('sent');
    expect(r).toMatchObject({ Status: 'sent', WhatsAppMessageId: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA', ErrorCode: null });
  });

  it('a stand-in that answers one wamid to every send: the second message is sent too, without the id the first holds', async () => {
    const first = await deliverAgainst(json(200, 'send-text.200.json'));
    const second = await deliverAgainst(json(200, 'send-text.200.json'));
    expect([first.outcome, second.outcome]).toEqual(['sent', 'sent']);
    const wamid = 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA';
    // One message of the firm holds the id (the first to get it, maybe in an earlier test); the others are sent without it.
    const holders = await t.services.db.selectFrom('WhatsApp_Messages').select('Id').where('FirmId', '=', 1).where('WhatsAppMessageId', '=', wamid).execute();
    expect(holders).toHaveLength(1);
    expect(holders[0]?.Id).not.toBe(second.row.Id);
    expect(second.row).toMatchObject({ Status: 'sent', WhatsAppMessageId: null, ErrorCode: null });
    expect(second.row.SentAt).not.toBeNull();
    expect(first.row.Status).toBe('sent');
  });

  it('throttled (130429): queued again with Meta’s code, words and trace id', async () => {
    const { outcome, row: r } = await deliverAgainst(json(400, 'error-130429-rate-limit.json'));
    expect(outcome).toBe('retry-scheduled');
    expect(r).toMatchObject({ Status: 'queued', ErrorCode: 130429, ErrorTitle: '(#130429) Rate limit hit', SendAttempts: 1 });
    expect(r.ErrorDetails).toContain('Cloud API message throughput has been reached.');
    expect(r.ErrorDetails).toContain('fbtrace_id Az8or2yhqkZfEZ-_4Qn_Bam');
  });

  it('pair limit with string code: queued again after 1 s, counted as a pair-limit hit', async () => {
    const { outcome, row: r, delay } = await deliverAgainst(wrapped(400, 'error-131056-code-as-string.json'));
    expect(outcome).toBe('retry-scheduled');
    expect(r).toMatchObject({ Status: 'queued', ErrorCode: 131056, PairLimitHits: 1 });
    expect(delay).toBe(1);
  });

  it('transient (code 2, is_transient, HTTP 500): queued again', async () => {
    const { outcome, row: r } = await deliverAgainst(json(500, 'error-2-transient.json'));
    expect(outcome).toBe('retry-scheduled');
    expect(r).toMatchObject({ Status: 'queued', ErrorCode: 2 });
  });

  it('permanent (132001): failed, with Meta’s details for the operator', async () => {
    const { outcome, row: r } = await deliverAgainst(json(400, 'error-132001-template-missing.json'));
    expect(outcome).toBe('failed');
    expect(r).toMatchObject({ Status: 'failed', ErrorCode: 132001, ErrorTitle: '(#132001) Template name does not exist in the translation' });
    expect(r.ErrorDetails).toContain('template name (cg_quest_text) does not exist in en_US');
  });

  it('token (190/460 with only error_user_msg): failed, error_user_msg kept, number marked token-invalid', async () => {
    const { outcome, row: r } = await deliverAgainst(json(401, 'error-190-subcode-460-user-msg.json'));
    expect(outcome).toBe('failed');
    expect(r).toMatchObject({ Status: 'failed', ErrorCode: 190 });
    expect(r.ErrorDetails).toContain('(Meta: A message; fbtrace_id EJplcsCHuLu)');
    const phone = await t.services.db.selectFrom('WhatsApp_PhoneNumbers').select(['HealthState', 'HealthErrorCode']).where('PhoneNumberId', '=', PHONE_NUMBER_ID).executeTakeFirstOrThrow();
    expect(phone).toEqual({ HealthState: 'token-invalid', HealthErrorCode: 190 });
    // The next accepted send (another wamid: the ids are unique per firm) marks the number healthy again.
    expect((await deliverAgainst(json(200, 'send-template-accepted.200.json'))).outcome).toBe('sent');
    const healed = await t.services.db.selectFrom('WhatsApp_PhoneNumbers').select('HealthState').where('PhoneNumberId', '=', PHONE_NUMBER_ID).executeTakeFirstOrThrow();
    expect(healed.HealthState).toBe('ok');
  });

  it('account restricted (131031): failed, number marked account-blocked, one alert that points at the account, not the token', async () => {
    // Meta's error envelope (WHATSAPP.md §9) with the code of a locked business account.
    const restricted: Reply = {
      status: 403,
      body: JSON.stringify({ error: { message: '(#131031) Business Account locked', type: 'OAuthException', code: 131031, error_data: { messaging_product: 'whatsapp', details: 'The account is restricted.' }, fbtrace_id: 'AbC123' } }),
      headers: { 'content-type': 'application/json' },
    };
    await addOperator(t.services, { firmId: 1, userName: 'restricted-admin', password: 'a-long-and-unusual-passphrase-42', role: 'Admin', email: 'mudur@okul.example', language: 'en' });
    const alertsBefore = await t.services.db.selectFrom('WhatsApp_Notifications').select('Id').where('Kind', '=', 'channel-health-alert').execute();
    const first = await deliverAgainst(restricted);
    const second = await deliverAgainst(restricted);
    expect([first.outcome, second.outcome]).toEqual(['failed', 'failed']);
    expect(first.row).toMatchObject({ Status: 'failed', ErrorCode: 131031 });
    const phone = await t.services.db.selectFrom('WhatsApp_PhoneNumbers').select(['HealthState', 'HealthErrorCode']).where('PhoneNumberId', '=', PHONE_NUMBER_ID).executeTakeFirstOrThrow();
    expect(phone).toEqual({ HealthState: 'account-blocked', HealthErrorCode: 131031 });
    const alerts = await t.services.db.selectFrom('WhatsApp_Notifications').select(['Id', 'DataJson']).where('Kind', '=', 'channel-health-alert').execute();
    const raised = alerts.filter((a) => !alertsBefore.some((b) => b.Id === a.Id));
    // One for the one admin with an e-mail address, and only for the first of the two failures.
    expect(raised).toHaveLength(1);
    expect(JSON.parse(raised[0]?.DataJson ?? '{}')).toMatchObject({ graphErrorCode: 131031, phoneNumberId: PHONE_NUMBER_ID });
    // A send that goes through marks the number healthy again.
    expect((await deliverAgainst(json(200, 'send-template-accepted.200.json'))).outcome).toBe('sent');
    expect((await t.services.db.selectFrom('WhatsApp_PhoneNumbers').select('HealthState').where('PhoneNumberId', '=', PHONE_NUMBER_ID).executeTakeFirstOrThrow()).HealthState).toBe('ok');
  });

  it('proxy HTML 502: queued again, no Meta code', async () => {
    const { outcome, row: r } = await deliverAgainst(html(502, 'proxy-nginx-502.html'));
    expect(outcome).toBe('retry-scheduled');
    expect(r).toMatchObject({ Status: 'queued', ErrorCode: null });
    expect(r.ErrorTitle).toBe('Graph answered 502 without an error body');
  });

  it('proxy 503 with Retry-After: 120: waits the 120 s instead of the 1–2 s back-off', async () => {
    const { outcome, delay } = await deliverAgainst(html(503, 'proxy-nginx-503.html', { 'retry-after': '120' }));
    expect(outcome).toBe('retry-scheduled');
    expect(delay).toBe(120);
  });

  it('empty 200 and a timeout: unknown, not re-sent', async () => {
    for (const reply of [{ status: 200, body: '' }, { kind: 'hang' } as const]) {
      const { outcome, row: r } = await deliverAgainst(reply);
      expect(outcome).toBe('unknown');
      expect(r).toMatchObject({ Status: 'unknown', WhatsAppMessageId: null });
    }
  });
});
