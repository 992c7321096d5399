// Webhooks to a real receiver: signed inbound messages of every type shaped like the corpus, and status progressions.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GraphSimulator, SendInboundOptions } from '../../../src/devhost/graph-simulator/graph-simulator';
import {
  accessToken,
  appSecret,
  corpusDir,
  graphGet,
  graphPost,
  phone,
  shapeOf,
  signatureVerifies,
  sortedUnique,
  startSimulator,
  startWebhookReceiver,
  type WebhookReceiver,
} from './harness';

type Envelope = {
  object: string;
  entry: Array<{ id: string; changes: Array<{ field: string; value: { metadata: Record<string, string>; contacts?: unknown[]; messages?: Array<Record<string, unknown>>; statuses?: Array<Record<string, unknown>> } }> }>;
};
const corpus = (name: string) => JSON.parse(readFileSync(path.join(corpusDir, 'webhooks', name), 'utf8')) as Envelope;
const messagesPath = `/v21.0/${phone.phoneNumberId}/messages`;

let sim: GraphSimulator;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  sim = await startSimulator({ webhookUrl: receiver.url });
});
beforeEach(async () => {
  await sim.whenIdle();
  receiver.hooks.length = 0;
  receiver.answer(200);
  sim.setStatusBehaviour({ auto: true, finalStatus: 'read', failWith: null });
});
afterAll(async () => {
  await sim.stop();
  await receiver.stop();
});

const jpeg = randomBytes(2048);
const vcard = { name: { first_name: 'Barbara', last_name: 'Johnson', formatted_name: 'Barbara J. Johnson' }, org: { company: 'Social Tsunami' }, phones: [{ phone: '+1 (415) 555-0829', wa_id: '14125550829', type: 'MOBILE' }] };
const inboundCases: Array<[string, Omit<SendInboundOptions, 'from'>]> = [
  ['meta_text_plain.json', { text: 'Does it come in another color?' }],
  ['meta_image_caption_with_url.json', { image: { bytes: jpeg, mimeType: 'image/jpeg', caption: 'Taj Mahal' } }],
  ['meta_video_caption.json', { video: { bytes: randomBytes(512), mimeType: 'video/mp4', caption: 'Timelapse of growth' } }],
  ['meta_audio_voice.json', { audio: { bytes: randomBytes(512), mimeType: 'audio/ogg; codecs=opus', voice: true } }],
  ['meta_document_filename_caption.json', { document: { bytes: Buffer.from('%PDF-1.4'), mimeType: 'application/pdf', filename: 'receipt.pdf', caption: 'my receipt' } }],
  ['meta_sticker_animated.json', { sticker: { bytes: randomBytes(256), mimeType: 'image/webp', animated: true } }],
  ['meta_location_named.json', { location: { address: '101 Forest Ave, Palo Alto, CA 94301', latitude: 37.44221496582, longitude: -122.16165924072, name: 'Philz Coffee', url: 'https://philzcoffee.com/' } }],
  ['meta_contacts_shared_vcard.json', { contacts: [vcard] }],
  ['meta_interactive_button_reply.json', { interactive: { type: 'button_reply', id: 'change-button', title: 'Change' }, context: { id: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJBM0Y4RUU0RUNFQkFDMjYzQUMA' } }],
  ['meta_interactive_list_reply.json', { interactive: { type: 'list_reply', id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' }, context: { id: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIwMjg0RkMxOEMyMkNEQUFFRDgA' } }],
  ['meta_button_template_quick_reply.json', { button: { payload: 'Unsubscribe', text: 'Unsubscribe' }, context: { id: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=' } }],
  ['meta_reaction_emoji.json', { reaction: { messageId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=', emoji: '' } }],
];

describe('inbound webhooks', () => {
  it.each(inboundCases)('arrives signed and shaped like %s', async (file, content) => {
    const result = await sim.sendInbound({ from: '16505551234', name: 'Sheena Nelson', ...content });
    expect(result.delivery.outcome).toBe('delivered');
    const [hook] = await receiver.waitFor(1);
    expect(hook?.headers['content-type']).toBe('application/json');
    expect(signatureVerifies(hook!)).toBe(true);
    expect(signatureVerifies(hook!, 'another-secret')).toBe(false);
    expect(sortedUnique(shapeOf(hook?.json))).toEqual(sortedUnique(shapeOf(corpus(file))));
    const body = hook?.json as Envelope;
    expect(body.entry[0]).toMatchObject({ id: phone.wabaId, changes: [{ field: 'messages', value: { metadata: { display_phone_number: phone.displayPhoneNumber, phone_number_id: phone.phoneNumberId } } }] });
    const message = body.entry[0]?.changes[0]?.value.messages?.[0];
    expect(message).toMatchObject({ from: '16505551234', id: result.messageId });
    expect(String(message?.id)).toMatch(/^wamid\.HBg/);
    expect(String(message?.timestamp)).toMatch(/^\d{10}$/);
  });

  it('media can be fetched and downloaded by the app, and matches the webhook sha256', async () => {
    const result = await sim.sendInbound({ from: '905551234567', image: { bytes: jpeg, mimeType: 'image/jpeg' } });
    const image = (result.payload.entry[0]?.changes[0]?.value.messages?.[0] as { image: { id: string; sha256: string } }).image;
    expect(image.id).toBe(result.mediaId);
    expect(image.sha256).toBe(createHash('sha256').update(jpeg).digest('base64'));
    const meta = (await graphGet(sim, `/v21.0/${image.id}`)).json as { url: string; sha256: string; mime_type: string };
    expect(meta.mime_type).toBe('image/jpeg');
    const bytes = Buffer.from(await (await fetch(meta.url, { headers: { Authorization: `Bearer ${accessToken}` } })).arrayBuffer());
    expect(bytes.equals(jpeg)).toBe(true);
  });

  it('signs the escaped-unicode body Meta sends, which parses back to the text', async () => {
    await sim.sendInbound({ from: '905551234567', name: 'Ayşe Yılmaz', text: 'Merhaba, ödev 👋' });
    const [hook] = await receiver.waitFor(1);
    const raw = hook!.raw.toString('utf8');
    expect(raw).toContain('\\u00f6dev \\ud83d\\udc4b');
    expect(raw).toContain('Ay\\u015fe');
    expect(signatureVerifies(hook!)).toBe(true);
    expect((hook!.json as Envelope).entry[0]?.changes[0]?.value.messages?.[0]).toMatchObject({ text: { body: 'Merhaba, ödev 👋' } });
  });

  it('retries a failed delivery with the same body and signature', async () => {
    receiver.answer(500);
    const pending = sim.sendInbound({ from: '905551234567', text: 'retry me' });
    await receiver.waitFor(1);
    receiver.answer(200);
    const result = await pending;
    expect(result.delivery.outcome).toBe('delivered');
    expect(result.delivery.attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(receiver.hooks[0]?.raw.equals(receiver.hooks[1]!.raw)).toBe(true);
    expect(receiver.hooks[0]?.headers['x-hub-signature-256']).toBe(receiver.hooks[1]?.headers['x-hub-signature-256']);
  });

  it('gives up after the retry schedule and says so', async () => {
    receiver.answer(503);
    const result = await sim.sendInbound({ from: '905551234567', text: 'nobody home' });
    expect(result.delivery.outcome).toBe('failed');
    expect(result.delivery.attempts).toHaveLength(3);
  });

  it('posts any envelope, e.g. a corpus status, signed', async () => {
    const payload = corpus('meta_status_failed_131049.json');
    const delivery = await sim.postWebhook(payload);
    const [hook] = await receiver.waitFor(1);
    expect(delivery.outcome).toBe('delivered');
    expect(hook?.json).toEqual(payload);
    expect(signatureVerifies(hook!, appSecret)).toBe(true);
  });
});

function statusesFor(id: string): Array<Record<string, unknown>> {
  return receiver.hooks
    .map((h) => (h.json as Envelope).entry[0]?.changes[0]?.value.statuses?.[0])
    .filter((s): s is Record<string, unknown> => s?.id === id);
}

async function send(body: Record<string, unknown>, pathName = messagesPath): Promise<string> {
  const { status, json } = await graphPost(sim, pathName, body);
  expect(status).toBe(200);
  return String((json as { messages: Array<{ id: string }> }).messages[0]?.id);
}

describe('status progression', () => {
  const text = { messaging_product: 'whatsapp', to: '+905551234567', type: 'text', text: { body: 'Merhaba' }, biz_opaque_callback_data: 'msg-42' };

  it('sent → delivered → read, each with biz_opaque_callback_data, recipient_id and Meta’s blocks', async () => {
    const id = await send(text);
    await sim.whenIdle();
    const statuses = statusesFor(id);
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    for (const s of statuses) expect(s).toMatchObject({ recipient_id: '905551234567', biz_opaque_callback_data: 'msg-42' });
    const [sent, delivered, read] = statuses;
    const documentedSent = corpus('meta_status_sent_marketing_pmp.json').entry[0]?.changes[0]?.value.statuses?.[0];
    expect(sortedUnique(shapeOf(sent))).toEqual(sortedUnique([...shapeOf(documentedSent), '.biz_opaque_callback_data', '.biz_opaque_callback_data:string']));
    expect(sent).toMatchObject({ conversation: { origin: { type: 'service' } }, pricing: { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' } });
    expect(delivered?.conversation).not.toHaveProperty('expiration_timestamp');
    expect(read).not.toHaveProperty('pricing');
    expect(read).not.toHaveProperty('conversation');
    for (const hook of receiver.hooks) expect(signatureVerifies(hook)).toBe(true);
  });

  it('templates are priced by category; v24+ omits the conversation block', async () => {
    const id = await send(
      { messaging_product: 'whatsapp', to: '905551234567', type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } },
      `/v24.0/${phone.phoneNumberId}/messages`,
    );
    await sim.whenIdle();
    const [sent] = statusesFor(id);
    expect(sent).not.toHaveProperty('conversation');
    expect(sent).toMatchObject({ pricing: { billable: true, type: 'regular', category: 'utility' } });
    expect(sent).not.toHaveProperty('biz_opaque_callback_data');
  });

  it('can stop at delivered (read receipts off) and reactions only get sent', async () => {
    sim.setStatusBehaviour({ finalStatus: 'delivered' });
    const id = await send(text);
    const reaction = await send({ messaging_product: 'whatsapp', to: '905551234567', type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👍' } });
    await sim.whenIdle();
    expect(statusesFor(id).map((s) => s.status)).toEqual(['sent', 'delivered']);
    expect(statusesFor(reaction).map((s) => s.status)).toEqual(['sent']);
  });

  it('can fail every message with an error, or be turned off', async () => {
    sim.setStatusBehaviour({ failWith: { code: 131026 } });
    const failed = await send(text);
    await sim.whenIdle();
    expect(statusesFor(failed)).toEqual([
      expect.objectContaining({ status: 'failed', biz_opaque_callback_data: 'msg-42', errors: [expect.objectContaining({ code: 131026, title: 'Message undeliverable' })] }),
    ]);
    sim.setStatusBehaviour({ auto: false, failWith: null });
    const quiet = await send(text);
    await sim.whenIdle();
    expect(statusesFor(quiet)).toEqual([]);
  });

  it('an image sent by an id the simulator never saw fails with 131053, as Meta would', async () => {
    const id = await send({ messaging_product: 'whatsapp', to: '905551234567', type: 'image', image: { id: '1479537139650973' } });
    await sim.whenIdle();
    expect(statusesFor(id).map((s) => [s.status, (s.errors as Array<{ code: number }> | undefined)?.[0]?.code])).toEqual([['failed', 131053]]);
  });

  it('sendStatus posts a chosen status for an accepted message, filling in what it knows', async () => {
    sim.setStatusBehaviour({ auto: false });
    const id = await send(text);
    await sim.sendStatus({ messageId: id, status: 'read' });
    await sim.sendStatus({ messageId: id, status: 'delivered' });
    expect(statusesFor(id).map((s) => [s.status, s.biz_opaque_callback_data, s.recipient_id])).toEqual([
      ['read', 'msg-42', '905551234567'],
      ['delivered', 'msg-42', '905551234567'],
    ]);
  });
});
