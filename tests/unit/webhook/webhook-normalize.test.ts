// Parsing and normalising every corpus body; property tests that odd payloads never throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeInboundMessage, messagePreview } from '../../../src/webhook/normalize-inbound-message';
import { isStatusAdvance, normalizeStatus } from '../../../src/webhook/normalize-status';
import { parseWebhookPayload } from '../../../src/webhook/parse-webhook-payload';
import { MessagesChangeValueSchema } from '../../../src/webhook/webhook-payload.schemas';
import { verifySubscription } from '../../../src/webhook/verify-subscription';
import { readCorpusFile, readWebhookCorpus } from '../../support/webhook-corpus';

function messagesOf(name: string): unknown[] {
  const parsed = parseWebhookPayload(readCorpusFile(name).bytes.toString('utf8'));
  if (parsed.kind !== 'envelope') throw new Error(`${name} is not an envelope`);
  return parsed.changes.flatMap((c) => MessagesChangeValueSchema.parse(c.value).messages ?? []);
}

function only(name: string) {
  const [raw] = messagesOf(name);
  const result = normalizeInboundMessage(raw);
  if (!result.ok) throw new Error(result.reason);
  return result.message;
}

describe('corpus parsing', () => {
  it('parses every corpus body into messages changes, and every message and status normalises', () => {
    const corpus = readWebhookCorpus();
    expect(corpus.length).toBeGreaterThanOrEqual(32);
    for (const file of corpus) {
      const parsed = parseWebhookPayload(file.bytes.toString('utf8'));
      expect(parsed.kind, file.name).toBe('envelope');
      if (parsed.kind !== 'envelope') continue;
      for (const change of parsed.changes) {
        expect(change.field, file.name).toBe('messages');
        const value = MessagesChangeValueSchema.parse(change.value);
        for (const m of value.messages ?? []) expect(normalizeInboundMessage(m).ok, file.name).toBe(true);
        for (const s of value.statuses ?? []) expect(normalizeStatus(s).ok, file.name).toBe(true);
      }
    }
  });

  it('keeps every documented field of typed messages', () => {
    const image = only('meta_image_caption_with_url.json');
    expect(image).toMatchObject({
      type: 'image',
      role: 'content',
      text: 'Taj Mahal',
      fromWaId: '16505551234',
      contentValid: true,
      media: { mediaType: 'image', mediaId: '1003383421387256', mimeType: 'image/jpeg', sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=', voice: false },
    });
    expect(image.sentAt?.toISOString()).toBe(new Date(1744344496 * 1000).toISOString());
    expect(messagePreview(image)).toBe('[image] Taj Mahal');

    expect(only('meta_audio_voice.json').media).toMatchObject({ mediaType: 'audio', voice: true, mimeType: 'audio/ogg; codecs=opus' });
    expect(only('meta_sticker_animated.json').media).toMatchObject({ mediaType: 'sticker', animated: true });
    expect(only('meta_document_filename_caption.json')).toMatchObject({ text: 'my receipt', media: { fileName: 'receipt.pdf', mimeType: 'application/pdf' } });

    const reaction = only('meta_reaction_removed_no_emoji.json');
    expect(reaction).toMatchObject({ role: 'reaction', reactionEmoji: null, targetWhatsAppMessageId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=' });
    // Meta's page shows this example with the emoji lost ("emoji": ""), which older captures use for a removal.
    expect(only('meta_reaction_emoji.json').reactionEmoji).toBeNull();

    expect(only('meta_revoke_coexistence_only.json')).toMatchObject({ role: 'revoke', targetWhatsAppMessageId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=' });
    expect(only('meta_system_user_changed_number.json')).toMatchObject({ role: 'system', system: { kind: 'user_changed_number', newWaId: '12195555358' } });
    expect(only('meta_unsupported_edit_131051.json')).toMatchObject({ type: 'unsupported', error: { code: 131051, title: 'Message type unknown', details: 'Message type is currently not supported.' } });
    expect(only('netflie_unknown_type_131051_error.json')).toMatchObject({ type: 'unknown', contentValid: false, error: { code: 131051, details: 'Message type is not currently supported' } });
    expect(only('netflie_interactive_nfm_reply_flow.json')).toMatchObject({ type: 'interactive', text: 'Sent', sentAt: new Date(1669233778 * 1000) });
    expect(only('meta_interactive_list_reply.json')).toMatchObject({ text: 'Priority Mail Express', replyToWhatsAppMessageId: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIwMjg0RkMxOEMyMkNEQUFFRDgA' });
    expect(only('meta_text_username_user_bsuid_empty_wa_id.json')).toMatchObject({ fromWaId: undefined, fromUserId: 'user.93737...' });
    expect(only('netflie_text_bsuid_only_no_from.json')).toMatchObject({ fromWaId: undefined, fromUserId: undefined, text: 'MESSAGE_BODY' });
    expect(only('meta_location_named.json').text).toBe('Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301');
    expect(only('meta_group_text_message.json').groupId).toBe('HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA');
    expect(JSON.parse(only('meta_text_click_to_whatsapp_ad_referral.json').detailsJson)).toMatchObject({ referral: { source_type: 'ad', ctwa_clid: expect.any(String) } });
  });

  it('normalises statuses with their error, pricing and conversation', () => {
    const [failed] = readWebhookCorpus()
      .filter((f) => f.name === 'meta_status_failed_131049.json')
      .map((f) => parseWebhookPayload(f.bytes.toString('utf8')));
    if (failed?.kind !== 'envelope') throw new Error('no envelope');
    const status = normalizeStatus(MessagesChangeValueSchema.parse(failed.changes[0]?.value).statuses?.[0]);
    expect(status).toMatchObject({ ok: true, status: { status: 'failed', error: { code: 131049, details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' } } });
  });
});

describe('bad input', () => {
  it('classifies malformed JSON and unknown shapes', () => {
    expect(parseWebhookPayload('{').kind).toBe('malformed');
    expect(parseWebhookPayload('').kind).toBe('malformed');
    expect(parseWebhookPayload('{"hello":1}').kind).toBe('unrecognised');
    expect(parseWebhookPayload('[1,2]').kind).toBe('unrecognised');
    expect(parseWebhookPayload('{"entry":[{"changes":[{"nofield":1}]}]}')).toMatchObject({ kind: 'envelope', changes: [{ field: undefined }] });
  });

  it('never throws on arbitrary JSON, messages or statuses', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        parseWebhookPayload(JSON.stringify(json));
        normalizeInboundMessage(json);
        normalizeStatus(json);
        return true;
      }),
      { numRuns: 5_000 },
    );
  });

  it('never throws on message-like objects with random fields', () => {
    const messageLike = fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer()),
        from: fc.oneof(fc.string(), fc.constant(null)),
        timestamp: fc.oneof(fc.string(), fc.integer(), fc.double()),
        type: fc.oneof(fc.constantFrom('text', 'image', 'reaction', 'system', 'edit', 'revoke', 'interactive', 'unsupported'), fc.string()),
        text: fc.jsonValue(),
        image: fc.jsonValue(),
        reaction: fc.jsonValue(),
        context: fc.jsonValue(),
        errors: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(messageLike, (m) => {
        const r = normalizeInboundMessage(m);
        if (r.ok) expect(r.message.rawJson).toBe(JSON.stringify(m));
        return true;
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('status rank', () => {
  it('never moves backwards', () => {
    expect(isStatusAdvance('sent', 'delivered')).toBe(true);
    expect(isStatusAdvance('read', 'delivered')).toBe(false);
    expect(isStatusAdvance('delivered', 'delivered')).toBe(false);
    expect(isStatusAdvance('sent', 'failed')).toBe(true);
    expect(isStatusAdvance('read', 'played')).toBe(true);
    expect(isStatusAdvance('read', 'bogus')).toBe(false);
  });
});

describe('verify-token handshake', () => {
  const tokens = ['default-verify-token', 'other-firm-token'];
  it('echoes the challenge only for subscribe with a configured token', () => {
    expect(verifySubscription({ mode: 'subscribe', verifyToken: 'default-verify-token', challenge: '1158201444' }, tokens)).toBe('1158201444');
    expect(verifySubscription({ mode: 'subscribe', verifyToken: 'other-firm-token', challenge: 'abc' }, tokens)).toBe('abc');
    expect(verifySubscription({ mode: 'subscribe', verifyToken: 'wrong', challenge: '1' }, tokens)).toBeUndefined();
    expect(verifySubscription({ mode: 'unsubscribe', verifyToken: 'default-verify-token', challenge: '1' }, tokens)).toBeUndefined();
    expect(verifySubscription({ mode: 'subscribe', verifyToken: null, challenge: '1' }, tokens)).toBeUndefined();
    expect(verifySubscription({ mode: 'subscribe', verifyToken: '', challenge: '1' }, [''])).toBeUndefined();
    expect(verifySubscription({ mode: 'subscribe', verifyToken: 'default-verify-token', challenge: null }, tokens)).toBeUndefined();
  });
});

describe('shapes seen in external bodies (tests/fixtures/whatsapp-external)', () => {
  it('keeps a message or status whose timestamp is a docs placeholder, without a time', () => {
    const message = normalizeInboundMessage({ from: '1', id: 'wamid.id', timestamp: '<TIMESTAMP>', type: 'text', text: { body: 'hi' } });
    expect(message).toMatchObject({ ok: true, message: { whatsAppMessageId: 'wamid.id', sentAt: undefined, text: 'hi' } });
    expect(normalizeStatus({ id: 'wamid.id', status: 'read', timestamp: 'TIMESTAMP' })).toMatchObject({ ok: true, status: { status: 'read', at: undefined } });
  });

  it('gives a message without its typed part the error Meta put on the change, and only that message', () => {
    const changeErrors = [{ code: 131000, title: 'Something went wrong', error_data: { details: 'Unsupported webhook payload' } }];
    const bare = normalizeInboundMessage({ from: '1', id: 'a', timestamp: '1700505494', type: 'interactive' }, { changeErrors });
    expect(bare).toMatchObject({ ok: true, message: { contentValid: false, error: { code: 131000, title: 'Something went wrong', details: 'Unsupported webhook payload' } } });
    const whole = normalizeInboundMessage({ from: '1', id: 'b', timestamp: '1700505494', type: 'text', text: { body: 'x' } }, { changeErrors });
    expect(whole).toMatchObject({ ok: true, message: { error: undefined } });
  });
});
