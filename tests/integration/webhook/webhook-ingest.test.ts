// Ingest through the use case on a real SQLite file: every corpus body field by field, idempotency, ordering, identity.
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/tables';
import type { RealtimeEvent } from '../../../src/realtime/realtime-publisher';
import { applyPendingStatuses } from '../../../src/webhook/apply-message-status';
import { parseWebhookPayload } from '../../../src/webhook/parse-webhook-payload';
import { processWebhook, type ProcessWebhookDeps, type ProcessWebhookResult } from '../../../src/webhook/process-webhook';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { readWebhookCorpus } from '../../support/webhook-corpus';
import { CORPUS_PHONE_NUMBER_IDS, clearWebhookRows, corpusStatusOutcome, expectCorpusRows, readWebhookRows } from '../../support/webhook-corpus-expectations';
import { messagesBody, seedFirm, seedOutboundMessage, statusObject, textMessage } from '../../support/webhook-fixtures';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const PHONE = '106540352242922';

let database: TestDatabase;
let db: Kysely<Database>;
let events: RealtimeEvent[];
let media: string[];
let errors: unknown[];

function deps(): ProcessWebhookDeps {
  return {
    db,
    clock: { now: () => NOW },
    realtime: { publish: async (e) => void events.push(...e) },
    enqueueMediaDownload: async (_firmId, messageId) => void media.push(messageId),
    log: { warn: () => {}, error: (...args: unknown[]) => errors.push(args) },
  };
}

async function ingest(text: string): Promise<ProcessWebhookResult> {
  const parsed = parseWebhookPayload(text);
  if (parsed.kind === 'malformed') throw new Error('malformed test body');
  return processWebhook(deps(), parsed, text, NOW);
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedFirm(db, 1, CORPUS_PHONE_NUMBER_IDS, { businessAccountId: '102290129340398' });
  await seedFirm(db, 2, ['222222222222222']);
});
afterAll(async () => database.cleanup());
beforeEach(() => {
  events = [];
  media = [];
  errors = [];
});
afterEach(async () => {
  expect(errors).toEqual([]);
  await clearWebhookRows(db);
});

describe('every corpus body', () => {
  for (const file of readWebhookCorpus()) {
    it(`stores ${file.name} field by field`, async () => {
      const result = await ingest(file.bytes.toString('utf8'));
      expect(result.failedChanges).toBe(0);
      const rows = await readWebhookRows(db);
      expectCorpusRows(file.name, rows);
      // Media messages are queued for download; nothing else is.
      expect(media).toEqual(rows.messages.filter((m) => m.MediaId !== null).map((m) => m.Id));
      for (const m of rows.messages) expect(events).toContainEqual({ type: 'message.created', firmId: 1, conversationId: m.ConversationId, messageId: m.Id });

      // A second delivery of the same body changes nothing.
      const again = await ingest(file.bytes.toString('utf8'));
      expect(again.storedMessages).toBe(0);
      const after = await readWebhookRows(db);
      expect(after.messages).toEqual(rows.messages);
      expect(after.pending).toEqual(rows.pending);
      expect(after.events).toEqual(rows.events);
      expect(after.conversations.map((c) => c.UnreadCount)).toEqual(rows.conversations.map((c) => c.UnreadCount));
    });
  }

  for (const [name, outcome] of Object.entries(corpusStatusOutcome)) {
    it(`applies ${name} to its stored outbound message`, async () => {
      const file = readWebhookCorpus().find((f) => f.name === name)!;
      const json = JSON.parse(file.bytes.toString('utf8')) as { entry: { changes: { value: { metadata: { phone_number_id: string }; statuses: { id: string }[] } }[] }[] };
      const value = json.entry[0]!.changes[0]!.value;
      const { messageId } = await seedOutboundMessage(db, { firmId: 1, phoneNumberId: value.metadata.phone_number_id, waId: '16505551234', whatsAppMessageId: value.statuses[0]!.id, status: 'sending', statusRank: 2 });
      await ingest(file.bytes.toString('utf8'));
      const row = await db.selectFrom('WhatsApp_Messages').selectAll().where('Id', '=', messageId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ Status: outcome.status, StatusRank: outcome.rank, ErrorCode: outcome.errorCode ?? null });
      expect((row as Record<string, unknown>)[outcome.timeColumn]).toBeInstanceOf(Date);
      expect(await db.selectFrom('WhatsApp_PendingStatuses').selectAll().execute()).toEqual([]);
      expect(events).toContainEqual(expect.objectContaining({ type: 'message.updated', messageId, change: 'status' }));
    });
  }
});

describe('idempotency', () => {
  it('W3: 1,000 messages delivered 3 times, shuffled, 10 at a time, leave exactly 1,000', async () => {
    const bodies = Array.from({ length: 1000 }, (_, i) =>
      messagesBody(PHONE, {
        contacts: [{ profile: { name: `Customer ${i % 50}` }, wa_id: `90555${String(i % 50).padStart(7, '0')}` }],
        messages: [textMessage(`wamid.W3-${i}`, `90555${String(i % 50).padStart(7, '0')}`, `message ${i}`, 1750000000 + i)],
      }),
    );
    const deliveries = fc.sample(fc.shuffledSubarray([...bodies, ...bodies, ...bodies], { minLength: 3000, maxLength: 3000 }), { numRuns: 1, seed: 42 })[0]!;
    for (let i = 0; i < deliveries.length; i += 10) await Promise.all(deliveries.slice(i, i + 10).map((body) => ingest(body)));
    const count = await db.selectFrom('WhatsApp_Messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1000);
    const conversations = await db.selectFrom('WhatsApp_Conversations').select(['UnreadCount', 'LastMessagePreview', 'LastMessageAt']).execute();
    expect(conversations).toHaveLength(50);
    expect(conversations.reduce((sum, c) => sum + c.UnreadCount, 0)).toBe(1000);
    expect(events.filter((e) => e.type === 'message.created')).toHaveLength(1000);
    // The newest message of each customer is the preview, whatever order the deliveries came in.
    for (const c of conversations) expect(c.LastMessagePreview).toBe(`message ${(c.LastMessageAt.getTime() / 1000 - 1750000000).toFixed(0)}`);
  });

  it('stores one message per change even when a body repeats it, and a 1,000-message batch in one POST', async () => {
    const messages = Array.from({ length: 1000 }, (_, i) => textMessage(`wamid.batch-${i}`, '905550000001', `batch ${i}`, 1750000000 + i));
    const result = await ingest(messagesBody(PHONE, { contacts: [{ profile: { name: 'Batch' }, wa_id: '905550000001' }], messages }));
    expect(result).toMatchObject({ changes: 1, failedChanges: 0, storedMessages: 1000 });
    const [conversation] = await db.selectFrom('WhatsApp_Conversations').selectAll().execute();
    expect(conversation).toMatchObject({ UnreadCount: 1000, LastMessagePreview: 'batch 999', LastInboundAt: new Date((1750000000 + 999) * 1000) });
  });
});

describe('statuses', () => {
  const orders = [
    ['read', 'delivered', 'sent'],
    ['delivered', 'read', 'sent'],
    ['sent', 'read', 'delivered'],
    ['read', 'sent', 'delivered'],
  ];
  for (const order of orders) {
    it(`W4: ${order.join(' → ')} ends at read with each status's own time`, async () => {
      const { messageId } = await seedOutboundMessage(db, { firmId: 1, phoneNumberId: PHONE, waId: '905550000002', whatsAppMessageId: 'wamid.out-1', status: 'sending', statusRank: 2 });
      const times: Record<string, number> = { sent: 1750000010, delivered: 1750000020, read: 1750000030 };
      for (const s of order) await ingest(messagesBody(PHONE, { statuses: [statusObject('wamid.out-1', s, times[s]!)] }));
      const row = await db.selectFrom('WhatsApp_Messages').selectAll().where('Id', '=', messageId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ Status: 'read', StatusRank: 30, SentAt: new Date(times.sent! * 1000), DeliveredAt: new Date(times.delivered! * 1000), ReadAt: new Date(times.read! * 1000) });
    });
  }

  it('ends at the highest status for any order of any statuses (property)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('sent', 'delivered', 'read', 'failed', 'played'), { minLength: 1, maxLength: 8 }), async (sequence) => {
        const wamid = `wamid.prop-${n++}`;
        const { messageId } = await seedOutboundMessage(db, { firmId: 1, phoneNumberId: PHONE, waId: '905550000003', whatsAppMessageId: wamid, status: 'sending', statusRank: 2 });
        for (const s of sequence) await ingest(messagesBody(PHONE, { statuses: [statusObject(wamid, s, 1750000000, s === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable' }] } : {})] }));
        const row = await db.selectFrom('WhatsApp_Messages').select(['Status', 'ErrorCode']).where('Id', '=', messageId).executeTakeFirstOrThrow();
        const rank: Record<string, number> = { sent: 10, failed: 15, delivered: 20, read: 30, played: 40 };
        const highest = sequence.reduce((a, b) => (rank[b]! > rank[a]! ? b : a));
        expect(row.Status).toBe(highest);
        expect(row.ErrorCode).toBe(sequence.includes('failed') ? 131026 : null);
      }),
      { numRuns: 60 },
    );
  });

  it('parks a status that overtakes its message and applies it when the send stores the wamid', async () => {
    await ingest(messagesBody(PHONE, { statuses: [statusObject('wamid.later', 'delivered', 1750000020), statusObject('wamid.later', 'sent', 1750000010, { biz_opaque_callback_data: 'campaign-7' })] }));
    expect(await db.selectFrom('WhatsApp_PendingStatuses').select('Status').execute()).toHaveLength(2);
    const { messageId } = await seedOutboundMessage(db, { firmId: 1, phoneNumberId: PHONE, waId: '905550000004', whatsAppMessageId: 'wamid.later', status: 'sending', statusRank: 2 });
    expect(await applyPendingStatuses(db, 1, messageId, 'wamid.later', NOW)).toBe(true);
    const row = await db.selectFrom('WhatsApp_Messages').selectAll().where('Id', '=', messageId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ Status: 'delivered', SentAt: new Date(1750000010000), DeliveredAt: new Date(1750000020000), BizOpaqueCallbackData: 'campaign-7' });
    expect(await db.selectFrom('WhatsApp_PendingStatuses').select('Id').execute()).toEqual([]);
  });

  it('matches a status to its send by biz_opaque_callback_data before the send stored the wamid', async () => {
    const tagged = await seedOutboundMessage(db, { firmId: 1, phoneNumberId: PHONE, waId: '905550000005', whatsAppMessageId: null, status: 'sending', statusRank: 2, id: undefined });
    await db.updateTable('WhatsApp_Messages').set({ BizOpaqueCallbackData: tagged.messageId }).where('Id', '=', tagged.messageId).execute();
    await ingest(messagesBody(PHONE, { statuses: [statusObject('wamid.early', 'sent', 1750000010, { biz_opaque_callback_data: tagged.messageId })] }));
    const row = await db.selectFrom('WhatsApp_Messages').selectAll().where('Id', '=', tagged.messageId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ Status: 'sent', WhatsAppMessageId: 'wamid.early' });
  });

  it('never lets another firm’s status touch a message', async () => {
    const { messageId } = await seedOutboundMessage(db, { firmId: 1, phoneNumberId: PHONE, waId: '905550000006', whatsAppMessageId: 'wamid.firm1', status: 'sent', statusRank: 10 });
    await ingest(messagesBody('222222222222222', { statuses: [statusObject('wamid.firm1', 'read', 1750000030)] }));
    expect((await db.selectFrom('WhatsApp_Messages').select('Status').where('Id', '=', messageId).executeTakeFirstOrThrow()).Status).toBe('sent');
    expect(await db.selectFrom('WhatsApp_PendingStatuses').select(['FirmId', 'Status']).execute()).toEqual([{ FirmId: 2, Status: 'read' }]);
  });
});

describe('reactions, revokes and edits', () => {
  it('shows the newest reaction on its target whatever the order, and an empty emoji removes it', async () => {
    const { messageId } = await seedOutboundMessage(db, { firmId: 1, phoneNumberId: PHONE, waId: '905550000007', whatsAppMessageId: 'wamid.biz-1' });
    const react = (id: string, emoji: string | undefined, ts: number) =>
      messagesBody(PHONE, { contacts: [{ wa_id: '905550000007', profile: { name: 'R' } }], messages: [{ from: '905550000007', id, timestamp: String(ts), type: 'reaction', reaction: { message_id: 'wamid.biz-1', ...(emoji === undefined ? {} : { emoji }) } }] });
    await ingest(react('wamid.r2', '\u2764\uFE0F', 1750000002));
    await ingest(react('wamid.r1', '\u{1F44D}', 1750000001));
    const reaction = async () => (await db.selectFrom('WhatsApp_Messages').select('CustomerReaction').where('Id', '=', messageId).executeTakeFirstOrThrow()).CustomerReaction;
    expect(await reaction()).toBe('\u2764\uFE0F');
    await ingest(react('wamid.r3', undefined, 1750000003));
    expect(await reaction()).toBeNull();
    await ingest(react('wamid.r2', '\u2764\uFE0F', 1750000002));
    expect(await reaction()).toBeNull();
    expect(events).toContainEqual(expect.objectContaining({ type: 'message.updated', messageId, change: 'reaction' }));
    const [conversation] = await db.selectFrom('WhatsApp_Conversations').selectAll().execute();
    expect(conversation).toMatchObject({ UnreadCount: 0, LastInboundAt: new Date(1750000003000) });
  });

  it('applies a revoke or an edit that arrived before the message it changes', async () => {
    const from = '905550000008';
    const contacts = [{ wa_id: from, profile: { name: 'E' } }];
    await ingest(messagesBody(PHONE, { contacts, messages: [{ from, id: 'wamid.edit', timestamp: '1750000005', type: 'edit', edit: { original_message_id: 'wamid.orig', message: { type: 'text', text: { body: 'fixed text' } } } }] }));
    await ingest(messagesBody(PHONE, { contacts, messages: [{ from, id: 'wamid.revoke', timestamp: '1750000009', type: 'revoke', revoke: { original_message_id: 'wamid.orig2' } }] }));
    await ingest(messagesBody(PHONE, { contacts, messages: [textMessage('wamid.orig', from, 'typo text', 1750000001), textMessage('wamid.orig2', from, 'oops', 1750000002)] }));
    const rows = await db.selectFrom('WhatsApp_Messages').select(['WhatsAppMessageId', 'Text', 'EditedAt', 'RevokedAt']).where('WhatsAppMessageId', 'in', ['wamid.orig', 'wamid.orig2']).orderBy('WhatsAppMessageId').execute();
    expect(rows).toEqual([
      { WhatsAppMessageId: 'wamid.orig', Text: 'fixed text', EditedAt: new Date(1750000005000), RevokedAt: null },
      { WhatsAppMessageId: 'wamid.orig2', Text: 'oops', EditedAt: null, RevokedAt: new Date(1750000009000) },
    ]);
  });
});

describe('customer identity (BSUID, WHATSAPP.md §12)', () => {
  const text = (id: string, from: string, userId: string | undefined, waId: string, ts: number) =>
    messagesBody(PHONE, {
      contacts: [{ profile: { name: 'Ayşe' }, wa_id: waId, ...(userId ? { user_id: userId } : {}) }],
      messages: [{ from, ...(userId ? { from_user_id: userId } : {}), id, timestamp: String(ts), type: 'text', text: { body: id } }],
    });

  it('keeps one conversation when a phone-only customer starts sending a BSUID, then hides the phone', async () => {
    await ingest(text('wamid.i1', '905551112233', undefined, '905551112233', 1750000001));
    await ingest(text('wamid.i2', '905551112233', 'TR.111', '905551112233', 1750000002));
    await ingest(text('wamid.i3', '', 'TR.111', '', 1750000003));
    const customers = await db.selectFrom('WhatsApp_Customers').select(['WaId', 'Bsuid']).execute();
    expect(customers).toEqual([{ WaId: '905551112233', Bsuid: 'TR.111' }]);
    expect(await db.selectFrom('WhatsApp_Conversations').select('UnreadCount').execute()).toEqual([{ UnreadCount: 3 }]);
  });

  it('does not merge a recycled number (same phone, another BSUID) into the old customer', async () => {
    await ingest(text('wamid.j1', '905551112244', 'TR.old', '905551112244', 1750000001));
    await ingest(text('wamid.j2', '905551112244', 'TR.new', '905551112244', 1750000002));
    const customers = await db.selectFrom('WhatsApp_Customers').select(['WaId', 'Bsuid']).orderBy('Bsuid').execute();
    expect(customers).toEqual([
      { WaId: '905551112244', Bsuid: 'TR.new' },
      { WaId: null, Bsuid: 'TR.old' },
    ]);
    expect(await db.selectFrom('WhatsApp_Conversations').select('Id').execute()).toHaveLength(2);
  });

  it('follows a number change and a BSUID change into the same conversation', async () => {
    await ingest(text('wamid.k1', '905551112255', 'TR.k', '905551112255', 1750000001));
    await ingest(messagesBody(PHONE, { messages: [{ from: '905551112255', id: 'wamid.k2', timestamp: '1750000002', type: 'system', system: { body: 'changed', wa_id: '905559998877', type: 'user_changed_number' } }] }));
    await ingest(messagesBody(PHONE, { messages: [{ id: 'wamid.k3', timestamp: '1750000003', type: 'system', system: { body: 'changed id', user_id: 'TR.k2', previous_user_id: 'TR.k', type: 'user_changed_user_id' } }] }));
    await ingest(text('wamid.k4', '905559998877', 'TR.k2', '905559998877', 1750000004));
    expect(await db.selectFrom('WhatsApp_Customers').select(['WaId', 'Bsuid']).execute()).toEqual([{ WaId: '905559998877', Bsuid: 'TR.k2' }]);
    expect(await db.selectFrom('WhatsApp_Conversations').select('Id').execute()).toHaveLength(1);
    expect(await db.selectFrom('WhatsApp_Messages').select('Id').execute()).toHaveLength(4);
  });

  it('follows a number change in the older shape (customer_changed_number, new_wa_id) Meta may still deliver', async () => {
    await ingest(text('wamid.o1', '905551112266', undefined, '905551112266', 1750000001));
    // Meta's earlier documented system message: "NAME changed from PHONE_NUMBER to PHONE_NUMBER".
    await ingest(messagesBody(PHONE, { messages: [{ from: '905551112266', id: 'wamid.o2', timestamp: '1750000002', type: 'system', system: { body: 'Ayşe changed from 905551112266 to 905557776655', new_wa_id: '905557776655', type: 'customer_changed_number' } }] }));
    await ingest(text('wamid.o3', '905557776655', undefined, '905557776655', 1750000003));
    expect(await db.selectFrom('WhatsApp_Customers').select(['WaId']).execute()).toEqual([{ WaId: '905557776655' }]);
    expect(await db.selectFrom('WhatsApp_Conversations').select('Id').execute()).toHaveLength(1);
    expect(await db.selectFrom('WhatsApp_Messages').select(['WhatsAppMessageId', 'Type']).orderBy('WhatsAppMessageId').execute()).toEqual([
      { WhatsAppMessageId: 'wamid.o1', Type: 'text' },
      { WhatsAppMessageId: 'wamid.o2', Type: 'system' },
      { WhatsAppMessageId: 'wamid.o3', Type: 'text' },
    ]);
  });
});

describe('what the number received, for the sending pacer', () => {
  it('reports each change’s new messages once, per phone number id; statuses and redeliveries add nothing', async () => {
    const received: [string, number][] = [];
    const withPacer: ProcessWebhookDeps = { ...deps(), onMessagesReceived: (phoneNumberId, count) => void received.push([phoneNumberId, count]) };
    const body = messagesBody(PHONE, { messages: [textMessage('wamid.p1', '905550007001', 'bir', 1750000001), textMessage('wamid.p2', '905550007002', 'iki', 1750000002)] });
    const run = async (text: string) => {
      const parsed = parseWebhookPayload(text);
      if (parsed.kind === 'malformed') throw new Error('malformed test body');
      await processWebhook(withPacer, parsed, text, NOW);
    };
    await run(body);
    await run(body);
    await run(messagesBody(PHONE, { statuses: [{ id: 'wamid.p1', status: 'read', timestamp: '1750000003', recipient_id: '905550007001' }] }));
    expect(received.filter(([, count]) => count > 0)).toEqual([[PHONE, 2]]);
  });
});

describe('routing and raw records', () => {
  it('records an unrouted number, other fields and unknown shapes once each, storing nothing else', async () => {
    await ingest(messagesBody('999999999999999', { messages: [textMessage('wamid.u', '905550000009', 'hi', 1750000000)] }));
    const template = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', time: 1750000000, changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 12345, message_template_name: 'order_update', message_template_language: 'en-US', reason: 'NONE' } }] }] });
    await ingest(template);
    await ingest(template);
    await ingest('{"hello":"world"}');
    await ingest('{"entry":[{"changes":[{"value":1}]}]}');
    const rows = await readWebhookRows(db);
    expect(rows.messages).toEqual([]);
    expect(rows.customers).toEqual([]);
    expect(rows.events.map((e) => [e.Field, e.State, e.FirmId, e.PhoneNumberId]).sort()).toEqual(
      [
        ['messages', 'unrouted', null, '999999999999999'],
        ['message_template_status_update', 'pending', 1, null],
        ['unknown', 'ignored', null, null],
        ['unknown', 'ignored', null, null],
      ].sort(),
    );
  });

  it('reopens a resolved conversation on a new customer message', async () => {
    await ingest(messagesBody(PHONE, { contacts: [{ wa_id: '905550000010' }], messages: [textMessage('wamid.o1', '905550000010', 'first', 1750000001)] }));
    await db.updateTable('WhatsApp_Conversations').set({ Status: 'Resolved', ResolvedAt: NOW, UnreadCount: 0 }).execute();
    await ingest(messagesBody(PHONE, { contacts: [{ wa_id: '905550000010' }], messages: [textMessage('wamid.o2', '905550000010', 'again', 1750000002)] }));
    expect(await db.selectFrom('WhatsApp_Conversations').select(['Status', 'ResolvedAt', 'UnreadCount', 'LastMessagePreview']).execute()).toEqual([
      { Status: 'Open', ResolvedAt: null, UnreadCount: 1, LastMessagePreview: 'again' },
    ]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'conversation.updated', change: 'reopened' }));
  });

  it('keeps a message of an unknown type whose name is too long for the column', async () => {
    const tooLongType = 'x'.repeat(40);
    const body = messagesBody(PHONE, {
      contacts: [{ wa_id: '905550000011' }],
      messages: [textMessage('wamid.good-1', '905550000011', 'one', 1750000001), { from: '905550000011', id: 'wamid.noid-sender', timestamp: '1750000002', type: tooLongType }, textMessage('wamid.good-2', '905550000011', 'two', 1750000003)],
    });
    const result = await ingest(body);
    expect(result.failedChanges).toBe(0);
    expect((await db.selectFrom('WhatsApp_Messages').select('WhatsAppMessageId').orderBy('MessageAt').execute()).map((r) => r.WhatsAppMessageId)).toEqual(['wamid.good-1', 'wamid.noid-sender', 'wamid.good-2']);
  });
});
