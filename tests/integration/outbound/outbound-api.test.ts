// The sending endpoints' checks before anything is queued (window, templates, uploads), starting a conversation by template,
// template sync and status webhooks, and read receipts — through the local host and the Graph simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueReadReceipt } from '../../../src/outbound/queue-read-receipt';
import { PHONES, startTestStack, TINY_PNG, uploadForm, type StackOperator, type TestStack } from '../../support/test-stack';
import { waitUntil } from '../../support/wait-until';
import { createStorageClients } from '../../../src/storage/storage-clients';
import { systemClock } from '../../../src/shared/clock';

let stack: TestStack;
let admin: StackOperator;
let agent: StackOperator;
let conversationId: string;
let n = 0;

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.createOperator(1, 'Admin', 'Api Admin');
  agent = await stack.createOperator(1, 'Agent', 'Api Agent');
  await stack.syncTemplates(admin);
  conversationId = (await stack.inbound(1, '905360000001', 'Merhaba')).conversationId;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const send = (json: Record<string, unknown>, conversation = conversationId) =>
  stack.api(`/conversations/${conversation}/messages`, { method: 'POST', token: agent.accessToken, json: { clientMessageId: `api-${++n}`, ...json } });
const errorOf = (body: unknown) => (body as { error: { code: string; message: string; fields?: Record<string, string>; closedAt?: string } }).error;
const outboundCount = async () => Number((await stack.database.db.selectFrom('WhatsApp_Messages').select((eb) => eb.fn.countAll().as('n')).where('Direction', '=', 'outbound').executeTakeFirstOrThrow()).n);

describe('checks before queueing', () => {
  it('free text outside the 24-hour window is 409 ReplyWindowClosed saying when it closed; a template is still accepted', async () => {
    const { conversationId: old } = await stack.inbound(1, '905360000002', 'Eski mesaj');
    const lastInbound = new Date(Date.now() - 25 * 3600_000);
    await stack.database.db.updateTable('WhatsApp_Conversations').set({ LastInboundAt: lastInbound }).where('Id', '=', old).execute();
    const before = await outboundCount();
    const text = await send({ type: 'text', text: 'Geç kalmış yanıt' }, old);
    expect(text.status).toBe(409);
    expect(errorOf(text.body)).toMatchObject({ code: 'ReplyWindowClosed', closedAt: new Date(lastInbound.getTime() + 24 * 3600_000).toISOString() });
    expect(errorOf(text.body).message).toMatch(/kapandı/);
    const image = await send({ type: 'reaction', messageId: '00000000-0000-7000-8000-000000000000', emoji: '👍' }, old);
    expect(image.status).toBe(409);
    expect(await outboundCount()).toBe(before);
    const template = await send({ type: 'template', name: 'hello_world', language: 'en_US' }, old);
    expect(template.status).toBe(202);
    await waitUntil('template read', async () => (await stack.database.db.selectFrom('WhatsApp_Messages').select('Status').where('Id', '=', (template.body as { message: { id: string } }).message.id).executeTakeFirstOrThrow()).Status === 'read');
  });

  it('templates: unknown, wrong language, not approved, or parameters that do not fit → 422 naming what is wrong', async () => {
    const before = await outboundCount();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ name: 'no_such_template', language: 'tr' }, 'name', /no template named/],
      [{ name: 'randevu_hatirlatma', language: 'en_US' }, 'language', /no en_US version; it exists in tr/],
      [{ name: 'address_update', language: 'en_US', parameters: { body: ['a', 'b'] } }, 'name', /PENDING, not APPROVED/],
      [{ name: 'reservation_confirmation_short_banner', language: 'en_US' }, 'name', /REJECTED/],
      [{ name: 'randevu_hatirlatma', language: 'tr', parameters: { body: ['Ayşe', '12 Mart'] } }, 'parameters.body', /expects 3 value\(s\) for \{\{1\}\}, \{\{2\}\}, \{\{3\}\}, got 2/],
      [{ name: 'reservation_confirmation', language: 'en_US', parameters: { body: { number_of_guests: '4', day: 'Cumartesi', date: '30 Ağustos' } } }, 'parameters.header', /uploaded image/],
      [{ name: 'coupon_expiration_reminder_number_vars', language: 'en', parameters: { header: { type: 'text', text: 'Pablo' }, body: ['SUMMER20', '10'] } }, 'parameters.buttons', /button 0 \(URL\) needs a value/],
      [{ name: 'hello_world', language: 'en_US', parameters: { body: ['extra'] } }, 'parameters.body', /expects 0 value/],
    ];
    for (const [template, field, problem] of cases) {
      const answer = await send({ type: 'template', ...template });
      expect(answer.status, JSON.stringify(template)).toBe(422);
      expect(errorOf(answer.body).code).toBe('TemplateInvalid');
      expect(errorOf(answer.body).fields?.[field], JSON.stringify(answer.body)).toMatch(problem);
    }
    expect(await outboundCount()).toBe(before);
  });

  it('a named-parameter template with an image header is sent with the header uploaded by media id', async () => {
    const upload = await stack.api('/uploads', { method: 'POST', token: agent.accessToken, body: uploadForm(TINY_PNG, 'image/png', 'banner.png') });
    const answer = await send({
      type: 'template',
      name: 'reservation_confirmation',
      language: 'en_US',
      parameters: { header: { type: 'image', uploadId: (upload.body as { uploadId: string }).uploadId }, body: { number_of_guests: '4', day: 'Saturday', date: 'August 30th, 2025', time: '7:30 pm' } },
    });
    expect(answer.status).toBe(202);
    const id = (answer.body as { message: { id: string } }).message.id;
    await waitUntil('read', async () => (await stack.database.db.selectFrom('WhatsApp_Messages').select('Status').where('Id', '=', id).executeTakeFirstOrThrow()).Status === 'read');
    const request = stack.simulator.received({ method: 'POST', pathIncludes: '/messages' }).find((r) => (r.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data === id);
    const components = (request?.body as { template: { components: { type: string; parameters: Record<string, unknown>[] }[] } }).template.components;
    expect(components[0]).toMatchObject({ type: 'header', parameters: [{ type: 'image', image: { id: expect.any(String) } }] });
    expect(components[1]?.parameters.map((p) => p['parameter_name'])).toEqual(['number_of_guests', 'day', 'date', 'time']);
  });

  it('uploads: type, size and content are checked against WhatsApp’s limits', async () => {
    const post = (form: FormData) => stack.api('/uploads', { method: 'POST', token: agent.accessToken, body: form });
    const gif = await post(uploadForm(Buffer.from('GIF89a....'), 'image/gif', 'a.gif'));
    expect(gif.status).toBe(422);
    expect(errorOf(gif.body).fields?.['file']).toMatch(/does not accept files of type image\/gif/);
    const big = await post(uploadForm(Buffer.concat([TINY_PNG, Buffer.alloc(5 * 1024 * 1024)]), 'image/png', 'big.png'));
    expect(big.status).toBe(422);
    expect(errorOf(big.body).fields?.['file']).toMatch(/at most 5242880 bytes/);
    const fake = await post(uploadForm(Buffer.from('not really a png'), 'image/png', 'fake.png'));
    expect(fake.status).toBe(422);
    expect(errorOf(fake.body).fields?.['file']).toMatch(/content is not image\/png/);
    const pdfAsImage = await post(uploadForm(Buffer.from('%PDF-1.4 ...'), 'application/pdf', 'x.pdf', 'image'));
    expect(pdfAsImage.status).toBe(422);
    const pdf = await post(uploadForm(Buffer.from('%PDF-1.4 tiny'), 'application/pdf', 'Kayıt formu.pdf'));
    expect(pdf.status).toBe(201);
    expect(pdf.body).toMatchObject({ type: 'document', mimeType: 'application/pdf', fileName: 'Kayıt formu.pdf' });
    const json = await stack.api('/uploads', { method: 'POST', token: agent.accessToken, json: { file: 'x' } });
    expect(json.status).toBe(415);
    const anonymous = await stack.api('/uploads', { method: 'POST', body: uploadForm(TINY_PNG, 'image/png', 'a.png') });
    expect(anonymous.status).toBe(401);
    // A document goes with its file name; an image upload cannot be sent as a video.
    const doc = await send({ type: 'document', uploadId: (pdf.body as { uploadId: string }).uploadId, caption: 'Form' });
    expect(doc.status).toBe(202);
    const wrongKind = await send({ type: 'video', uploadId: (pdf.body as { uploadId: string }).uploadId });
    expect(wrongKind.status).toBe(422);
    expect(errorOf(wrongKind.body).fields?.['uploadId']).toMatch(/is a document, not a video/);
  });

  it('bodies are checked per type (400 naming the field)', async () => {
    const missing = await send({ type: 'text' });
    expect(missing.status).toBe(400);
    expect(errorOf(missing.body).fields).toHaveProperty('body.text');
    const mixed = await send({ type: 'text', text: 'x', uploadId: '00000000-0000-7000-8000-000000000000' });
    expect(mixed.status).toBe(400);
    expect(errorOf(mixed.body).fields).toHaveProperty('body.uploadId');
    const legacy = await stack.api(`/conversations/${conversationId}/messages`, { method: 'POST', token: agent.accessToken, json: { ClientMessageId: 'legacy-1', Type: 'text', Text: 'Eski istemci' } });
    expect(legacy.status).toBe(202);
  });
});

describe('starting a conversation by template', () => {
  it('creates the customer and conversation, sends the template, and the same clientMessageId returns the first', async () => {
    const body = { clientMessageId: 'start-1', phone: '+90 536 000 0099', template: { name: 'randevu_hatirlatma', language: 'tr', parameters: { body: ['Mehmet', '3 Nisan 10:00', 'tanışma'] } } };
    const started = await stack.api('/conversations', { method: 'POST', token: agent.accessToken, json: body });
    expect(started.status).toBe(202);
    const result = started.body as { conversationId: string; conversationCreated: boolean; message: { id: string; type: string } };
    expect(result).toMatchObject({ conversationCreated: true, message: { type: 'template' } });
    const again = await stack.api('/conversations', { method: 'POST', token: agent.accessToken, json: body });
    expect(again.status).toBe(200);
    expect((again.body as { message: { id: string } }).message.id).toBe(result.message.id);
    await waitUntil('read', async () => (await stack.database.db.selectFrom('WhatsApp_Messages').select('Status').where('Id', '=', result.message.id).executeTakeFirstOrThrow()).Status === 'read');
    expect(stack.simulator.sentMessages().filter((m) => m.bizOpaqueCallbackData === result.message.id)).toMatchObject([{ to: '+905360000099', type: 'template' }]);
    // Free text to a customer who never wrote is refused: the window never opened.
    const text = await send({ type: 'text', text: 'merhaba' }, result.conversationId);
    expect(text.status).toBe(409);
    const bad = await stack.api('/conversations', { method: 'POST', token: agent.accessToken, json: { ...body, clientMessageId: 'start-2', phone: '12' } });
    expect(bad.status).toBe(400);
  });
});

describe('templates', () => {
  it('lists with status and parameters; a template status webhook applies at once; sync picks up new templates', async () => {
    const list = await stack.api('/templates', { token: agent.accessToken });
    expect(list.status).toBe(200);
    const templates = (list.body as { templates: { name: string; language: string; status: string; sendable: boolean; parameters: unknown }[] }).templates;
    expect(templates.find((t) => t.name === 'randevu_hatirlatma')).toMatchObject({ status: 'APPROVED', sendable: true, parameters: { header: null, body: ['1', '2', '3'], bodyFormat: 'positional', buttons: [{ index: 0, type: 'quick_reply' }, { index: 1, type: 'quick_reply' }] } });
    expect(templates.find((t) => t.name === 'reservation_confirmation')).toMatchObject({ parameters: { header: { type: 'image' }, bodyFormat: 'named' } });
    expect(templates.find((t) => t.name === 'address_update')).toMatchObject({ status: 'PENDING', sendable: false });

    const stored = await stack.database.db.selectFrom('WhatsApp_Templates').select('MetaTemplateId').where('Name', '=', 'randevu_hatirlatma').where('FirmId', '=', 1).executeTakeFirstOrThrow();
    const delivery = await stack.simulator.postWebhook({
      object: 'whatsapp_business_account',
      entry: [{ id: PHONES[1].wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field: 'message_template_status_update', value: { event: 'PAUSED', message_template_id: Number(stored.MetaTemplateId), message_template_name: 'randevu_hatirlatma', message_template_language: 'tr', reason: 'NONE', other_info: { title: 'FIRST_PAUSE' } } }] }],
    });
    expect(delivery.attempts.at(-1)?.status).toBe(200);
    const paused = await send({ type: 'template', name: 'randevu_hatirlatma', language: 'tr', parameters: { body: ['a', 'b', 'c'] } });
    expect(paused.status).toBe(422);
    expect(errorOf(paused.body).fields?.['name']).toMatch(/PAUSED \(FIRST_PAUSE\)/);
    const after = (await stack.api('/templates', { token: agent.accessToken })).body as { templates: { name: string; status: string }[] };
    expect(after.templates.find((t) => t.name === 'randevu_hatirlatma')?.status).toBe('PAUSED');

    stack.simulator.templates.add({ name: 'kayit_onayi', language: 'tr', status: 'APPROVED', category: 'UTILITY', parameter_format: 'POSITIONAL', components: [{ type: 'BODY', text: 'Kaydınız onaylandı, {{1}}!' }] });
    const agentSync = await stack.api('/admin/templates/sync', { method: 'POST', token: agent.accessToken });
    expect(agentSync.status).toBe(403);
    const sync = await stack.api('/admin/templates/sync', { method: 'POST', token: admin.accessToken });
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({ created: 1 });
    // The sync reads Meta's current state: the pause made on the simulator's side is not there, so it is approved again.
    const fresh = await send({ type: 'template', name: 'kayit_onayi', language: 'tr', parameters: { body: ['Zeynep'] } });
    expect(fresh.status).toBe(202);
    expect((fresh.body as { message: { text: string } }).message.text).toBe('Kaydınız onaylandı, Zeynep!');
  });
});

describe('read receipts', () => {
  it('marks the conversation’s last customer message read at Meta through the queue', async () => {
    const { conversationId: conversation, wamid } = await stack.inbound(1, '905360000050', 'Okundu mu?');
    const services = { db: stack.database.db, storage: createStorageClients({ kind: 'connectionString', connectionString: stack.azurite.connectionString }), clock: systemClock };
    const marked = await queueReadReceipt(services, { firmId: 1, conversationId: conversation });
    expect(marked).toBeDefined();
    await waitUntil('mark-as-read at Meta', () =>
      stack.simulator.received({ method: 'POST', pathIncludes: '/messages' }).some((r) => (r.body as { status?: string; message_id?: string }).status === 'read' && (r.body as { message_id?: string }).message_id === wamid),
    );
  });
});
