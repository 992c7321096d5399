// Matching message text and customers, with the one dialect difference of search kept here: SQLite asks its FTS5
// index (migration 002), SQL Server matches with LIKE. Both walk newest first and stop after a bounded window, so a
// search never scans a whole firm inside one request; callers say when a window ran out (results may continue).
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { MESSAGE_SEARCH_TABLE, MESSAGE_SEARCH_VOCABULARY } from '../db/migrations/002-message-search';
import type { Database } from '../db/tables';
import { firstRows } from './first-rows';
import { decodeNumberCursor, decodeTimeCursor, encodeNumberCursor, encodeTimeCursor } from './inbox-cursor';

type Db = Kysely<Database>;
type Dialect = 'sqlite' | 'mssql';

/** How the text is matched: `fts` (SQLite's index) or `like` (SQL Server; also runs on SQLite, for tests). */
export type TextStrategy = 'fts' | 'like';

export function textStrategyFor(dialect: Dialect): TextStrategy {
  return dialect === 'sqlite' ? 'fts' : 'like';
}

const MAX_TERMS = 8;
const MAX_TERM_LENGTH = 64;

/**
 * The words of a query: runs of letters, digits and marks, at most 8. A message matches when it holds every word,
 * each as the start of one of its words under FTS5 (unicode61, case and diacritics ignored: "odeme" finds "Ödeme"),
 * or anywhere in its text under LIKE (case as the SQL Server collation says).
 */
export function searchTerms(q: string): string[] {
  return (q.match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).slice(0, MAX_TERMS).map((term) => term.slice(0, MAX_TERM_LENGTH));
}

/** At most this many spellings of one term are tried (2 per `i`, for the first four). */
const MAX_SPELLINGS = 16;

/**
 * The spellings of a term the index may hold. unicode61 folds case and strips diacritics (ö→o, ş→s, İ→i) but keeps
 * the Turkish dotless ı apart from i, and people often type "i" for both: each `i` is also tried as `ı`.
 */
export function turkishSpellings(term: string): string[] {
  let spellings = [term.toLowerCase().replaceAll('\u0307', '')];
  const positions = [...(spellings[0] ?? '')].flatMap((c, i) => (c === 'i' ? [i] : [])).slice(0, Math.log2(MAX_SPELLINGS));
  for (const position of positions) {
    spellings = spellings.flatMap((s) => [s, [...s].map((c, i) => (i === position ? 'ı' : c)).join('')]);
  }
  return spellings;
}

const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;

/** Whole terms a long prefix is replaced by at most; past it the prefix query is used as it is. */
const MAX_EXPANSION = 24;

/** Folds a spelling as unicode61 (remove_diacritics 2) folds tokens, for comparing with the index's terms. */
function folded(spelling: string): string {
  return spelling.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * An FTS5 query: every term quoted (so no word is read as an operator), matched as a word prefix, in each spelling.
 * FTS5 answers a prefix of 2 or 3 characters from its prefix index, streaming newest first; a longer prefix it
 * would first merge in full (≈75 ms for a word in half of 2,000,000 messages), so such a prefix becomes an OR of the
 * whole terms that start with it, read from the vocabulary table, which streams like a single word.
 */
async function ftsQuery(db: Db, terms: readonly string[]): Promise<string> {
  const vocabulary = sql.table(MESSAGE_SEARCH_VOCABULARY);
  const clauses: string[] = [];
  for (const term of terms) {
    const options: string[] = [];
    for (const spelling of turkishSpellings(term)) {
      const base = folded(spelling);
      if ([...base].length <= 3 || !/^[a-z0-9ı]+$/.test(base)) {
        options.push(`${quoted(spelling)}*`);
        continue;
      }
      // Only terms longer than the prefix: the vocabulary counts each term it passes, and the exact term may be in a
      // million messages; `\u0001` sorts after the prefix and before every token character.
      const longer = await sql<{ term: string }>`select term from ${vocabulary} where term >= ${`${base}\u0001`} and term < ${`${base}\u{10FFFF}`} limit ${MAX_EXPANSION}`.execute(db);
      if (longer.rows.length >= MAX_EXPANSION) options.push(`${quoted(spelling)}*`);
      else options.push(quoted(base), ...longer.rows.map((row) => quoted(row.term)));
    }
    clauses.push(options.length === 1 ? (options[0] ?? '') : `(${options.join(' OR ')})`);
  }
  return clauses.join(' AND ');
}

/** `%…%` with LIKE's wildcards (and SQL Server's `[`) escaped by `\`. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_[]/g, (c) => `\\${c}`)}%`;
}

function likeAll(column: string, terms: readonly string[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.join(
    terms.map((term) => sql`${sql.ref(column)} like ${containsPattern(term)} escape '\\'`),
    sql` and `,
  )})`;
}

/**
 * The firm's customers whose name, user name or phone number contains `q` (phone: its digits, leading zeros dropped,
 * so "0532 123" finds 90532123…), at most `limit`; `complete` false when there were more.
 */
export async function customersMatching(db: Db, dialect: Dialect, input: { firmId: number; q: string; limit: number }): Promise<{ ids: string[]; complete: boolean }> {
  const text = containsPattern(input.q.trim());
  const digits = input.q.replace(/\D/g, '').replace(/^0+/, '');
  const query = db
    .selectFrom('WhatsApp_Customers')
    .select('Id')
    .where('FirmId', '=', input.firmId)
    .where((eb) => {
      const any = [
        sql<SqlBool>`${sql.ref('ProfileName')} like ${text} escape '\\'`,
        sql<SqlBool>`${sql.ref('Username')} like ${text} escape '\\'`,
        ...(digits.length >= 3 ? [sql<SqlBool>`${sql.ref('WaId')} like ${containsPattern(digits)} escape '\\'`] : []),
      ];
      return eb.or(any);
    });
  const rows = await firstRows(query, dialect, input.limit + 1).execute();
  return { ids: rows.slice(0, input.limit).map((r) => r.Id), complete: rows.length <= input.limit };
}

/**
 * Conversations of the firm with a message matching every term, among the newest `window` matching messages;
 * `complete` false when the window was full (older matches were not looked at).
 */
export async function conversationsWithText(
  db: Db,
  strategy: TextStrategy,
  dialect: Dialect,
  input: { firmId: number; terms: readonly string[]; window: number },
): Promise<{ ids: string[]; complete: boolean }> {
  if (input.terms.length === 0) return { ids: [], complete: true };
  if (strategy === 'fts') {
    const search = sql.table(MESSAGE_SEARCH_TABLE);
    // CROSS JOIN keeps SQLite walking the index newest first and looking each hit up by rowid.
    const result = await sql<{ ConversationId: string; FirmId: number }>`
      select m."ConversationId", m."FirmId"
      from (select rowid as k from ${search} where ${search} match ${await ftsQuery(db, input.terms)} order by rowid desc limit ${input.window}) as s
      cross join "WhatsApp_Messages" as m on m.rowid = s.k`.execute(db);
    const ids = result.rows.filter((r) => r.FirmId === input.firmId).map((r) => r.ConversationId);
    return { ids: [...new Set(ids)], complete: result.rows.length < input.window };
  }
  const query = db
    .selectFrom('WhatsApp_Messages as m')
    .select(['m.ConversationId'])
    .where('m.FirmId', '=', input.firmId)
    .where(likeAll('m.Text', input.terms))
    .orderBy('m.MessageAt', 'desc')
    .orderBy('m.Id', 'desc');
  const rows = await firstRows(query, dialect, input.window).execute();
  return { ids: [...new Set(rows.map((r) => r.ConversationId))], complete: rows.length < input.window };
}

/** One page of message search: ids newest first, and where to continue (null: nothing more). */
export interface MessageHits {
  readonly messageIds: string[];
  readonly nextCursor: string | null;
}

export interface MessageSearchInput {
  readonly firmId: number;
  readonly terms: readonly string[];
  /** Extra condition on the joined conversation `c` (the visibility rule), if any. */
  readonly visible: RawBuilder<SqlBool> | undefined;
  readonly from: Date | undefined;
  readonly to: Date | undefined;
  readonly cursor: string | undefined;
  readonly limit: number;
  /** Candidates looked at per request at most. */
  readonly window: number;
}

const CURSOR_KIND = { fts: 'search', like: 'search-time' } as const;

/**
 * Messages of the firm matching every term, newest first, that the caller may see. Order: FTS5 walks the index in
 * storage order (rowid), SQL Server by (MessageAt, Id); the two agree except for messages stored late (a webhook Meta
 * retried). A page may hold fewer than `limit` messages and still have a `nextCursor`: the window ran out first.
 */
export async function searchMessageHits(db: Db, strategy: TextStrategy, dialect: Dialect, input: MessageSearchInput): Promise<MessageHits> {
  if (input.terms.length === 0) return { messageIds: [], nextCursor: null };
  return strategy === 'fts' ? searchWithIndex(db, input) : searchWithLike(db, dialect, input);
}

const noCondition = sql<SqlBool>`1 = 1`;

async function searchWithIndex(db: Db, input: MessageSearchInput): Promise<MessageHits> {
  const below = input.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeNumberCursor(CURSOR_KIND.fts, input.cursor, 'query.cursor');
  const search = sql.table(MESSAGE_SEARCH_TABLE);
  const match = await ftsQuery(db, input.terms);
  const window = sql`(select rowid as k from ${search} where ${search} match ${match} and rowid < ${below} order by rowid desc limit ${input.window})`;
  const page = await sql<{ k: number; Id: string }>`
    select s.k, m."Id"
    from ${window} as s
    cross join "WhatsApp_Messages" as m on m.rowid = s.k
    cross join "WhatsApp_Conversations" as c on c."Id" = m."ConversationId"
    where m."FirmId" = ${input.firmId} and c."FirmId" = ${input.firmId} and m."TargetWhatsAppMessageId" is null
      and ${input.visible ?? noCondition}
      and ${input.from ? sql`m."MessageAt" >= ${input.from}` : noCondition}
      and ${input.to ? sql`m."MessageAt" < ${input.to}` : noCondition}
    order by s.k desc
    limit ${input.limit + 1}`.execute(db);
  const hits = page.rows.slice(0, input.limit);
  const last = hits.at(-1);
  if (page.rows.length > input.limit && last) return { messageIds: hits.map((h) => h.Id), nextCursor: encodeNumberCursor(CURSOR_KIND.fts, last.k) };
  // Fewer than a page: either the index has no more matches, or the window ran out before the filters let enough through.
  const scanned = await sql<{ n: number; lowest: number | null }>`select count(*) as n, min(k) as lowest from ${window} as s`.execute(db);
  const { n, lowest } = scanned.rows[0] ?? { n: 0, lowest: null };
  const more = Number(n) >= input.window && lowest !== null;
  return { messageIds: hits.map((h) => h.Id), nextCursor: more ? encodeNumberCursor(CURSOR_KIND.fts, Number(lowest)) : null };
}

async function searchWithLike(db: Db, dialect: Dialect, input: MessageSearchInput): Promise<MessageHits> {
  const below = input.cursor === undefined ? undefined : decodeTimeCursor(CURSOR_KIND.like, input.cursor, 'query.cursor');
  // The window: the firm's newest messages below the cursor in the searched time range, read from the (FirmId, MessageAt, Id) index.
  let windowQuery = db.selectFrom('WhatsApp_Messages as w').select(['w.Id', 'w.MessageAt']).where('w.FirmId', '=', input.firmId);
  if (below) windowQuery = windowQuery.where('w.MessageAt', '<=', below.at).where((eb) => eb.or([eb('w.MessageAt', '<', below.at), eb('w.Id', '<', below.id)]));
  if (input.from) windowQuery = windowQuery.where('w.MessageAt', '>=', input.from);
  if (input.to) windowQuery = windowQuery.where('w.MessageAt', '<', input.to);
  const windowRows = firstRows(windowQuery.orderBy('w.MessageAt', 'desc').orderBy('w.Id', 'desc'), dialect, input.window);

  let query = db
    .selectFrom('WhatsApp_Messages as m')
    .innerJoin('WhatsApp_Conversations as c', (join) => join.onRef('c.Id', '=', 'm.ConversationId').onRef('c.FirmId', '=', 'm.FirmId'))
    .select(['m.Id', 'm.MessageAt'])
    .where('m.FirmId', '=', input.firmId)
    .where('m.Id', 'in', db.selectFrom(windowRows.as('x')).select('x.Id'))
    .where('m.TargetWhatsAppMessageId', 'is', null)
    .where(likeAll('m.Text', input.terms));
  if (input.visible) query = query.where(input.visible);
  const page = await firstRows(query.orderBy('m.MessageAt', 'desc').orderBy('m.Id', 'desc'), dialect, input.limit + 1).execute();
  const hits = page.slice(0, input.limit);
  const last = hits.at(-1);
  if (page.length > input.limit && last) return { messageIds: hits.map((h) => h.Id), nextCursor: encodeTimeCursor(CURSOR_KIND.like, { at: last.MessageAt, id: last.Id }) };
  // Fewer than a page: continue below the window's oldest message if the window was full.
  const counted = await db.selectFrom(windowRows.as('x')).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  if (Number(counted?.n ?? 0) < input.window) return { messageIds: hits.map((h) => h.Id), nextCursor: null };
  const edge = await firstRows(db.selectFrom(windowRows.as('x')).select(['x.Id', 'x.MessageAt']).orderBy('x.MessageAt', 'asc').orderBy('x.Id', 'asc'), dialect, 1).executeTakeFirst();
  return { messageIds: hits.map((h) => h.Id), nextCursor: edge ? encodeTimeCursor(CURSOR_KIND.like, { at: edge.MessageAt, id: edge.Id }) : null };
}
