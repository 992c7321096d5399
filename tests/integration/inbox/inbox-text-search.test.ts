// Text matching on a real SQLite file: the FTS5 index follows inserts, edits and deletes; both strategies (FTS5 for
// SQLite, LIKE for SQL Server, run here on SQLite) find the same messages across windows and pages.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationsWithText, customersMatching, searchMessageHits, searchTerms, turkishSpellings, type TextStrategy } from '../../../src/inbox/text-search';
import { visibleConversationCondition } from '../../../src/inbox/visibility';
import { newId } from '../../../src/shared/ids';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

let database: TestDatabase;
const now = new Date();
const conversations: { id: string; assignee: string | null }[] = [];
const messages: { id: string; conversationId: string; text: string; at: Date }[] = [];
const agent = newId();
const other = newId();

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await db.insertInto('WhatsApp_FirmSettings').values({ FirmId: 1, DisplayName: 'F', CreatedAt: now, UpdatedAt: now }).execute();
  await db.insertInto('WhatsApp_PhoneNumbers').values({ Id: newId(), FirmId: 1, PhoneNumberId: '111', CreatedAt: now, UpdatedAt: now }).execute();
  for (const id of [agent, other]) {
    await db
      .insertInto('WhatsApp_Operators')
      .values({ Id: id, FirmId: 1, UserName: id, UserNameNormalized: id, FullName: 'A', Role: 'Agent', PasswordHash: 'x', CreatedAt: now, UpdatedAt: now })
      .execute();
  }
  for (let c = 0; c < 40; c++) {
    const customerId = newId();
    const conversationId = newId();
    const assignee = [null, agent, other][c % 3] ?? null;
    await db.insertInto('WhatsApp_Customers').values({ Id: customerId, FirmId: 1, WaId: `9053200${String(c).padStart(5, '0')}`, ProfileName: `Name ${c}`, CreatedAt: now, UpdatedAt: now }).execute();
    await db
      .insertInto('WhatsApp_Conversations')
      .values({ Id: conversationId, FirmId: 1, PhoneNumberId: '111', CustomerId: customerId, AssignedOperatorId: assignee, LastMessageAt: now, CreatedAt: now, UpdatedAt: now })
      .execute();
    conversations.push({ id: conversationId, assignee });
    for (let m = 0; m < 10; m++) {
      const at = new Date(Date.UTC(2026, 0, 1) + (c * 10 + m) * 60_000);
      const text = `message ${m} ${m % 3 === 0 ? 'invoice' : 'hello'} ${c % 5 === 0 ? 'refund' : ''}`.trim();
      const id = newId(at.getTime());
      await db.insertInto('WhatsApp_Messages').values({ Id: id, FirmId: 1, ConversationId: conversationId, Direction: 'inbound', Type: 'text', Status: 'received', MessageAt: at, Text: text, CreatedAt: now, UpdatedAt: now }).execute();
      messages.push({ id, conversationId, text, at });
    }
  }
});

afterAll(async () => {
  await database?.cleanup();
});

async function allHits(strategy: TextStrategy, q: string, options: { agentOnly?: boolean; window?: number; limit?: number; from?: Date; to?: Date } = {}): Promise<{ ids: string[]; requests: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let requests = 0;
  do {
    const page = await searchMessageHits(database.db, strategy, 'sqlite', {
      firmId: 1,
      terms: searchTerms(q),
      visible: options.agentOnly ? visibleConversationCondition('own-and-unassigned', { role: 'Agent', operatorId: agent }) : undefined,
      from: options.from,
      to: options.to,
      cursor,
      limit: options.limit ?? 7,
      window: options.window ?? 25,
    });
    ids.push(...page.messageIds);
    cursor = page.nextCursor ?? undefined;
    requests += 1;
  } while (cursor !== undefined && requests < 500);
  return { ids, requests };
}

describe('text search', () => {
  it('finds the same messages with FTS5 and with LIKE, across windows and pages, within visibility and time', async () => {
    const visible = new Set(conversations.filter((c) => c.assignee === null || c.assignee === agent).map((c) => c.id));
    const from = new Date(Date.UTC(2026, 0, 1) + 50 * 60_000);
    const to = new Date(Date.UTC(2026, 0, 1) + 300 * 60_000);
    const cases: { q: string; options: Parameters<typeof allHits>[2]; keep: (m: (typeof messages)[number]) => boolean }[] = [
      { q: 'invoice', options: {}, keep: (m) => m.text.includes('invoice') },
      { q: 'refund', options: { agentOnly: true }, keep: (m) => m.text.includes('refund') && visible.has(m.conversationId) },
      { q: 'hello refund', options: { window: 5, limit: 3 }, keep: (m) => m.text.includes('hello') && m.text.includes('refund') },
      { q: 'invoice', options: { from, to, agentOnly: true }, keep: (m) => m.text.includes('invoice') && m.at >= from && m.at < to && visible.has(m.conversationId) },
      { q: 'nothing', options: {}, keep: () => false },
    ];
    for (const c of cases) {
      const expected = messages.filter(c.keep).map((m) => m.id);
      for (const strategy of ['fts', 'like'] as const) {
        const got = await allHits(strategy, c.q, c.options);
        expect(new Set(got.ids), `${strategy} ${c.q}`).toEqual(new Set(expected));
        expect(got.ids.length, `${strategy} ${c.q} has no duplicates`).toBe(expected.length);
      }
    }
  });

  it('keeps the FTS5 index in step with edits and deletes of message text', async () => {
    const target = messages[0];
    if (!target) throw new Error('seed');
    await database.db.updateTable('WhatsApp_Messages').set({ Text: 'zanzibar edited' }).where('Id', '=', target.id).execute();
    expect((await allHits('fts', 'zanzibar')).ids).toEqual([target.id]);
    expect((await allHits('fts', 'message')).ids).not.toContain(target.id);
    await database.db.updateTable('WhatsApp_Messages').set({ Text: null }).where('Id', '=', target.id).execute();
    expect((await allHits('fts', 'zanzibar')).ids).toEqual([]);
    const second = messages[1];
    if (!second) throw new Error('seed');
    await database.db.deleteFrom('WhatsApp_Messages').where('Id', '=', second.id).execute();
    expect((await allHits('fts', 'message')).ids).not.toContain(second.id);
    // FTS5's own check against the content table: throws if the index and WhatsApp_Messages disagree.
    await sql`INSERT INTO WhatsApp_MessageSearch (WhatsApp_MessageSearch, rank) VALUES ('integrity-check', 1)`.execute(database.db);
  });

  it('matches conversations by text and customers by name or phone, both dialects', async () => {
    for (const strategy of ['fts', 'like'] as const) {
      const found = await conversationsWithText(database.db, strategy, 'sqlite', { firmId: 1, terms: ['refund'], window: 1000 });
      expect(new Set(found.ids)).toEqual(new Set(conversations.filter((_, c) => c % 5 === 0).map((c) => c.id)));
      expect(found.complete).toBe(true);
      const windowed = await conversationsWithText(database.db, strategy, 'sqlite', { firmId: 1, terms: ['refund'], window: 10 });
      expect(windowed.complete).toBe(false);
    }
    expect((await customersMatching(database.db, 'sqlite', { firmId: 1, q: 'Name 12', limit: 10 })).ids.length).toBe(1);
    expect((await customersMatching(database.db, 'sqlite', { firmId: 1, q: '0532 00 000 1', limit: 100 })).ids.length).toBe(10);
    expect((await customersMatching(database.db, 'sqlite', { firmId: 1, q: '50%_', limit: 10 })).ids).toEqual([]);
  });

  it('tries the dotless ı for every i a user typed', () => {
    expect(turkishSpellings('Fatih')).toEqual(['fatih', 'fatıh']);
    expect(turkishSpellings('İzmir').sort()).toEqual(['izmir', 'izmır', 'ızmir', 'ızmır'].sort());
    expect(turkishSpellings('iiiiii').length).toBe(16);
    expect(searchTerms('  "ödeme" OR yapıldı* NEAR(x) ')).toEqual(['ödeme', 'OR', 'yapıldı', 'NEAR', 'x']);
  });
});
