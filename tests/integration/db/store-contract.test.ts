// The store contract: what the app relies on from the database, checked on SQLite always and on SQL Server when MSSQL_TEST_CONNECTION is set.
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirm } from '../../../src/db/firms.queries';
import { isForeignKeyViolation } from '../../../src/db/foreign-key-violation';
import { migrateToLatest, migrationNames } from '../../../src/db/migrate';
import { MESSAGE_SEARCH_TABLE } from '../../../src/db/migrations/002-message-search';
import { normalizeUserName } from '../../../src/db/normalize-user-name';
import { schema, migrationLockTableName, migrationTableName } from '../../../src/db/schema';
import { indexName } from '../../../src/db/schema-definition';
import type { Database, NewRow } from '../../../src/db/tables';
import { isUniqueViolation } from '../../../src/db/unique-violation';
import { newId } from '../../../src/shared/ids';
import { createEmptyMssqlDatabase, createTestDatabase, type TestDatabase } from '../../support/test-database';

const mssqlConnection = process.env.MSSQL_TEST_CONNECTION;
const dialects: { name: string; open: () => Promise<TestDatabase> }[] = [{ name: 'SQLite', open: () => createTestDatabase({ empty: true }) }];
if (mssqlConnection) dialects.push({ name: 'SQL Server', open: () => createEmptyMssqlDatabase(mssqlConnection) });
else console.warn('store contract: SQL Server was NOT tested (set MSSQL_TEST_CONNECTION to a server where the login may create databases).');

const now = new Date('2026-01-15T09:30:00.123Z');

async function catalog(database: TestDatabase): Promise<{ tables: string[]; indexes: string[] }> {
  if (database.dialect === 'sqlite') {
    const rows = await sql<{ type: string; name: string }>`select type, name from sqlite_master where type in ('table', 'index') and name not like 'sqlite_%'`.execute(database.db);
    // The FTS5 full-text index (migration 002, SQLite only) and its shadow tables are checked by the inbox search tests.
    const isSearch = (name: string) => name === MESSAGE_SEARCH_TABLE || name.startsWith(`${MESSAGE_SEARCH_TABLE}_`);
    const kept = rows.rows.filter((r) => !isSearch(r.name));
    return { tables: kept.filter((r) => r.type === 'table').map((r) => r.name), indexes: kept.filter((r) => r.type === 'index').map((r) => r.name) };
  }
  const tables = await sql<{ name: string }>`select name from sys.tables`.execute(database.db);
  const indexes = await sql<{ name: string }>`select i.name from sys.indexes i join sys.tables t on t.object_id = i.object_id where i.is_primary_key = 0 and i.type > 0 and i.is_unique_constraint = 0`.execute(database.db);
  return { tables: tables.rows.map((r) => r.name), indexes: indexes.rows.map((r) => r.name) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the database to refuse this');
}

/** A firm with one number, one customer, one conversation: enough to hang messages on. */
async function seedFirm(db: Kysely<Database>, firmId: number): Promise<{ conversationId: string; operatorIds: string[] }> {
  await ensureFirm(db, { firmId, displayName: `Firm ${firmId}`, phoneNumberId: `pn-${firmId}`, businessAccountId: `waba-${firmId}`, now });
  const customerId = newId();
  await db.insertInto('WhatsApp_Customers').values({ Id: customerId, FirmId: firmId, WaId: '905551234567', CreatedAt: now, UpdatedAt: now }).execute();
  const conversationId = newId();
  await db
    .insertInto('WhatsApp_Conversations')
    .values({ Id: conversationId, FirmId: firmId, PhoneNumberId: `pn-${firmId}`, CustomerId: customerId, LastMessageAt: now, CreatedAt: now, UpdatedAt: now })
    .execute();
  const operatorIds = [newId(), newId()];
  for (const [i, id] of operatorIds.entries()) {
    const userName = `agent-${firmId}-${i}`;
    await db
      .insertInto('WhatsApp_Operators')
      .values({ Id: id, FirmId: firmId, UserName: userName, UserNameNormalized: normalizeUserName(userName), FullName: userName, Role: 'Agent', PasswordHash: 'x', CreatedAt: now, UpdatedAt: now })
      .execute();
  }
  return { conversationId, operatorIds };
}

function message(firmId: number, conversationId: string, fields: Partial<NewRow<'WhatsApp_Messages'>> = {}): NewRow<'WhatsApp_Messages'> {
  return { Id: newId(), FirmId: firmId, ConversationId: conversationId, Direction: 'inbound', Type: 'text', Status: 'received', MessageAt: now, CreatedAt: now, UpdatedAt: now, ...fields };
}

describe.each(dialects)('store contract on $name', ({ open }) => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let firm1: { conversationId: string; operatorIds: string[] };
  let firm2: { conversationId: string; operatorIds: string[] };

  beforeAll(async () => {
    database = await open();
    db = database.db;
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it('migrates an empty database to every table and index of the schema', async () => {
    expect(await catalog(database)).toEqual({ tables: [], indexes: [] });
    expect(await migrateToLatest(db)).toEqual(migrationNames);
    const { tables, indexes } = await catalog(database);
    expect(tables.sort()).toEqual([...Object.keys(schema), migrationTableName, migrationLockTableName].sort());
    const expectedIndexes = Object.entries(schema).flatMap(([table, def]) => def.indexes.map((index) => indexName(table, index)));
    expect(indexes.sort()).toEqual(expectedIndexes.sort());
    firm1 = await seedFirm(db, 1);
    firm2 = await seedFirm(db, 2);
  });

  it('migrating again changes nothing', async () => {
    const before = await catalog(database);
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await catalog(database)).toEqual(before);
    const recorded = await sql<{ name: string }>`select name from ${sql.table(migrationTableName)}`.execute(db);
    expect(recorded.rows.map((r) => r.name)).toEqual(migrationNames);
  });

  it('keeps times exactly, to the millisecond, across the whole range, and compares and orders them in SQL', async () => {
    const times = [
      '0001-01-01T00:00:00.000Z',
      '1899-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2024-02-29T12:34:56.005Z', // SQL Server's datetime would make this .007
      '2024-02-29T12:34:56.006Z',
      '2026-03-29T01:00:00.001Z', // a daylight-saving change in Europe: no local time involved anywhere
      '9999-12-31T23:59:59.999Z',
    ].map((t) => new Date(t));
    const shuffled = [3, 0, 6, 1, 5, 2, 4].map((i) => ({ firmId: 100 + i, at: times[i] as Date }));
    for (const { firmId, at } of shuffled) {
      await db.insertInto('WhatsApp_FirmSettings').values({ FirmId: firmId, DisplayName: 'time', CreatedAt: at, UpdatedAt: now }).execute();
    }
    const rows = await db.selectFrom('WhatsApp_FirmSettings').select(['FirmId', 'CreatedAt as At']).where('DisplayName', '=', 'time').orderBy('CreatedAt').execute();
    expect(rows.map((r) => r.At)).toEqual(times);
    expect(rows.every((r) => r.At instanceof Date)).toBe(true);
    expect(rows.map((r) => r.FirmId)).toEqual(times.map((_, i) => 100 + i));

    const pivot = times[3] as Date;
    const exact = await db.selectFrom('WhatsApp_FirmSettings').select('FirmId').where('CreatedAt', '=', pivot).execute();
    expect(exact).toEqual([{ FirmId: 103 }]);
    const later = await db.selectFrom('WhatsApp_FirmSettings').select('FirmId').where('DisplayName', '=', 'time').where('CreatedAt', '>', pivot).orderBy('FirmId').execute();
    expect(later.map((r) => r.FirmId)).toEqual([104, 105, 106]);
    const newest = await db.selectFrom('WhatsApp_FirmSettings').select((eb) => eb.fn.max('CreatedAt').as('CreatedAt')).where('DisplayName', '=', 'time').executeTakeFirstOrThrow();
    expect(newest.CreatedAt).toEqual(times[6]);
  });

  it('refuses times it could not keep', async () => {
    const insert = (at: Date, firmId: number) => db.insertInto('WhatsApp_FirmSettings').values({ FirmId: firmId, DisplayName: 'bad time', CreatedAt: at, UpdatedAt: now }).execute();
    await rejection(insert(new Date('+010000-01-01T00:00:00.000Z'), 190));
    await rejection(insert(new Date(Number.NaN), 191));
    expect(await db.selectFrom('WhatsApp_FirmSettings').select('FirmId').where('DisplayName', '=', 'bad time').execute()).toEqual([]);
  });

  it('keeps booleans as booleans and filters on them', async () => {
    const [active, inactive] = firm1.operatorIds as [string, string];
    await db.updateTable('WhatsApp_Operators').set({ IsActive: false }).where('Id', '=', inactive).execute();
    const rows = await db.selectFrom('WhatsApp_Operators').select(['Id', 'IsActive']).where('FirmId', '=', 1).orderBy('Id').execute();
    expect(new Map(rows.map((r) => [r.Id, r.IsActive]))).toEqual(new Map([[active, true], [inactive, false]]));
    const onlyActive = await db.selectFrom('WhatsApp_Operators').select('Id').where('FirmId', '=', 1).where('IsActive', '=', true).execute();
    expect(onlyActive).toEqual([{ Id: active }]);
  });

  it('keeps long text exactly, Turkish letters and emoji included, and refuses text longer than its column', async () => {
    const text = `Merhaba İĞÜŞÖÇ ığüşöç 👋🏽 ${'ş'.repeat(100_000)}`;
    const row = message(1, firm1.conversationId, { Text: text, ContentJson: JSON.stringify({ emoji: '🇹🇷' }) });
    await db.insertInto('WhatsApp_Messages').values(row).execute();
    const back = await db.selectFrom('WhatsApp_Messages').select(['Text', 'ContentJson']).where('Id', '=', row.Id).executeTakeFirstOrThrow();
    expect(back).toEqual({ Text: text, ContentJson: '{"emoji":"🇹🇷"}' });

    await db.insertInto('WhatsApp_FirmSettings').values({ FirmId: 150, DisplayName: 'x'.repeat(200), CreatedAt: now, UpdatedAt: now }).execute();
    await rejection(db.insertInto('WhatsApp_FirmSettings').values({ FirmId: 151, DisplayName: 'x'.repeat(201), CreatedAt: now, UpdatedAt: now }).execute());
  });

  it('keeps user names unique across firms, ignoring case and the Turkish dotted and dotless i', async () => {
    const addOperator = (firmId: number, userName: string) =>
      db
        .insertInto('WhatsApp_Operators')
        .values({ Id: newId(), FirmId: firmId, UserName: userName, UserNameNormalized: normalizeUserName(userName), FullName: userName, Role: 'Agent', PasswordHash: 'x', CreatedAt: now, UpdatedAt: now })
        .execute();
    await addOperator(1, 'İlker');
    for (const [firmId, twin] of [[1, 'ilker'], [2, 'ILKER'], [2, 'ılker'], [1, 'Ilker'], [2, 'İLKER']] as const) {
      expect(isUniqueViolation(await rejection(addOperator(firmId, twin)))).toBe(true);
    }
    await addOperator(1, 'Işık');
    await addOperator(1, 'ISIK'); // ş and s stay different letters
    const count = await db.selectFrom('WhatsApp_Operators').select((eb) => eb.fn.countAll<number>().as('n')).where('UserNameNormalized', 'in', ['ilker', 'işik', 'isik']).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
  });

  it('keeps WhatsApp message ids and client message ids unique per firm, not across firms, and allows many without one', async () => {
    await db.insertInto('WhatsApp_Messages').values(message(1, firm1.conversationId, { WhatsAppMessageId: 'wamid.SAME', ClientMessageId: 'client-1' })).execute();
    expect(isUniqueViolation(await rejection(db.insertInto('WhatsApp_Messages').values(message(1, firm1.conversationId, { WhatsAppMessageId: 'wamid.SAME' })).execute()))).toBe(true);
    expect(isUniqueViolation(await rejection(db.insertInto('WhatsApp_Messages').values(message(1, firm1.conversationId, { ClientMessageId: 'client-1' })).execute()))).toBe(true);
    await db.insertInto('WhatsApp_Messages').values(message(2, firm2.conversationId, { WhatsAppMessageId: 'wamid.SAME', ClientMessageId: 'client-1' })).execute();
    await db.insertInto('WhatsApp_Messages').values([message(1, firm1.conversationId), message(1, firm1.conversationId), message(1, firm1.conversationId)]).execute();
    const same = await db.selectFrom('WhatsApp_Messages').select('FirmId').where('WhatsAppMessageId', '=', 'wamid.SAME').orderBy('FirmId').execute();
    expect(same).toEqual([{ FirmId: 1 }, { FirmId: 2 }]);
  });

  it('enforces foreign keys', async () => {
    const error = await rejection(db.insertInto('WhatsApp_Messages').values(message(1, newId())).execute());
    expect(isForeignKeyViolation(error)).toBe(true);
    expect(isUniqueViolation(error)).toBe(false);
    const orphanFirm = await rejection(db.insertInto('WhatsApp_Customers').values({ Id: newId(), FirmId: 999, CreatedAt: now, UpdatedAt: now }).execute());
    expect(isForeignKeyViolation(orphanFirm)).toBe(true);
    const stillReferenced = await rejection(db.deleteFrom('WhatsApp_Conversations').where('Id', '=', firm1.conversationId).execute());
    expect(isForeignKeyViolation(stillReferenced)).toBe(true);
  });

  it('reports how many rows a conditional UPDATE changed, so exactly one of two claims wins', async () => {
    const [a, b] = firm1.operatorIds as [string, string];
    const claim = (operatorId: string) =>
      db
        .updateTable('WhatsApp_Conversations')
        .set({ AssignedOperatorId: operatorId, AssignedAt: now, UpdatedAt: now })
        .where('Id', '=', firm1.conversationId)
        .where('FirmId', '=', 1)
        .where('AssignedOperatorId', 'is', null)
        .executeTakeFirst();
    expect((await claim(a)).numUpdatedRows).toBe(1n);
    expect((await claim(b)).numUpdatedRows).toBe(0n);
    await db.updateTable('WhatsApp_Conversations').set({ AssignedOperatorId: null }).where('Id', '=', firm1.conversationId).execute();
    const results = await Promise.all([claim(a), claim(b), claim(a), claim(b)]);
    expect(results.map((r) => r.numUpdatedRows).reduce((x, y) => x + y)).toBe(1n);
    const everyone = await db.updateTable('WhatsApp_Operators').set({ FailedLoginCount: 0 }).where('FirmId', '=', 2).executeTakeFirst();
    expect(everyone.numUpdatedRows).toBe(2n);
  });

  it('rolls a failed transaction back, and survives a refused statement inside one', async () => {
    await rejection(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('WhatsApp_FirmSettings').values({ FirmId: 300, DisplayName: 'rolled back', CreatedAt: now, UpdatedAt: now }).execute();
        throw new Error('boom');
      }),
    );
    expect(await db.selectFrom('WhatsApp_FirmSettings').select('FirmId').where('FirmId', '=', 300).execute()).toEqual([]);

    await db.transaction().execute(async (trx) => {
      await trx.insertInto('WhatsApp_FirmSettings').values({ FirmId: 301, DisplayName: 'kept', CreatedAt: now, UpdatedAt: now }).execute();
      const duplicate = await rejection(trx.insertInto('WhatsApp_FirmSettings').values({ FirmId: 301, DisplayName: 'dup', CreatedAt: now, UpdatedAt: now }).execute());
      expect(isUniqueViolation(duplicate)).toBe(true);
      await trx.insertInto('WhatsApp_FirmSettings').values({ FirmId: 302, DisplayName: 'kept too', CreatedAt: now, UpdatedAt: now }).execute();
    });
    const kept = await db.selectFrom('WhatsApp_FirmSettings').select(['FirmId', 'DisplayName']).where('FirmId', 'in', [301, 302]).orderBy('FirmId').execute();
    expect(kept).toEqual([{ FirmId: 301, DisplayName: 'kept' }, { FirmId: 302, DisplayName: 'kept too' }]);
  });

  it('orders app-made ids by creation time', async () => {
    const start = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 30 }, (_, i) => newId(start + i * 7));
    const shuffled = [...ids].sort(() => Math.random() - 0.5);
    for (const [i, id] of shuffled.entries()) {
      await db
        .insertInto('WhatsApp_WebhookEvents')
        .values({ Id: id, Field: 'order-test', State: 'ignored', PayloadJson: '{}', PayloadSha256: `sha-${i}`, ReceivedAt: now })
        .execute();
    }
    const rows = await db.selectFrom('WhatsApp_WebhookEvents').select('Id').where('Field', '=', 'order-test').orderBy('Id').execute();
    expect(rows.map((r) => r.Id)).toEqual(ids);
  });

  it('bootstraps a firm once and refuses a number that belongs to another firm', async () => {
    expect(await ensureFirm(db, { firmId: 7, displayName: 'Yedi', phoneNumberId: 'pn-7', now })).toEqual({ firmCreated: true, phoneNumberCreated: true });
    expect(await ensureFirm(db, { firmId: 7, displayName: 'Renamed', phoneNumberId: 'pn-7', now })).toEqual({ firmCreated: false, phoneNumberCreated: false });
    const firm = await db.selectFrom('WhatsApp_FirmSettings').select(['DisplayName', 'AssignmentMode', 'InboxVisibility']).where('FirmId', '=', 7).executeTakeFirstOrThrow();
    expect(firm).toEqual({ DisplayName: 'Yedi', AssignmentMode: 'off', InboxVisibility: 'own-and-unassigned' });
    await expect(ensureFirm(db, { firmId: 8, displayName: 'Sekiz', phoneNumberId: 'pn-7', now })).rejects.toThrow(/pn-7 already belongs to firm 7/);
  });
});

if (!mssqlConnection) {
  describe.skip('store contract on SQL Server — NOT TESTED: MSSQL_TEST_CONNECTION is not set', () => {
    it('runs every check above against SQL Server', () => undefined);
  });
}
