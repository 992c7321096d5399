// End to end through real sockets: an operator replies with text, an uploaded image and a template; the Graph simulator
// receives Meta's request shapes (corpus/whatsapp/send), its status webhooks move each message to `read`, and the
// operator's WebPubSubClient sees every step.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeClientEvent } from '../../../src/realtime/realtime-events.schemas';
import { PHONES, startTestStack, TINY_PNG, uploadForm, type OperatorClient, type StackOperator, type TestStack } from '../../support/test-stack';
import { waitUntil } from '../../support/wait-until';

const corpus = path.resolve(__dirname, '..', '..', 'fixtures', 'whatsapp-corpus', 'send');
const corpusRequest = (name: string) => JSON.parse(readFileSync(path.join(corpus, `${name}.request.json`), 'utf8')) as Record<string, unknown>;

/** Every key path of a JSON value (`template.language.code`, `template.components[].parameters[].text`). */
function keyPaths(value: unknown, prefix = ''): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(value)) for (const item of value) for (const p of keyPaths(item, `${prefix}[]`)) out.add(p);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const here = prefix ? `${prefix}.${key}` : key;
      out.add(here);
      for (const p of keyPaths(child, here)) out.add(p);
    }
  }
  return out;
}

let stack: TestStack;
let admin: StackOperator;
let agent: StackOperator;
let watcher: OperatorClient;

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.createOperator(1, 'Admin', 'Ayse Admin');
  agent = await stack.createOperator(1, 'Agent', 'Ali Agent');
  watcher = await stack.connect(agent);
  await stack.syncTemplates(admin);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const statusesSeen = (client: OperatorClient, messageId: string) =>
  client.events.flatMap((e: RealtimeClientEvent) => ((e.type === 'message.created' || e.type === 'message.updated') && e.message.id === messageId ? [e.message.status] : []));

describe('an operator replying in an open conversation', () => {
  it('sends text, an uploaded image and a template; each reaches read, live, in Meta request shapes', async () => {
    const customer = '905321110001';
    const { conversationId } = await stack.inbound(1, customer, 'Merhaba, kayıt için yazıyorum');
    const sendsBefore = stack.simulator.received({ method: 'POST', pathIncludes: '/messages' }).length;

    const text = await stack.api(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      token: agent.accessToken,
      json: { clientMessageId: 'e2e-text-1', type: 'text', text: 'Merhaba! Kayıt için https://ustad.example/kayit adresine bakabilirsiniz.', previewUrl: true },
    });
    expect(text.status).toBe(202);
    const textId = (text.body as { message: { id: string; status: string } }).message.id;
    expect((text.body as { message: { status: string } }).message.status).toBe('queued');
    // The same client message id again: the first message, nothing new sent.
    const again = await stack.api(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      token: agent.accessToken,
      json: { clientMessageId: 'e2e-text-1', type: 'text', text: 'Merhaba! (double tap)' },
    });
    expect(again.status).toBe(200);
    expect((again.body as { message: { id: string } }).message.id).toBe(textId);

    const upload = await stack.api('/uploads', { method: 'POST', token: agent.accessToken, body: uploadForm(TINY_PNG, 'image/png', 'brosur.png') });
    expect(upload.status).toBe(201);
    const { uploadId } = upload.body as { uploadId: string };
    const image = await stack.api(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      token: agent.accessToken,
      json: { clientMessageId: 'e2e-image-1', type: 'image', uploadId, caption: 'Broşürümüz' },
    });
    expect(image.status).toBe(202);
    const imageId = (image.body as { message: { id: string } }).message.id;

    const template = await stack.api(`/conversations/${conversationId}/messages`, {
      method: 'POST',
      token: agent.accessToken,
      json: { clientMessageId: 'e2e-template-1', type: 'template', name: 'randevu_hatirlatma', language: 'tr', parameters: { body: ['Ayşe', '12 Mart 14:00', 'deneme dersi'] } },
    });
    expect(template.status).toBe(202);
    const templateId = (template.body as { message: { id: string; text: string } }).message.id;
    expect((template.body as { message: { text: string } }).message.text).toContain('Merhaba Ayşe, 12 Mart 14:00 tarihindeki deneme dersi');

    const ids = [textId, imageId, templateId];
    await waitUntil('all three messages read', async () => {
      const rows = await stack.database.db.selectFrom('WhatsApp_Messages').select('Status').where('Id', 'in', ids).execute();
      return rows.length === 3 && rows.every((r) => r.Status === 'read');
    }, 20_000);
    for (const id of ids) {
      await waitUntil(`read event for ${id}`, () => statusesSeen(watcher, id).includes('read'), 5_000);
      // The client saw every step, in order: queued (created), sent, delivered, read.
      const seen = statusesSeen(watcher, id).filter((s, i, all) => s !== all[i - 1]);
      expect(seen).toEqual(['queued', 'sent', 'delivered', 'read']);
    }

    // Meta received each once, in the documented shapes, with our id as biz_opaque_callback_data.
    const sends = stack.simulator.received({ method: 'POST', pathIncludes: '/messages' }).slice(sendsBefore);
    expect(sends).toHaveLength(3);
    expect(sends.every((r) => r.path === `/v21.0/${PHONES[1].phoneNumberId}/messages` && r.response?.status === 200)).toBe(true);
    const byType = new Map(sends.map((r) => [(r.body as { type: string }).type, r.body as Record<string, unknown>]));
    const shape = (ours: Record<string, unknown> | undefined, corpusName: string, optional: string[]) => {
      const theirs = [...keyPaths(corpusRequest(corpusName))].filter((p) => !optional.some((o) => p.startsWith(o)));
      expect([...keyPaths(ours)].filter((p) => theirs.includes(p)).sort()).toEqual(theirs.sort());
    };
    shape(byType.get('text'), 'meta_text_preview_url', []);
    shape(byType.get('image'), 'meta_image_by_media_id_caption', []);
    shape(byType.get('template'), 'meta_template_named_params_image_header', ['template.components[].parameters[].image', 'template.components[].parameters[].parameter_name']);
    expect(byType.get('text')).toMatchObject({ to: `+${customer}`, text: { preview_url: true }, biz_opaque_callback_data: textId });
    expect(byType.get('template')).toMatchObject({ template: { name: 'randevu_hatirlatma', language: { code: 'tr' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ayşe' }, { type: 'text', text: '12 Mart 14:00' }, { type: 'text', text: 'deneme dersi' }] }] } });
    // The image went by media id, uploaded to Meta first — never as a link.
    const imageBody = byType.get('image') as { image: { id?: string; link?: string; caption?: string } };
    expect(imageBody.image.link).toBeUndefined();
    expect(imageBody.image.caption).toBe('Broşürümüz');
    const mediaUploads = stack.simulator.received({ method: 'POST', pathIncludes: '/media' });
    expect(mediaUploads.some((r) => (r.response?.body as { id?: string } | undefined)?.id === imageBody.image.id)).toBe(true);
    expect(stack.simulator.media(imageBody.image.id ?? '')?.sha256Hex).toBe((upload.body as { sha256: string }).sha256);
  }, 60_000);
});
