// Lookups of a firm's rows by primary key must use the key: SQLite's query plans for the statements these functions run,
// with and without ANALYZE statistics. An index that starts with FirmId would read every row of the firm instead.
import BetterSqlite3 from 'better-sqlite3';
import type { Kysely, KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/tables';
import { loadConversationViews } from '../../../src/inbox/conversation-view';
import { HistoryQuerySchema } from '../../../src/inbox/inbox.schemas';
import { listMessages } from '../../../src/inbox/list-messages';
import { loadMessages } from '../../../src/realtime/realtime-views.queries';
import { newId } from '../../../src/shared/ids';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { seedFirm } from '../../support/webhook-fixtures';

const PHONE = '106540352242922';
const NOW = new Date('2026-06-01T12:00:00.000Z');

let database: TestDatabase;
let messageIds: string[];
let conversationIds: string[];

/** Runs `work` and returns the SQLite plan of every statement it ran, as EXPLAIN QUERY PLAN words it. */
async function plansOf(work: (db: Kysely<Database>) => Promise<unknown>): Promise<{ sql: string; plan: string }[]> {
  const db = database.db;
  const statements: { sql: string; parameters: readonly unknown[] }[] = [];
  const capture: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      const compiled = db.getExecutor().compileQuery(node, queryId);
      statements.push({ sql: compiled.sql, parameters: compiled.parameters });
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  await work(db.withPlugin(capture));
  const raw = new BetterSqlite3(database.location, { readonly: true });
  try {
    return statements.map(({ sql, parameters }) => ({
      sql,
      plan: (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters.map((p) => (p instanceof Date ? p.toISOString() : p))) as { detail: string }[])
        .map((row) => row.detail)
        .join(' | '),
    }));
  } finally {
    raw.close();
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await seedFirm(db, 1, [PHONE]);
  messageIds = [];
  conversationIds = [];
  // Enough rows that a scan and a key lookup differ, in two firms so the firm check has something to exclude.
  for (let c = 0; c < 40; c++) {
    const customerId = newId();
    const conversationId = newId();
    await db.insertInto('WhatsApp_Customers').values({ Id: customerId, FirmId: 1, WaId: `90555${String(c).padStart(7, '0')}`, CreatedAt: NOW, UpdatedAt: NOW }).execute();
    await db
      .insertInto('WhatsApp_Conversations')
      .values({ Id: conversationId, FirmId: 1, PhoneNumberId: PHONE, CustomerId: customerId, LastMessageAt: NOW, CreatedAt: NOW, UpdatedAt: NOW })
      .execute();
    conversationIds.push(conversationId);
    const rows = Array.from({ length: 50 }, (_, m) => ({
      Id: newId(),
      FirmId: 1,
      ConversationId: conversationId,
      Direction: 'inbound',
      Type: 'text',
      Status: 'received',
      MessageAt: new Date(NOW.getTime() - (c * 50 + m) * 1000),
      Text: `mesaj ${c}-${m}`,
      WhatsAppMessageId: `wamid.plan-${c}-${m}`,
      CreatedAt: NOW,
      UpdatedAt: NOW,
    }));
    await db.insertInto('WhatsApp_Messages').values(rows).execute();
    messageIds.push(...rows.map((r) => r.Id));
  }
});
afterAll(async () => database.cleanup());

describe.each([
  ['without statistics', false],
  ['after ANALYZE', true],
])('%s', (_label, analyze) => {
  beforeAll(async () => {
    if (analyze) {
      const raw = new BetterSqlite3(database.location);
      raw.exec('ANALYZE');
      raw.close();
    }
  });

  it('real-time events read their messages by primary key', async () => {
    const wanted = messageIds.slice(-5);
    let loaded = 0;
    const plans = await plansOf(async (db) => (loaded = (await loadMessages(db, 1, wanted)).size));
    expect(loaded).toBe(5);
    expect(plans).toHaveLength(1);
    expect(plans[0]?.plan).toMatch(/USING INDEX sqlite_autoindex_WhatsApp_Messages_1 \(Id=\?\)/);
  });

  it('conversation rows for events, search and lists are read by primary key', async () => {
    const wanted = conversationIds.slice(0, 3);
    let loaded = 0;
    const plans = await plansOf(async (db) => (loaded = (await loadConversationViews(db, 1, wanted, NOW)).size));
    expect(loaded).toBe(3);
    expect(plans).toHaveLength(1);
    expect(plans[0]?.plan).toMatch(/SEARCH c USING INDEX sqlite_autoindex_WhatsApp_Conversations_1 \(Id=\?\)/);
  });

  it("a conversation's history pages read the conversation's index, not every message of the firm", async () => {
    const admin = { operatorId: newId(), firmId: 1, role: 'Admin' as const, userName: 'admin' };
    const conversationId = conversationIds[7] ?? '';
    let page: Awaited<ReturnType<typeof listMessages>> | undefined;
    const plans = await plansOf(async (db) => {
      page = await listMessages({ db, dialect: 'sqlite' }, admin, conversationId, HistoryQuerySchema.parse({ limit: '20' }));
      await listMessages({ db, dialect: 'sqlite' }, admin, conversationId, HistoryQuerySchema.parse({ limit: '20', before: page.olderCursor ?? undefined }));
    });
    expect(page?.items).toHaveLength(20);
    expect(page?.items.every((m) => m.conversationId === conversationId)).toBe(true);
    const threadReads = plans.filter((p) => /from "WhatsApp_Messages"/.test(p.sql) && /"ConversationId" = \?/.test(p.sql));
    expect(threadReads.length).toBeGreaterThanOrEqual(2);
    for (const read of threadReads) expect(read.plan).toMatch(/USING INDEX IX_WhatsApp_Messages_ConversationId_MessageAt_Id \(ConversationId=\?/);
  });

  it("another firm's ids are still not found", async () => {
    expect((await loadMessages(database.db, 2, messageIds.slice(0, 3))).size).toBe(0);
    expect((await loadConversationViews(database.db, 2, conversationIds.slice(0, 3), NOW)).size).toBe(0);
  });
});
