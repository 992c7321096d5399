// Real webhook bodies from outside our corpus (tests/fixtures/whatsapp-external, see its SOURCES.md), signed and posted
// through receiveWebhook on a real SQLite file and Azurite: every message and status stored with its fields, once.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import type { Database } from '../../../src/db/tables';
import { startAzurite, type RunningAzurite } from '../../../src/devhost/azurite';
import { noopRealtimePublisher } from '../../../src/realtime/realtime-publisher';
import { systemClock } from '../../../src/shared/clock';
import { ensureQueues } from '../../../src/storage/queue-catalogue';
import { statusRank } from '../../../src/webhook/normalize-status';
import { receiveWebhook, type WebhookServices } from '../../../src/webhook/receive-webhook';
import { signWebhookBody } from '../../../src/webhook/verify-signature';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { clearWebhookRows, readWebhookRows } from '../../support/webhook-corpus-expectations';
import { seedFirm, seedOutboundMessage } from '../../support/webhook-fixtures';

const APP_SECRET = 'external-payloads-app-secret-0123';
const dir = path.resolve(__dirname, '..', '..', 'fixtures', 'whatsapp-external');
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({ name, bytes: readFileSync(path.join(dir, name)) }));

type Json = Record<string, unknown>;
interface Body {
  entry: { id?: unknown; changes: { field: string; value: Json }[] }[];
}
interface Change {
  readonly phoneNumberId: string;
  readonly messages: Json[];
  readonly statuses: Json[];
}

/** The `messages` changes of a body, read straight from the JSON (independently of src/webhook). */
function changesOf(bytes: Buffer): { field: string; change: Change | undefined }[] {
  const body = JSON.parse(bytes.toString('utf8')) as Body;
  return body.entry.flatMap((entry) =>
    entry.changes.map((c) => {
      if (c.field !== 'messages') return { field: c.field, change: undefined };
      const metadata = c.value.metadata as { phone_number_id: string };
      return { field: c.field, change: { phoneNumberId: metadata.phone_number_id, messages: (c.value.messages as Json[] | undefined) ?? [], statuses: (c.value.statuses as Json[] | undefined) ?? [] } };
    }),
  );
}

const seconds = (value: unknown): Date | null => (typeof value === 'string' && /^\d+$/.test(value) ? new Date(Number(value) * 1000) : typeof value === 'number' ? new Date(value * 1000) : null);
const json = (text: string | null | undefined) => JSON.parse(text ?? 'null') as Json;
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const MEDIA = ['image', 'video', 'audio', 'document', 'sticker'];
const ANNOTATIONS = ['reaction', 'edit', 'revoke'];

/** The message a reaction/edit/revoke points at, if the body names one. */
function targetOf(message: Json): string | null {
  const part = message[message.type as string] as Json | undefined;
  if (message.type === 'reaction') return str(part?.message_id);
  if (message.type === 'edit' || message.type === 'revoke') return str(part?.original_message_id);
  return null;
}

/** What each file must leave, beyond the generic checks below: literal values read off the source, field by field. */
const literal: Record<string, Record<string, unknown>> = {
  'pywa_message__text.json': { Type: 'text', Text: 'Body Text', WhatsAppTimestamp: new Date(1697043223000) },
  'pywa_message__image.json': { Type: 'image', Text: null, MediaId: '65463453', MediaMimeType: 'image/jpeg', MediaSha256: '4654+8g=', MediaState: 'pending' },
  'pywa_message__video.json': { Type: 'video', Text: 'caption', MediaId: '765756756', MediaMimeType: 'video/mp4', IsForwarded: true, IsFrequentlyForwarded: false },
  'pywa_message__document.json': { Type: 'document', Text: 'caption', MediaFileName: 'filename.pdf', MediaMimeType: 'application/pdf', IsForwarded: true },
  'pywa_message__audio.json': { Type: 'audio', MediaId: '1234567890987654321', MediaMimeType: 'audio/ogg; codecs=opus' },
  'pywa_message__voice.json': { Type: 'audio', MediaId: '1234567890987654321' },
  'pywa_message__static_sticker.json': { Type: 'sticker', MediaMimeType: 'image/webp' },
  'pywa_message__animated_sticker.json': { Type: 'sticker', MediaMimeType: 'image/webp' },
  'pywa_message__reaction.json': { Type: 'reaction', ReactionEmoji: '\u{1F62E}', ReactionToWhatsAppMessageId: 'wamid.yzxyzx=', Text: null },
  'pywa_message__unreaction_empty.json': { Type: 'reaction', ReactionEmoji: '', ReactionToWhatsAppMessageId: 'wamid.yzxyzx=' },
  'pywa_message__unreaction_no_emoji.json': { Type: 'reaction', ReactionEmoji: '', ReactionToWhatsAppMessageId: 'wamid.yzxyzx=' },
  'pywa_message__current_location.json': { Type: 'location', Text: '12.25089, 43.90539', IsForwarded: true },
  'pywa_message__chosen_location.json': { Type: 'location', Text: 'Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025' },
  'pywa_message__contacts.json': { Type: 'contacts', Text: 'Chandler Bing, Monica, Rachel Green' },
  'pywa_message__order.json': { Type: 'order', Text: null },
  'pywa_message__unsupported.json': { Type: 'unsupported', ErrorCode: 131051, ErrorTitle: 'Message type unknown', ErrorDetails: 'Message type is currently not supported.' },
  'pywa_message__reply.json': { Type: 'text', Text: 'replied text', ReplyToWhatsAppMessageId: 'wamid.xyzxyz==' },
  'pywa_message__forwarded.json': { Text: 'forwarded text', IsForwarded: true, IsFrequentlyForwarded: false },
  'pywa_message__forwarded_many_times.json': { Text: 'text forwarded many times', IsForwarded: true, IsFrequentlyForwarded: true },
  'pywa_message__interactive_message_with_err.json': { Type: 'interactive', Text: null, ReplyToWhatsAppMessageId: 'wamid.gvwegfretge==', ErrorCode: 131000, ErrorTitle: 'Something went wrong', ErrorDetails: 'Unsupported webhook payload' },
  'pywa_message__referral.json': { Type: 'text', Text: 'BODY', WhatsAppMessageId: 'wamid.ID' },
  'pywa_system__phone_number_change.json': { Type: 'system', Text: 'User A changed from 972987654321 to 972912345678' },
  'pywa_system__user_id_change.json': { Type: 'system', Text: 'User changed from CO.1234567890 to MX.0987654321' },
  'pywa_system__identity_change.json': { Type: 'system', Text: 'User identity changed' },
  'pywa_callback_button__button.json': { Type: 'interactive', Text: 'title', ReplyToWhatsAppMessageId: 'wamid.xyzxyz' },
  'pywa_callback_button__quick_reply.json': { Type: 'button', Text: 'title', ReplyToWhatsAppMessageId: 'wamid.xyzxyz==' },
  'pywa_callback_selection__callback.json': { Type: 'interactive', Text: 'title' },
  'pywa_callback_selection__description.json': { Type: 'interactive', Text: 'title' },
  'pywa_flow_completion__completion.json': { Type: 'interactive', Text: 'Sent' },
  'pywa_edited_message__edit_text.json': { Type: 'edit', Text: 'Text was edited', TargetWhatsAppMessageId: 'wamid.zzzzzz' },
  'pywa_edited_message__edit_caption.json': { Type: 'edit', Text: 'caption', TargetWhatsAppMessageId: 'wamid.zzzzzz' },
  'pywa_deleted_message__revoke.json': { Type: 'revoke', TargetWhatsAppMessageId: '<ORIGINAL_WHATSAPP_MESSAGE_ID>' },
  'secreto_v25_incoming_text_username_parent_user_id.json': { Type: 'text', Text: 'this is a text message' },
  'sendzen_text_identity_object.json': { Type: 'text', Text: 'Hi from new number 3601' },
  'sendzen_image_placeholder_timestamp.json': { Type: 'image', Text: 'This is a caption', MediaId: '2754859441498128', WhatsAppTimestamp: null },
  'sendzen_reaction_placeholder_timestamp_misspelled_message_id.json': { Type: 'reaction', WhatsAppTimestamp: null },
  'capture_playnow_text.json': { Type: 'text', Text: 'Hihu' },
  'meta_dashboard_sample_text_entry_id_0.json': { Type: 'text', Text: 'this is a text message' },
};

/** Customers the identity-bearing files must leave (BSUIDs, usernames, number changes). */
const customers: Record<string, Record<string, unknown>> = {
  'pywa_system__phone_number_change.json': { WaId: '972912345678' },
  'pywa_system__user_id_change.json': { WaId: null, Bsuid: 'MX.0987654321' },
  'pywa_callback_button__button.json': { WaId: '972987654321', Bsuid: 'US.13491208655302741918', ParentBsuid: 'US.ENT.11815799212886844830', ProfileName: 'Test Name' },
  'secreto_v25_incoming_text_username_parent_user_id.json': { WaId: '16315551181', Bsuid: 'US.13491208655302741918', Username: '@testusername', ProfileName: 'test user name' },
};

let database: TestDatabase;
let db: Kysely<Database>;
let azurite: RunningAzurite;
let services: WebhookServices;
let logged: unknown[];
const log = { warn: () => {}, error: (...args: unknown[]) => void logged.push(args) };

async function post(bytes: Buffer) {
  return receiveWebhook(services, { rawBody: bytes, signatureHeader: signWebhookBody(bytes, APP_SECRET) }, log);
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const config = loadConfig({ Jwt__Key: 'external-payloads-test-jwt-key-0123456789', WhatsApp__AppSecret: APP_SECRET, WhatsApp__VerifyToken: 'external-verify-token', WhatsApp__PhoneNumberId: '111111111111111' });
  azurite = await startAzurite({ inMemory: true, ports: { blob: 0, queue: 0, table: 0 } });
  services = {
    db,
    config,
    clock: systemClock,
    realtime: noopRealtimePublisher,
    storage: { queues: QueueServiceClient.fromConnectionString(azurite.connectionString), blobs: BlobServiceClient.fromConnectionString(azurite.connectionString) },
  };
  await ensureQueues(services.storage.queues);
  // Each body is routed by its own metadata.phone_number_id: every one of them belongs to firm 1.
  const ids = new Set(files.flatMap((f) => changesOf(f.bytes).flatMap((c) => (c.change ? [c.change.phoneNumberId] : []))));
  await seedFirm(db, 1, [...ids], { businessAccountId: '102290129340398' });
});
afterAll(async () => {
  await database?.cleanup();
  await azurite?.stop();
});
beforeEach(async () => {
  logged = [];
  await clearWebhookRows(db);
});

describe('external webhook bodies', () => {
  it('has at least 25 real bodies, each with a source', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    const sources = readFileSync(path.join(dir, 'SOURCES.md'), 'utf8');
    for (const f of files) expect(sources, f.name).toContain(f.name);
  });

  for (const file of files) {
    it(`stores ${file.name} field by field, once`, async () => {
      const changes = changesOf(file.bytes).flatMap((c) => (c.change ? [c.change] : []));
      const messages = changes.flatMap((c) => c.messages.map((m) => ({ m, phoneNumberId: c.phoneNumberId })));
      const statuses = changes.flatMap((c) => c.statuses);

      // The outbound messages the statuses report on, and the messages reactions, edits and revokes point at.
      const seeded = new Map<string, string>();
      for (const id of new Set(statuses.map((s) => s.id as string))) {
        seeded.set(id, (await seedOutboundMessage(db, { firmId: 1, phoneNumberId: changes[0]!.phoneNumberId, waId: '19995550000', whatsAppMessageId: id, status: 'sending', statusRank: 2 })).messageId);
      }
      for (const { m, phoneNumberId } of messages) {
        const target = targetOf(m);
        if (target && !seeded.has(target)) seeded.set(target, (await seedOutboundMessage(db, { firmId: 1, phoneNumberId, waId: '19995550000', whatsAppMessageId: target })).messageId);
      }

      const answer = await post(file.bytes);
      expect(answer).toEqual({ status: 200, text: 'OK' });
      expect(logged).toEqual([]);
      const rows = await readWebhookRows(db);
      // Nothing fell back to the replay queue or was recorded as failed.
      expect(rows.events.filter((e) => e.State === 'failed' || e.State === 'ignored' || e.State === 'unrouted')).toEqual([]);

      const inbound = rows.messages.filter((r) => r.Direction === 'inbound');
      const ids = new Set(messages.map(({ m }) => m.id as string));
      expect(inbound.map((r) => r.WhatsAppMessageId).sort()).toEqual([...ids].sort());

      for (const { m, phoneNumberId } of messages) {
        const row = inbound.find((r) => r.WhatsAppMessageId === m.id)!;
        const type = typeof m.type === 'string' ? m.type : 'unknown';
        const part = (m[type] ?? null) as Json | null;
        const context = (m.context ?? {}) as Json;
        const errors = m.errors as Json[] | undefined;
        expect(row).toMatchObject({ FirmId: 1, Status: 'received', Type: type, WhatsAppTimestamp: seconds(m.timestamp), ReplyToWhatsAppMessageId: str(context.id) });
        expect(row.IsForwarded).toBe(context.forwarded === true || context.frequently_forwarded === true);
        expect(row.IsFrequentlyForwarded).toBe(context.frequently_forwarded === true);
        expect(json(row.RawJson)).toEqual(m);
        const conversation = rows.conversations.find((c) => c.Id === row.ConversationId);
        expect(conversation?.PhoneNumberId).toBe(phoneNumberId);
        if (m.referral) expect(json(row.ReferralJson)).toEqual(m.referral);
        else expect(row.ReferralJson).toBeNull();
        if (errors?.[0]) expect(row.ErrorCode).toBe(errors[0].code);
        if (type === 'text') expect(row.Text).toBe((part as { body: string }).body);
        if (MEDIA.includes(type) && part) {
          expect(row).toMatchObject({ MediaId: part.id, MediaState: 'pending', MediaMimeType: str(part.mime_type), MediaFileName: str(part.filename), Text: str(part.caption) });
          expect(json(row.ContentJson)[type]).toMatchObject(part);
        } else if (!ANNOTATIONS.includes(type)) {
          expect(row.MediaId).toBeNull();
        }
        if (['location', 'contacts', 'interactive', 'button', 'order', 'system', 'unsupported'].includes(type) && part) expect(json(row.ContentJson)[type]).toEqual(part);
        if (type === 'location' && part) expect(json(row.ContentJson).location).toMatchObject({ latitude: part.latitude, longitude: part.longitude });
        if (type === 'interactive' && part) {
          const reply = (part.button_reply ?? part.list_reply) as Json | undefined;
          if (reply) expect(row.Text).toBe(reply.title);
        }
        if (type === 'button' && part) expect(row.Text).toBe(part.text);
        if (type === 'reaction') {
          const target = targetOf(m);
          expect(row.ReactionToWhatsAppMessageId).toBe(target);
          const emoji = str(part?.emoji);
          if (target) {
            const on = rows.messages.find((r) => r.WhatsAppMessageId === target)!;
            expect(on.CustomerReaction).toBe(emoji);
          }
        }
        if (type === 'edit' || type === 'revoke') {
          const on = rows.messages.find((r) => r.WhatsAppMessageId === targetOf(m))!;
          if (type === 'revoke') expect(on.RevokedAt).toEqual(row.MessageAt);
          else expect(on).toMatchObject({ Text: row.Text, EditedAt: row.MessageAt });
        }
      }
      const expected = literal[file.name];
      if (expected) {
        expect(inbound).toHaveLength(1);
        expect(inbound[0]).toMatchObject(expected);
      } else {
        expect(inbound, 'a body with messages needs literal expectations').toHaveLength(0);
      }
      const customer = customers[file.name];
      if (customer) expect(rows.customers.find((c) => c.Id === rows.conversations.find((v) => v.Id === inbound[0]?.ConversationId)?.CustomerId)).toMatchObject(customer);

      // Every status ends at the highest status the body reports, with its own time, error, pricing and tag kept.
      for (const [id, messageId] of seeded) {
        const forIt = statuses.filter((s) => s.id === id);
        if (forIt.length === 0) continue;
        const row = rows.messages.find((r) => r.Id === messageId)!;
        const highest = forIt.reduce((a, b) => ((statusRank[b.status as string] ?? -1) > (statusRank[a.status as string] ?? -1) ? b : a));
        expect(row).toMatchObject({ Status: highest.status, StatusRank: statusRank[highest.status as string] });
        for (const s of forIt) {
          const column = `${(s.status as string)[0]!.toUpperCase()}${(s.status as string).slice(1)}At` as 'SentAt';
          expect(row[column]).toEqual(seconds(s.timestamp));
          const error = (s.errors as Json[] | undefined)?.[0];
          if (s.status === 'failed' && error) {
            const data = error.error_data as Json | undefined;
            expect(row).toMatchObject({ ErrorCode: error.code, ErrorTitle: error.title, ErrorDetails: data?.details ?? null });
          }
          if (s.pricing || s.conversation) expect(json(row.PricingJson)).toEqual(JSON.parse(JSON.stringify({ pricing: s.pricing, conversation: s.conversation })));
          if (s.biz_opaque_callback_data) expect(row.BizOpaqueCallbackData).toBe(s.biz_opaque_callback_data);
        }
      }
      expect(rows.pending).toEqual([]);

      // Other fields (account_update, user_preferences) are kept raw for the issues that act on them.
      for (const c of changesOf(file.bytes).filter((x) => x.field !== 'messages')) {
        expect(rows.events.filter((e) => e.Field === c.field)).toHaveLength(1);
      }

      // The same delivery again adds nothing and changes nothing.
      expect(await post(file.bytes)).toEqual({ status: 200, text: 'OK' });
      expect(logged).toEqual([]);
      const after = await readWebhookRows(db);
      expect(after.messages).toEqual(rows.messages);
      expect(after.customers).toEqual(rows.customers);
      expect(after.pending).toEqual(rows.pending);
      expect(after.events).toEqual(rows.events);
      expect(after.conversations.map((c) => c.UnreadCount)).toEqual(rows.conversations.map((c) => c.UnreadCount));
    });
  }

  it('parks a status for a message not stored yet with its pricing, BSUID and error', async () => {
    for (const name of ['meta_bsuid_status_delivered_to_bsuid_empty_recipient_id.json', 'pywa_message_status__failed.json']) {
      await clearWebhookRows(db);
      const file = files.find((f) => f.name === name)!;
      expect((await post(file.bytes)).status).toBe(200);
      const [parked] = (await readWebhookRows(db)).pending;
      if (name.startsWith('meta')) {
        expect(parked).toMatchObject({ Status: 'delivered', RecipientId: null, RecipientUserId: 'user.9373795779eb6441c8adb2eaee5b848e7dd174ddd302d7db62142f4722d574b6' });
        expect(json(parked?.PricingJson)).toMatchObject({ pricing: { pricing_model: 'PMP', type: 'regular', category: 'marketing' } });
      } else {
        expect(parked).toMatchObject({ Status: 'failed', ErrorCode: 130472, ErrorTitle: "User's number is part of an experiment", ErrorDetails: "Failed to send message because this user's phone number is part of an experiment" });
      }
    }
    expect(logged).toEqual([]);
  });
});
