// `npm run bench:inbox`: seeds 100,000 conversations and 2,000,000 messages into a SQLite file and prints p50/p99 of
// the inbox reads (list first page and deep cursor, history page, search) through the app's own use cases.
// Options: --conversations=N --messages=N --runs=N --keep (keep the file) --file=path (reuse a seeded file).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { Actor } from '../src/auth/actor';
import { createDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { MESSAGE_SEARCH_TABLE } from '../src/db/migrations/002-message-search';
import { encodeTimeCursor } from '../src/inbox/inbox-cursor';
import { HistoryQuerySchema, ListConversationsQuerySchema, SearchMessagesQuerySchema } from '../src/inbox/inbox.schemas';
import { listConversations } from '../src/inbox/list-conversations';
import { listMessages } from '../src/inbox/list-messages';
import { searchMessages } from '../src/inbox/search-messages';
import { systemClock } from '../src/shared/clock';
import { newId } from '../src/shared/ids';
import { seededRandom } from './seeded-random';

const args = new Map(process.argv.slice(2).map((a) => [a.replace(/^--/, '').split('=')[0] ?? '', a.split('=')[1] ?? 'true']));
const CONVERSATIONS = Number(args.get('conversations') ?? 100_000);
const MESSAGES = Number(args.get('messages') ?? 2_000_000);
const RUNS = Number(args.get('runs') ?? 400);
const AGENTS = 20;
const FIRM = 1;

const COMMON = ['merhaba', 'teşekkürler', 'ders', 'ödeme', 'kayıt', 'sınav', 'hafta', 'saat', 'program', 'öğrenci', 'veli', 'fatura', 'servis', 'kurs', 'tamam'];
const FIRST = ['Ayşe', 'Mehmet', 'Fatma', 'Ahmet', 'Zeynep', 'Mustafa', 'Elif', 'Emre', 'Büşra', 'Can', 'Şule', 'Oğuz', 'İrem', 'Ilgın', 'Gökhan'];
const LAST = ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Öztürk', 'Aydın', 'Arslan', 'Doğan', 'Kılıç', 'Koç', 'Kurt', 'Özdemir', 'Aslan'];

/** A vocabulary of 5,000 words used with Zipf frequencies (word r with weight 1/r), the real ones most common. */
function vocabulary(rnd: () => number): { words: string[]; pick: () => string } {
  const syllables = ['ka', 'le', 'mi', 'ro', 'su', 'ta', 'ne', 'de', 'bi', 'ya', 'ar', 'ok', 'ul', 'ze', 'pa', 'çi', 'gö', 'şu', 'ıl', 'ün'];
  const words = [...COMMON];
  const seen = new Set(words);
  while (words.length < 5000) {
    let word = '';
    const n = 2 + Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) word += syllables[Math.floor(rnd() * syllables.length)];
    if (!seen.has(word)) {
      seen.add(word);
      words.push(word);
    }
  }
  const cumulative: number[] = [];
  let sum = 0;
  for (let r = 1; r <= words.length; r++) cumulative.push((sum += 1 / r));
  const pick = () => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo] ?? 'merhaba';
  };
  return { words, pick };
}

interface Seeded {
  readonly admin: Actor;
  readonly agent: Actor;
  readonly words: string[];
}

/**
 * Writes the data with better-sqlite3 in large transactions (the app's migrations made the schema, FTS5 triggers
 * included, so the search index is built exactly as the app builds it). Messages go in time order, as they arrive.
 */
function seed(file: string): Seeded {
  const started = Date.now();
  const rnd = seededRandom(42);
  const { words, pick } = vocabulary(rnd);
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  raw.pragma('cache_size = -1000000');
  const now = new Date().toISOString();
  const t0 = Date.UTC(2025, 0, 1);
  const year = 365 * 24 * 3600 * 1000;
  raw.prepare("INSERT INTO WhatsApp_FirmSettings (FirmId, DisplayName, InboxVisibility, CreatedAt, UpdatedAt) VALUES (?, 'Bench', 'own-and-unassigned', ?, ?)").run(FIRM, now, now);
  raw.prepare('INSERT INTO WhatsApp_PhoneNumbers (Id, FirmId, PhoneNumberId, CreatedAt, UpdatedAt) VALUES (?, ?, ?, ?, ?)').run(newId(), FIRM, '100000000000001', now, now);
  const operator = raw.prepare(
    "INSERT INTO WhatsApp_Operators (Id, FirmId, UserName, UserNameNormalized, FullName, Role, PasswordHash, CreatedAt, UpdatedAt) VALUES (?, ?, ?, ?, ?, ?, 'x', ?, ?)",
  );
  const adminId = newId();
  operator.run(adminId, FIRM, 'admin', 'admin', 'Admin', 'Admin', now, now);
  const agentIds: string[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const id = newId();
    agentIds.push(id);
    operator.run(id, FIRM, `agent${i}`, `agent${i}`, `Agent ${i}`, 'Agent', now, now);
  }

  // Conversations first (each with its message times), then every message in time order.
  const customer = raw.prepare('INSERT INTO WhatsApp_Customers (Id, FirmId, WaId, ProfileName, CreatedAt, UpdatedAt) VALUES (?, ?, ?, ?, ?, ?)');
  const conversation = raw.prepare(
    `INSERT INTO WhatsApp_Conversations (Id, FirmId, PhoneNumberId, CustomerId, Status, AssignedOperatorId, AssignedAt, LastInboundAt, LastMessageAt,
       LastMessagePreview, UnreadCount, ResolvedAt, CreatedAt, UpdatedAt) VALUES (?, ?, '100000000000001', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Message counts per conversation vary (0.1× to 1.9× the mean) and add up to exactly MESSAGES.
  const perConversation = MESSAGES / CONVERSATIONS;
  const sizes = Array.from({ length: CONVERSATIONS }, () => Math.max(1, Math.round(perConversation * (0.1 + 1.8 * rnd()))));
  let excess = sizes.reduce((a, b) => a + b, 0) - MESSAGES;
  for (let c = 0; excess !== 0; c = (c + 1) % CONVERSATIONS) {
    const size = sizes[c] ?? 1;
    if (excess > 0 && size > 1) {
      sizes[c] = size - 1;
      excess -= 1;
    } else if (excess < 0) {
      sizes[c] = size + 1;
      excess += 1;
    }
  }
  const plan: { conversationId: string; at: number }[] = [];
  raw.transaction(() => {
    for (let c = 0; c < CONVERSATIONS; c++) {
      const customerId = newId();
      const name = `${FIRST[Math.floor(rnd() * FIRST.length)]} ${LAST[Math.floor(rnd() * LAST.length)]}`;
      customer.run(customerId, FIRM, `905${String(300_000_000 + c * 7).padStart(9, '0')}`, name, now, now);
      const count = sizes[c] ?? 1;
      const start = t0 + Math.floor(rnd() * year);
      const times: number[] = [];
      let at = start;
      for (let k = 0; k < count; k++) times.push((at += 1000 + Math.floor(rnd() * 2 * 3600 * 1000)));
      const id = newId(start);
      const r = rnd();
      const status = r < 0.6 ? 'Resolved' : r < 0.7 ? 'Pending' : 'Open';
      const assignee = rnd() < 0.8 ? (agentIds[Math.floor(rnd() * AGENTS)] ?? null) : null;
      const last = new Date(times.at(-1) ?? start).toISOString();
      conversation.run(id, FIRM, customerId, status, assignee, assignee ? last : null, last, last, 'preview', Math.floor(rnd() * 3), status === 'Resolved' ? last : null, now, now);
      for (const time of times) plan.push({ conversationId: id, at: time });
    }
  })();
  plan.sort((a, b) => a.at - b.at);
  const message = raw.prepare(
    `INSERT INTO WhatsApp_Messages (Id, FirmId, ConversationId, Direction, Type, Status, MessageAt, Text, WhatsAppMessageId, CreatedAt, UpdatedAt)
     VALUES (?, ?, ?, ?, 'text', ?, ?, ?, ?, ?, ?)`,
  );
  const insertBatch = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const item = plan[i];
      if (!item) continue;
      const n = 3 + Math.floor(rnd() * 10);
      const text: string[] = [];
      for (let k = 0; k < n; k++) text.push(pick());
      const inbound = rnd() < 0.55;
      const iso = new Date(item.at).toISOString();
      message.run(newId(item.at), FIRM, item.conversationId, inbound ? 'inbound' : 'outbound', inbound ? 'received' : 'read', iso, text.join(' '), `wamid.bench.${i}`, iso, iso);
    }
  });
  for (let i = 0; i < plan.length; i += 50_000) {
    insertBatch(i, i + 50_000);
    process.stdout.write(`\r  messages ${Math.min(plan.length, i + 50_000).toLocaleString('en')} / ${plan.length.toLocaleString('en')}`);
  }
  process.stdout.write('\n');
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.exec('ANALYZE');
  raw.close();
  console.log(`seeded ${CONVERSATIONS.toLocaleString('en')} conversations and ${plan.length.toLocaleString('en')} messages in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return {
    admin: { operatorId: adminId, firmId: FIRM, role: 'Admin', userName: 'admin' },
    agent: { operatorId: agentIds[0] ?? '', firmId: FIRM, role: 'Agent', userName: 'agent0' },
    words,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface Row {
  readonly name: string;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly target: number | undefined;
  readonly note: string;
}

async function measure(name: string, target: number | undefined, runs: number, run: (i: number) => Promise<number | string>): Promise<Row> {
  for (let i = 0; i < Math.min(20, runs); i++) await run(i);
  const times: number[] = [];
  let note: number | string = '';
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    note = await run(i);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { name, p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) ?? NaN, target, note: String(note) };
}

async function main(): Promise<void> {
  const reuse = args.get('file');
  const dir = reuse ? path.dirname(reuse) : mkdtempSync(path.join(tmpdir(), 'ustad-bench-inbox-'));
  const file = reuse ?? path.join(dir, 'inbox.db');
  let seeded: Seeded;
  if (reuse && existsSync(reuse)) {
    const raw = new BetterSqlite3(reuse, { readonly: true });
    const admin = raw.prepare("SELECT Id FROM WhatsApp_Operators WHERE Role = 'Admin'").get() as { Id: string };
    const agent = raw.prepare("SELECT Id FROM WhatsApp_Operators WHERE UserName = 'agent0'").get() as { Id: string };
    raw.close();
    seeded = {
      admin: { operatorId: admin.Id, firmId: FIRM, role: 'Admin', userName: 'admin' },
      agent: { operatorId: agent.Id, firmId: FIRM, role: 'Agent', userName: 'agent0' },
      words: vocabulary(seededRandom(42)).words,
    };
    console.log(`reusing ${reuse}`);
  } else {
    const migrating = createDatabase({ kind: 'sqlite', path: file });
    await migrateToLatest(migrating.db);
    await migrating.close();
    seeded = seed(file);
  }

  // The app's own database adapter (settings, value conversion, statement cache), as the Functions host opens it.
  const database = createDatabase({ kind: 'sqlite', path: file });
  const services = { db: database.db, dialect: 'sqlite' as const, clock: systemClock };
  const { admin, agent, words } = seeded;
  const rnd = seededRandom(7);
  const key = async (offset: number, where: 'all' | 'agent') => {
    let q = database.db.selectFrom('WhatsApp_Conversations').select(['Id', 'LastMessageAt']).where('FirmId', '=', FIRM);
    if (where === 'agent') q = q.where((eb) => eb.or([eb('AssignedOperatorId', 'is', null), eb('AssignedOperatorId', '=', agent.operatorId)]));
    const row = await q.orderBy('LastMessageAt', 'desc').orderBy('Id', 'desc').offset(offset).limit(1).executeTakeFirstOrThrow();
    return encodeTimeCursor('conversations', { at: row.LastMessageAt, id: row.Id });
  };
  const deepAdmin = await key(Math.floor(CONVERSATIONS / 2), 'all');
  const deepAgent = await key(Math.floor(CONVERSATIONS / 10), 'agent');
  const sample = (await database.db.selectFrom('WhatsApp_Conversations').select('Id').where('FirmId', '=', FIRM).execute()).map((r) => r.Id);
  const someConversation = () => sample[Math.floor(rnd() * sample.length)] ?? '';
  const list = (actor: Actor, query: Record<string, string>) => listConversations(services, actor, ListConversationsQuerySchema.parse(query));
  const search = (actor: Actor, q: string) => searchMessages(services, actor, SearchMessagesQuerySchema.parse({ q }));
  const frequency = async (word: string) => {
    const found = await sql<{ n: number }>`select count(*) as n from ${sql.table(MESSAGE_SEARCH_TABLE)} where ${sql.table(MESSAGE_SEARCH_TABLE)} match ${`"${word}"`}`.execute(database.db);
    return Number(found.rows[0]?.n ?? 0);
  };
  // Search words by how often they occur: very common, common, uncommon, rare.
  const terms = { frequent: words[0] ?? '', common: words[20] ?? '', uncommon: words[300] ?? '', rare: words[4000] ?? '' };
  const counts: Record<string, number> = {};
  for (const [label, word] of Object.entries(terms)) counts[label] = await frequency(word);

  const rows: Row[] = [];
  const n = RUNS;
  rows.push(await measure('list first page (admin, 50 + counts)', 20, n, async () => (await list(admin, { limit: '50' })).items.length));
  rows.push(await measure('list first page (agent, 50 + counts)', 20, n, async () => (await list(agent, { limit: '50' })).items.length));
  rows.push(await measure('list first page, status=Open (agent)', 20, n, async () => (await list(agent, { limit: '50', status: 'Open' })).items.length));
  rows.push(await measure(`list deep cursor (admin, row ${CONVERSATIONS / 2})`, 20, n, async () => (await list(admin, { limit: '50', cursor: deepAdmin })).items.length));
  rows.push(await measure(`list deep cursor (agent, row ${CONVERSATIONS / 10})`, 20, n, async () => (await list(agent, { limit: '50', cursor: deepAgent })).items.length));
  rows.push(
    await measure('history newest page (50)', 20, n, async () => (await listMessages(services, admin, someConversation(), HistoryQuerySchema.parse({ limit: '50' }))).items.length),
  );
  const olderPages: { conversationId: string; before: string }[] = [];
  while (olderPages.length < 300) {
    const conversationId = someConversation();
    const first = await listMessages(services, admin, conversationId, HistoryQuerySchema.parse({ limit: '5' }));
    if (first.hasOlder && first.olderCursor) olderPages.push({ conversationId, before: first.olderCursor });
  }
  rows.push(
    await measure('history older page (before cursor, 50)', 20, n, async (i) => {
      const page = olderPages[i % olderPages.length];
      return (await listMessages(services, admin, page?.conversationId ?? '', HistoryQuerySchema.parse({ limit: '50', before: page?.before }))).items.length;
    }),
  );
  for (const [label, word] of Object.entries(terms)) {
    rows.push(await measure(`search "${word}" (${label}, ${counts[label]?.toLocaleString('en')} msgs, admin)`, 200, Math.min(n, 200), async () => (await search(admin, word)).items.length));
    rows.push(await measure(`search "${word}" (${label}, agent)`, 200, Math.min(n, 200), async () => (await search(agent, word)).items.length));
  }
  rows.push(await measure('search prefix "öd" (admin)', 200, Math.min(n, 200), async () => (await search(admin, 'öd')).items.length));
  rows.push(await measure(`search two words "${terms.common} ${terms.uncommon}" (agent)`, 200, Math.min(n, 200), async () => (await search(agent, `${terms.common} ${terms.uncommon}`)).items.length));
  rows.push(await measure('search no match (agent)', 200, Math.min(n, 200), async () => (await search(agent, 'qqqxyz')).items.length));
  rows.push(await measure('list with q = customer name (agent)', undefined, Math.min(n, 100), async () => (await list(agent, { limit: '50', q: 'Şule Kaya' })).items.length));
  rows.push(await measure(`list with q = "${terms.uncommon}" (agent)`, undefined, Math.min(n, 100), async () => (await list(agent, { limit: '50', q: terms.uncommon })).items.length));

  const pad = (s: string, w: number) => s.padEnd(w);
  console.log(`\n${pad('operation', 66)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} ${pad('max ms', 8)} target   rows`);
  for (const row of rows) {
    const verdict = row.target === undefined ? '   —    ' : row.p99 < row.target ? `<${row.target} ✓`.padEnd(8) : `<${row.target} ✗`.padEnd(8);
    console.log(`${pad(row.name, 66)} ${pad(row.p50.toFixed(2), 8)} ${pad(row.p99.toFixed(2), 8)} ${pad(row.max.toFixed(1), 8)} ${verdict} ${row.note}`);
  }
  await database.close();
  if (!args.has('keep') && !reuse) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
