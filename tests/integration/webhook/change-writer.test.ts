// Group commit on a real SQLite file: changes that arrive together share one transaction, and one that fails is
// rolled back alone (the database itself refuses it, through a trigger) while the others are stored.
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/tables';
import { writeMessagesChange } from '../../../src/webhook/change-writer';
import type { RoutedMessagesChange } from '../../../src/webhook/ingest-messages-change';
import { normalizeInboundMessage, type NormalizedInboundMessage } from '../../../src/webhook/normalize-inbound-message';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { seedFirm, textMessage } from '../../support/webhook-fixtures';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const PHONE = '106540352242922';
const clock = { now: () => NOW };

let database: TestDatabase;
let db: Kysely<Database>;
let sequence = 0;

function change(from: string, ...texts: string[]): RoutedMessagesChange {
  const messages = texts.map((text): NormalizedInboundMessage => {
    const result = normalizeInboundMessage(textMessage(`wamid.writer-${sequence++}`, from, text, NOW.getTime() / 1000 - 60));
    if (!result.ok) throw new Error(result.reason);
    return result.message;
  });
  return { firmId: 1, phoneNumberId: PHONE, contacts: [], messages, statuses: [], receivedAt: NOW };
}

async function storedTexts(): Promise<string[]> {
  const rows = await db.selectFrom('WhatsApp_Messages').select('Text').orderBy('Text').execute();
  return rows.map((r) => r.Text ?? '');
}

/** The unread count of the customer's conversation; undefined when the customer has none. */
async function unreadOf(from: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('WhatsApp_Conversations as c')
    .innerJoin('WhatsApp_Customers as k', 'k.Id', 'c.CustomerId')
    .select('c.UnreadCount')
    .where('k.WaId', '=', from)
    .executeTakeFirst();
  return row?.UnreadCount;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedFirm(db, 1, [PHONE]);
  // A fault the database raises for one message only, as a full disk or a broken row would for one change.
  await sql`CREATE TRIGGER "TR_Test_RefusePoison" BEFORE INSERT ON "WhatsApp_Messages" WHEN new."Text" LIKE 'poison%' BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END`.execute(db);
});
afterAll(async () => database.cleanup());
beforeEach(async () => {
  await db.deleteFrom('WhatsApp_Messages').execute();
  await db.deleteFrom('WhatsApp_Conversations').execute();
  await db.deleteFrom('WhatsApp_Customers').execute();
});

describe('changes written together', () => {
  it('all commit when none fails, each with its own result', async () => {
    const results = await Promise.all([
      writeMessagesChange(db, clock, change('905550000001', 'a1', 'a2')),
      writeMessagesChange(db, clock, change('905550000002', 'b1')),
      writeMessagesChange(db, clock, change('905550000001', 'a3')),
    ]);
    expect(results.map((r) => r.stored)).toEqual([2, 1, 1]);
    expect(await storedTexts()).toEqual(['a1', 'a2', 'a3', 'b1']);
    // The third change found the conversation the first created in the same transaction.
    expect(await unreadOf('905550000001')).toBe(3);
  });

  it('a change that fails is rolled back alone: the others before and after it are stored, its own caller sees the error', async () => {
    const settled = await Promise.allSettled([
      writeMessagesChange(db, clock, change('905550000001', 'a1')),
      writeMessagesChange(db, clock, change('905550000002', 'b1', 'poison b2')),
      writeMessagesChange(db, clock, change('905550000003', 'c1')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/refused by the test trigger/);
    // b1 went with its change: nothing of a failed change is kept, not even its first message or its customer.
    expect(await storedTexts()).toEqual(['a1', 'c1']);
    expect(await unreadOf('905550000002')).toBeUndefined();
    expect(await unreadOf('905550000001')).toBe(1);
    expect(await unreadOf('905550000003')).toBe(1);
  });

  it('writing the same changes again adds nothing', async () => {
    const first = [change('905550000001', 'a1'), change('905550000002', 'b1')];
    await Promise.all(first.map((c) => writeMessagesChange(db, clock, c)));
    const again = await Promise.all(first.map((c) => writeMessagesChange(db, clock, c)));
    expect(again.map((r) => [r.stored, r.duplicates])).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(await storedTexts()).toEqual(['a1', 'b1']);
  });
});
