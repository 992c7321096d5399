// The send endpoint through real HTTP: Meta's documented request bodies, success shapes, token and validation errors.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../../src/devhost/graph-simulator/graph-simulator';
import { accessToken, corpusDir, graphGet, graphPost, phone, shapeOf, sortedUnique, startSimulator } from './harness';

const sendDir = path.join(corpusDir, 'send');
const readJson = (name: string) => JSON.parse(readFileSync(path.join(sendDir, name), 'utf8')) as Record<string, unknown>;
const requests = readdirSync(sendDir).filter((f) => f.endsWith('.request.json')).sort();
const messagesPath = `/v21.0/${phone.phoneNumberId}/messages`;

type ErrorJson = { error: { message: string; type: string; code: number; error_subcode?: number; error_data?: { messaging_product: string; details: string }; fbtrace_id: string } };

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startSimulator({ statuses: { auto: false } });
});
afterAll(async () => {
  await sim.stop();
});

describe('corpus send requests', () => {
  it('has the request files this test relies on', () => {
    expect(requests.length).toBeGreaterThanOrEqual(10);
  });

  it.each(requests)('%s is accepted and answered in the shape of its response file', async (file) => {
    const request = readJson(file);
    const responseFile = file.replace('.request.json', '.response.json');
    // The contextual-reply page shows no response; it is a text send, answered like one.
    const expected = readJson(requests.includes(file) && readdirSync(sendDir).includes(responseFile) ? responseFile : 'meta_text_preview_url.response.json');
    const { status, json } = await graphPost(sim, messagesPath, request);
    expect(status).toBe(200);
    expect(sortedUnique(shapeOf(json))).toEqual(sortedUnique(shapeOf(expected)));
    if (request.status === undefined) {
      const body = json as { contacts: Array<{ input: string; wa_id: string }>; messages: Array<{ id: string }> };
      expect(body.contacts[0]).toEqual({ input: request.to, wa_id: String(request.to).replace(/\D/g, '') });
      expect(body.messages[0]?.id).toMatch(/^wamid\.[A-Za-z0-9+/=]+$/);
    } else {
      expect(json).toEqual({ success: true });
    }
  });

  it('records each request with the token redacted and the answer given', async () => {
    const before = sim.received().at(-1)?.seq ?? 0;
    const body = readJson('meta_text_preview_url.request.json');
    const { json } = await graphPost(sim, messagesPath, body);
    const [recorded] = sim.received({ sinceSeq: before });
    expect(recorded).toMatchObject({ method: 'POST', path: messagesPath, body, delivery: 'answered', response: { status: 200, body: json } });
    expect(recorded?.headers.authorization).toBe(true);
    expect(JSON.stringify(recorded)).not.toContain(accessToken);
    const id = (json as { messages: Array<{ id: string }> }).messages[0]?.id;
    expect(recorded?.acceptedMessageId).toBe(id);
    expect(sim.sentMessages().find((m) => m.id === id)).toMatchObject({ to: '+16505551234', waId: '16505551234', type: 'text', category: 'service' });
  });

  it('answers a BSUID recipient with an empty wa_id and the user_id', async () => {
    const { status, json } = await graphPost(sim, messagesPath, { messaging_product: 'whatsapp', to: 'US.13491208655302741918', type: 'text', text: { body: 'hi' } });
    expect(status).toBe(200);
    expect((json as { contacts: unknown[] }).contacts[0]).toEqual({ input: 'US.13491208655302741918', wa_id: '', user_id: 'US.13491208655302741918' });
  });
});

describe('access token', () => {
  const netflie190 = JSON.parse(readFileSync(path.join(corpusDir, 'errors', 'netflie_190_invalid_oauth_access_token.json'), 'utf8')) as ErrorJson;

  it.each([
    ['a wrong token', 'EAAwrong'],
    ['no token', null],
  ])('%s gets 401 with the 190 OAuthException body', async (_label, token) => {
    const { status, json } = await graphPost(sim, messagesPath, readJson('meta_text_preview_url.request.json'), token);
    expect(status).toBe(401);
    expect(sortedUnique(shapeOf(json))).toEqual(sortedUnique(shapeOf(netflie190)));
    expect((json as ErrorJson).error).toMatchObject({ code: 190, type: 'OAuthException', message: netflie190.error.message });
  });

  it('is also accepted as the access_token query parameter, as Graph allows', async () => {
    const response = await fetch(`${sim.baseUrl}${messagesPath}?access_token=${accessToken}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(readJson('meta_text_preview_url.request.json')),
    });
    expect(response.status).toBe(200);
  });
});

describe('validation as Meta does it', () => {
  const text = (extra: Record<string, unknown>) => ({ messaging_product: 'whatsapp', to: '+16505551234', type: 'text', text: { body: 'x' }, ...extra });
  const send = async (body: unknown) => {
    const { status, json } = await graphPost(sim, messagesPath, body);
    return { status, error: (json as ErrorJson).error };
  };

  it('missing top-level parameters give (#100) … is required', async () => {
    const { status, error } = await send({ to: '+16505551234', type: 'text', text: { body: 'x' } });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 100, type: 'OAuthException', message: '(#100) The parameter messaging_product is required.' });
    expect((await send(text({ to: undefined }))).error.message).toBe('(#100) The parameter to is required.');
    expect((await send({ messaging_product: 'whatsapp', to: '1', type: 'image' })).error.message).toBe('(#100) The parameter image is required.');
  });

  it('an unknown type names the allowed ones', async () => {
    const { error } = await send(text({ type: 'hologram' }));
    expect(error.code).toBe(100);
    expect(error.message).toContain('Param type must be one of {TEXT, IMAGE');
  });

  it('limits inside the typed object give 131009 / 131008 with details', async () => {
    const long = await send(text({ text: { body: 'a'.repeat(4097) } }));
    expect(long.error).toMatchObject({ code: 131009, message: '(#131009) Parameter value is not valid', error_data: { messaging_product: 'whatsapp' } });
    expect(long.error.error_data?.details).toContain("text['body']");
    const missing = await send(text({ text: { preview_url: true } }));
    expect(missing.error).toMatchObject({ code: 131008, error_data: { details: "The parameter text['body'] is required." } });
    const both = await send({ messaging_product: 'whatsapp', to: '1', type: 'image', image: { id: '1', link: 'https://x.test/a.jpg' } });
    expect(both.error.code).toBe(131009);
    const buttons = readJson('meta_interactive_reply_buttons_image_header.request.json') as { interactive: { action: { buttons: unknown[] } } };
    const four = structuredClone(buttons);
    four.interactive.action.buttons = [0, 1, 2, 3].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: `B${i}` } }));
    const tooMany = await send(four);
    expect(tooMany.error.code).toBe(131009);
    expect(tooMany.error.error_data?.details).toContain("interactive['action']['buttons']");
  });

  it('refuses to send to the business number itself (131021)', async () => {
    expect((await send(text({ to: `+${phone.displayPhoneNumber}` }))).error.code).toBe(131021);
  });

  it('checks templates against the WABA list: 132001, 132000, 132012, 131008', async () => {
    const template = (name: string, code: string, components?: unknown[]) => ({
      messaging_product: 'whatsapp',
      to: '905551234567',
      type: 'template',
      template: { name, language: { code }, ...(components ? { components } : {}) },
    });
    const unknown = await send(template('no_such_template', 'en_US'));
    expect(unknown.error).toMatchObject({ code: 132001, error_data: { details: 'template name (no_such_template) does not exist in en_US' } });
    expect((await send(template('hello_world', 'tr'))).error.code).toBe(132001);
    expect((await send(template('address_update', 'en_US'))).error.code).toBe(132001);
    const count = await send(template('randevu_hatirlatma', 'tr', [{ type: 'body', parameters: [{ type: 'text', text: 'Ayşe' }] }]));
    expect(count.error).toMatchObject({ code: 132000, error_data: { details: 'body: number of localizable_params (1) does not match the expected number of params (3)' } });
    const noHeader = await send(template('reservation_confirmation', 'en_US', []));
    expect(noHeader.error.code).toBe(132012);
    const noButton = await send(
      template('coupon_expiration_reminder_number_vars', 'en', [
        { type: 'header', parameters: [{ type: 'text', text: 'Pablo' }] },
        { type: 'body', parameters: [{ type: 'text', text: 'SUMMER20' }, { type: 'text', text: '10' }] },
      ]),
    );
    expect(noButton.error).toMatchObject({ code: 131008, error_data: { details: 'buttons: Button at index 0 of type Url requires a parameter' } });
    sim.templates.setStatus('hello_world', 'en_US', 'PAUSED');
    expect((await send(template('hello_world', 'en_US'))).error.code).toBe(132015);
    sim.templates.setStatus('hello_world', 'en_US', 'APPROVED');
    const ok = await graphPost(sim, messagesPath, template('randevu_hatirlatma', 'tr', [
      { type: 'body', parameters: [{ type: 'text', text: 'Ayşe' }, { type: 'text', text: '12 Mart 14:00' }, { type: 'text', text: 'deneme dersi' }] },
    ]));
    expect(ok.status).toBe(200);
    expect((ok.json as { messages: Array<{ message_status: string }> }).messages[0]?.message_status).toBe('accepted');
  });

  it('unknown objects and paths get Graph’s own errors', async () => {
    const unknownPhone = await graphPost(sim, '/v21.0/999999/messages', readJson('meta_text_preview_url.request.json'));
    expect(unknownPhone.status).toBe(400);
    expect((unknownPhone.json as ErrorJson).error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
    const badPath = await graphGet(sim, '/not-a-version/123');
    expect((badPath.json as ErrorJson).error.code).toBe(2500);
    const otherVersion = await graphPost(sim, `/v24.0/${phone.phoneNumberId}/messages`, readJson('meta_text_preview_url.request.json'));
    expect(otherVersion.status).toBe(200);
  });

  it('serves the phone number object', async () => {
    const { json } = await graphGet(sim, `/v21.0/${phone.phoneNumberId}`);
    expect(json).toMatchObject({ id: phone.phoneNumberId, display_phone_number: phone.displayPhoneNumber, quality_rating: 'GREEN' });
  });
});
