// The inbox through the local host over real sockets: list, filters, search and pagination per role and visibility;
// history; claims that never double-claim; status, read, reopen on an inbound message; bad input changes nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/shared/ids';
import { seedConversation, startInboxHost, type InboxHost, type Principal, type SeedMessage } from '../../support/inbox-host';

let app: InboxHost;
const P: Record<'admin' | 'a1' | 'a2' | 'adminB' | 'b1', Principal> = {} as never;

interface Seeded {
  id: string;
  firmId: number;
  name: string;
  waId: string;
  status: 'Open' | 'Pending' | 'Resolved';
  assigneeId: string | null;
  lastMessageAt: Date;
  words: string[];
}
const seeded: Seeded[] = [];
/** Message ids per rare word, for search expectations: word → [{ messageId, conversationId, at }]. */
const wordMessages = new Map<string, { messageId: string; conversationId: string; at: Date }[]>();

const base = Date.UTC(2026, 0, 10, 9, 0, 0);
const statuses = ['Open', 'Pending', 'Resolved'] as const;
const RARE = ['kalibrasyon', 'zeytinyağı', 'fatura'] as const;

async function setVisibility(firmId: number, visibility: 'own-and-unassigned' | 'all'): Promise<void> {
  await app.database.db.updateTable('WhatsApp_FirmSettings').set({ InboxVisibility: visibility }).where('FirmId', '=', firmId).execute();
}

beforeAll(async () => {
  app = await startInboxHost();
  P.admin = await app.addOperator(1, 'Admin', 'admin');
  P.a1 = await app.addOperator(1, 'Agent', 'Ayla Agent');
  P.a2 = await app.addOperator(1, 'Agent', 'Burak Agent');
  P.adminB = await app.addOperator(2, 'Admin', 'Cem Admin');
  P.b1 = await app.addOperator(2, 'Agent', 'Deniz Agent');
  // Firm 1: 300 conversations, a third each unassigned / Ayla's / Burak's; firm 2: 60. Some share a time (ties by id).
  const holders1 = [null, P.a1.id, P.a2.id];
  const holders2 = [null, P.b1.id];
  for (let i = 0; i < 360; i++) {
    const firmId = i < 300 ? 1 : 2;
    const assigneeId = (firmId === 1 ? holders1[i % 3] : holders2[i % 2]) ?? null;
    const status = statuses[Math.floor(i / 3) % 3] ?? 'Open';
    const lastMessageAt = new Date(base + Math.floor(i / 4) * 60_000);
    const name = i % 25 === 0 ? `Ayşe Yılmaz ${i}` : `Customer ${i}`;
    const waId = `90532${String(1_000_000 + i)}`;
    const words = RARE.filter((_, k) => i % (7 + k * 4) === 0);
    const messages = [
      { text: `Merhaba, ders programı hakkında soru ${i}`, at: new Date(lastMessageAt.getTime() - 30_000), id: newId(lastMessageAt.getTime() - 30_000) },
      { text: `Teşekkürler ${words.join(' ')}`.trim(), at: lastMessageAt, id: newId(lastMessageAt.getTime()) },
    ];
    const id = await seedConversation(app.database, { firmId, name, waId, status, assigneeId, lastMessageAt, unread: i % 4, messages });
    seeded.push({ id, firmId, name, waId, status, assigneeId, lastMessageAt, words: [...words] });
    for (const word of words) {
      const list = wordMessages.get(word) ?? [];
      list.push({ messageId: messages[1]?.id ?? '', conversationId: id, at: lastMessageAt });
      wordMessages.set(word, list);
    }
  }
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

const byListOrder = (a: Seeded, b: Seeded) => b.lastMessageAt.getTime() - a.lastMessageAt.getTime() || (a.id < b.id ? 1 : -1);

function visibleTo(principal: Principal, visibility: 'own-and-unassigned' | 'all'): Seeded[] {
  return seeded
    .filter((c) => c.firmId === principal.firmId)
    .filter((c) => principal.role === 'Admin' || visibility === 'all' || c.assigneeId === null || c.assigneeId === principal.id);
}

interface ListAnswer {
  items: { id: string; status: string; assignee: { id: string } | null; customer: { name: string | null; phone: string | null }; window: { open: boolean; until: string | null } }[];
  nextCursor: string | null;
  counts: Record<string, number> | null;
  countLimit: number;
  partial: boolean;
}

/** Follows nextCursor to the end; returns every id in order and the first page's counts. */
async function listAll(principal: Principal, params: string, limit = 37): Promise<{ ids: string[]; counts: Record<string, number> | null; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let counts: Record<string, number> | null = null;
  let pages = 0;
  do {
    const query = `conversations?limit=${limit}${params}${cursor ? `&cursor=${cursor}` : ''}`;
    const answer = await app.call('GET', query, { token: principal.token });
    expect(answer.status, `${query}: ${answer.text}`).toBe(200);
    const page = answer.json as ListAnswer;
    if (pages === 0) counts = page.counts;
    else expect(page.counts).toBeNull();
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 100);
  return { ids, counts, pages };
}

function countsOf(rows: readonly Seeded[]): Record<string, number> {
  return { Open: rows.filter((r) => r.status === 'Open').length, Pending: rows.filter((r) => r.status === 'Pending').length, Resolved: rows.filter((r) => r.status === 'Resolved').length };
}

describe('GET /api/conversations', () => {
  it('returns exactly what each role may see, newest activity first, for every filter, over several pages', async () => {
    let checks = 0;
    for (const visibility of ['own-and-unassigned', 'all'] as const) {
      await setVisibility(1, visibility);
      await setVisibility(2, visibility);
      for (const principal of Object.values(P)) {
        const visible = visibleTo(principal, visibility);
        const filters: { params: string; keep: (c: Seeded) => boolean }[] = [
          { params: '', keep: () => true },
          { params: '&status=Open', keep: (c) => c.status === 'Open' },
          { params: '&status=Resolved', keep: (c) => c.status === 'Resolved' },
          { params: '&assigned=me', keep: (c) => c.assigneeId === principal.id },
          { params: '&assigned=unassigned', keep: (c) => c.assigneeId === null },
          { params: `&assigned=${P.a2.id}`, keep: (c) => c.assigneeId === P.a2.id },
          { params: `&assigned=${P.a1.id}&status=Pending`, keep: (c) => c.assigneeId === P.a1.id && c.status === 'Pending' },
          { params: `&q=${encodeURIComponent('Ayşe Yılmaz')}`, keep: (c) => c.name.includes('Ayşe Yılmaz') },
          { params: `&q=${encodeURIComponent('0532 100 001')}`, keep: (c) => c.waId.includes('532100001') },
          { params: '&q=kalibrasyon', keep: (c) => c.words.includes('kalibrasyon') },
          { params: '&q=zeytin&status=Open', keep: (c) => c.words.includes('zeytinyağı') && c.status === 'Open' },
          { params: '&q=ZEYTINYAGI', keep: (c) => c.words.includes('zeytinyağı') },
        ];
        for (const filter of filters) {
          const expected = visible.filter(filter.keep).sort(byListOrder);
          const got = await listAll(principal, filter.params);
          expect(got.ids, `${principal.name} ${visibility} ${filter.params}`).toEqual(expected.map((c) => c.id));
          // Counts ignore the status filter (they feed the status tabs) but honour everything else.
          const withoutStatus = filter.params.replace(/&status=\w+/, '');
          const countFilter = filters.find((f) => f.params === withoutStatus)?.keep ?? (() => true);
          const expectedCounts = countsOf(visible.filter(countFilter));
          if (!filter.params.includes('status=')) expect(got.counts, `${principal.name} ${filter.params} counts`).toEqual(expectedCounts);
          checks += 1;
        }
      }
    }
    console.log(`list: ${checks} (role × visibility × filter) combinations checked page by page over ${seeded.length} conversations`);
    await setVisibility(1, 'own-and-unassigned');
    await setVisibility(2, 'own-and-unassigned');
  }, 120_000);

  it('each item carries what a list row shows', async () => {
    const answer = await app.call('GET', 'conversations?limit=5', { token: P.admin.token });
    const item = (answer.json as ListAnswer).items[0] as unknown as Record<string, unknown>;
    expect(Object.keys(item).sort()).toEqual(
      ['assignedAt', 'assignee', 'createdAt', 'customer', 'id', 'lastMessageAt', 'lastMessagePreview', 'phoneNumberId', 'resolvedAt', 'status', 'unreadCount', 'window'].sort(),
    );
    expect(item['window']).toMatchObject({ open: false });
    expect((item['customer'] as Record<string, unknown>)['phone']).toMatch(/^90532/);
  });

  it('keyset pages stay exact while newer conversations arrive between pages', async () => {
    const expected = visibleTo(P.admin, 'all').sort(byListOrder).map((c) => c.id);
    const first = await app.call('GET', 'conversations?limit=50', { token: P.admin.token });
    const page = first.json as ListAnswer;
    const ids = page.items.map((i) => i.id);
    const fresh: string[] = [];
    for (let i = 0; i < 30; i++) {
      fresh.push(await seedConversation(app.database, { firmId: 1, name: `Late ${i}`, waId: `90533${2_000_000 + i}`, lastMessageAt: new Date(Date.now() + i) }));
    }
    let cursor = page.nextCursor;
    while (cursor) {
      const next = (await app.call('GET', `conversations?limit=50&cursor=${cursor}`, { token: P.admin.token })).json as ListAnswer;
      ids.push(...next.items.map((i) => i.id));
      cursor = next.nextCursor;
    }
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    // The newcomers are on a fresh first page.
    const top = (await app.call('GET', 'conversations?limit=30', { token: P.admin.token })).json as ListAnswer;
    expect(top.items.map((i) => i.id).sort()).toEqual([...fresh].sort());
    await app.database.db.deleteFrom('WhatsApp_Conversations').where('Id', 'in', fresh).execute();
  });
});

describe('GET /api/messages/search', () => {
  async function searchAll(principal: Principal, params: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let rounds = 0;
    do {
      const answer = await app.call('GET', `messages/search?limit=4${params}${cursor ? `&cursor=${cursor}` : ''}`, { token: principal.token });
      expect(answer.status, answer.text).toBe(200);
      const json = answer.json as { items: { message: { id: string; conversationId: string }; conversation: { id: string } }[]; nextCursor: string | null };
      for (const item of json.items) expect(item.message.conversationId).toBe(item.conversation.id);
      ids.push(...json.items.map((i) => i.message.id));
      cursor = json.nextCursor;
      rounds += 1;
    } while (cursor !== null && rounds < 200);
    return ids;
  }

  it('finds message text across the firm, newest first, within the caller’s visibility, page by page', async () => {
    for (const principal of Object.values(P)) {
      for (const word of RARE) {
        const visibleIds = new Set(visibleTo(principal, 'own-and-unassigned').map((c) => c.id));
        const expected = (wordMessages.get(word) ?? [])
          .filter((m) => visibleIds.has(m.conversationId))
          .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.messageId < b.messageId ? 1 : -1))
          .map((m) => m.messageId);
        const got = await searchAll(principal, `&q=${encodeURIComponent(word)}`);
        expect(new Set(got), `${principal.name} ${word}`).toEqual(new Set(expected));
        expect(got.length).toBe(expected.length);
      }
    }
  }, 60_000);

  it('narrows by time', async () => {
    const from = new Date(base + 20 * 60_000);
    const to = new Date(base + 50 * 60_000);
    const expected = (wordMessages.get('kalibrasyon') ?? []).filter((m) => m.at >= from && m.at < to && seeded.find((c) => c.id === m.conversationId)?.firmId === 1);
    const got = await searchAll(P.admin, `&q=kalibrasyon&from=${from.toISOString()}&to=${to.toISOString()}`);
    expect(new Set(got)).toEqual(new Set(expected.map((m) => m.messageId)));
    expect(expected.length).toBeGreaterThan(0);
  });
});

describe('GET /api/conversations/{id}/messages', () => {
  let conversationId = '';
  const ids: string[] = [];

  beforeAll(async () => {
    const start = Date.UTC(2026, 1, 1, 8, 0, 0);
    const messages = [];
    for (let i = 0; i < 130; i++) {
      // Pairs share a time: the id decides.
      const at = new Date(start + Math.floor(i / 2) * 1000);
      messages.push({ id: newId(at.getTime()), text: `satır ${i}`, at, direction: (i % 2 ? 'outbound' : 'inbound') as 'inbound' | 'outbound' });
    }
    messages.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : 1));
    const quoted = messages[10];
    const media = messages[20];
    if (!quoted || !media) throw new Error('seed');
    const withExtras: SeedMessage[] = messages.map((m, i) => ({
      ...m,
      extra:
        i === 11
          ? { ReplyToWhatsAppMessageId: `wamid.quoted-${quoted.id}` }
          : i === 10
            ? { WhatsAppMessageId: `wamid.quoted-${quoted.id}`, CustomerReaction: '👍' }
            : i === 20
              ? { Type: 'image', MediaId: 'meta-media-1', MediaState: 'ready', MediaMimeType: 'image/jpeg', MediaSize: 1234 }
              : undefined,
    }));
    // A reaction is stored as a message of its own but shows on its target only.
    withExtras.push({ id: newId(start + 200_000), text: null, at: new Date(start + 200_000), direction: 'inbound', extra: { Type: 'reaction', ReactionEmoji: '👍', TargetWhatsAppMessageId: `wamid.quoted-${quoted.id}` } });
    conversationId = await seedConversation(app.database, { firmId: 1, name: 'Thread', waId: '905559990000', lastMessageAt: new Date(start + 200_000), messages: withExtras });
    ids.push(...messages.map((m) => m.id));
  });

  it('pages back with before and forward with after, oldest first within a page, replies and media resolved', async () => {
    type Page = { items: { id: string; replyTo: { messageId: string | null } | null; quoted: { id: string } | null; media: { url: string } | null; reactions: { customer: string | null } }[]; olderCursor: string | null; newerCursor: string | null; hasOlder: boolean; hasNewer: boolean };
    const get = async (query: string) => {
      const answer = await app.call('GET', `conversations/${conversationId}/messages?${query}`, { token: P.a1.token });
      expect(answer.status, answer.text).toBe(200);
      return answer.json as Page;
    };
    const newest = await get('limit=50');
    expect(newest.items.map((i) => i.id)).toEqual(ids.slice(80));
    expect(newest).toMatchObject({ hasOlder: true, hasNewer: false });
    const middle = await get(`limit=50&before=${newest.olderCursor}`);
    expect(middle.items.map((i) => i.id)).toEqual(ids.slice(30, 80));
    expect(middle).toMatchObject({ hasOlder: true, hasNewer: true });
    const oldest = await get(`limit=50&before=${middle.olderCursor}`);
    expect(oldest.items.map((i) => i.id)).toEqual(ids.slice(0, 30));
    expect(oldest).toMatchObject({ hasOlder: false, hasNewer: true });
    const forward = await get(`limit=60&after=${oldest.newerCursor}`);
    expect(forward.items.map((i) => i.id)).toEqual(ids.slice(30, 90));
    const reply = oldest.items[11];
    expect(reply?.replyTo?.messageId).toBe(ids[10]);
    expect(reply?.quoted?.id).toBe(ids[10]);
    expect(oldest.items[10]?.reactions.customer).toBe('👍');
    expect(oldest.items[20]?.media?.url).toBe(`/api/media/${ids[20]}`);
    const end = await get(`after=${newest.newerCursor}`);
    expect(end).toMatchObject({ items: [], hasNewer: false, olderCursor: null });
  });
});

describe('POST /api/conversations/{id}/assignment', () => {
  it('of two agents claiming at once exactly one wins, in every one of 100 runs', async () => {
    const outcomes: string[] = [];
    for (let run = 0; run < 100; run++) {
      const id = await seedConversation(app.database, { firmId: 1, name: `Race ${run}`, waId: `90534${3_000_000 + run}`, lastMessageAt: new Date(base - run * 1000) });
      const [x, y] = await Promise.all([
        app.call('POST', `conversations/${id}/assignment`, { token: P.a1.token, body: { operatorId: P.a1.id } }),
        app.call('POST', `conversations/${id}/assignment`, { token: P.a2.token, body: { operatorId: P.a2.id } }),
      ]);
      const statuses = [x.status, y.status].sort().join(',');
      outcomes.push(statuses);
      expect(statuses, `run ${run}: ${x.text} | ${y.text}`).toBe('200,409');
      const loser = x.status === 409 ? x : y;
      expect((loser.json as { error: { code: string } }).error.code).toBe('ConversationAlreadyClaimed');
      const winner = x.status === 200 ? P.a1 : P.a2;
      const row = await app.database.db.selectFrom('WhatsApp_Conversations').select('AssignedOperatorId').where('Id', '=', id).executeTakeFirstOrThrow();
      expect(row.AssignedOperatorId).toBe(winner.id);
      const audits = await app.database.db.selectFrom('WhatsApp_AuditLogs').select('DetailsJson').where('EntityId', '=', id).where('Action', '=', 'conversation.assigned').execute();
      expect(audits.length).toBe(1);
    }
    console.log(`claim race: 100 runs, ${outcomes.filter((o) => o === '200,409').length} with exactly one 200 and one 409`);
  }, 60_000);

  it('lets admins assign any active operator, agents only claim and release, and audits who, from whom, to whom', async () => {
    const id = await seedConversation(app.database, { firmId: 1, name: 'Rules', waId: '905551110000', lastMessageAt: new Date(base) });
    const post = (who: Principal, operatorId: string | null) => app.call('POST', `conversations/${id}/assignment`, { token: who.token, body: { operatorId } });
    expect((await post(P.a1, P.a2.id)).status).toBe(403);
    expect((await post(P.a1, P.a1.id)).status).toBe(200);
    expect((await post(P.a1, P.a1.id)).status).toBe(200);
    expect((await post(P.a2, null)).status).toBe(403);
    expect((await post(P.a2, P.a2.id)).status).toBe(409);
    const reassigned = await post(P.admin, P.a2.id);
    expect(reassigned.status).toBe(200);
    expect((reassigned.json as { assignee: { id: string } }).assignee.id).toBe(P.a2.id);
    expect((await post(P.a2, null)).status).toBe(200);
    const foreign = await post(P.admin, P.b1.id);
    expect(foreign.status).toBe(404);
    expect((foreign.json as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty('body.operatorId');
    const audits = await app.database.db.selectFrom('WhatsApp_AuditLogs').selectAll().where('EntityId', '=', id).orderBy('Sequence').execute();
    expect(audits.map((a) => [a.Action, a.ActorUserName, JSON.parse(a.DetailsJson ?? '{}')])).toEqual([
      ['conversation.assigned', expect.stringContaining('ayla'), { from: null, to: P.a1.id, reason: 'claim' }],
      ['conversation.assigned', 'admin', { from: P.a1.id, to: P.a2.id, reason: 'manual' }],
      ['conversation.unassigned', expect.stringContaining('burak'), { from: P.a2.id, to: null, reason: 'release' }],
    ]);
  });
});

describe('PATCH /api/conversations/{id} and POST …/read', () => {
  it('moves the status for whoever may act, stamps resolvedAt, clears unread', async () => {
    const mine = await seedConversation(app.database, { firmId: 1, name: 'Status', waId: '905552220000', assigneeId: P.a1.id, unread: 3, lastMessageAt: new Date(base) });
    expect((await app.call('PATCH', `conversations/${mine}`, { token: P.a2.token, body: { status: 'Resolved' } })).status).toBe(403);
    expect((await app.call('POST', `conversations/${mine}/read`, { token: P.a2.token })).status).toBe(403);
    const resolved = await app.call('PATCH', `conversations/${mine}`, { token: P.a1.token, body: { status: 'Resolved' } });
    expect(resolved.status).toBe(200);
    expect(resolved.json).toMatchObject({ status: 'Resolved', resolvedAt: expect.any(String) });
    const read = await app.call('POST', `conversations/${mine}/read`, { token: P.a1.token });
    expect(read.json).toMatchObject({ unreadCount: 0 });
    const reopened = await app.call('PATCH', `conversations/${mine}`, { token: P.admin.token, body: { status: 'Pending' } });
    expect(reopened.json).toMatchObject({ status: 'Pending', resolvedAt: null });
    const audit = await app.database.db.selectFrom('WhatsApp_AuditLogs').select(['Action', 'DetailsJson']).where('EntityId', '=', mine).orderBy('Sequence').execute();
    expect(audit.map((a) => JSON.parse(a.DetailsJson ?? '{}'))).toEqual([
      { from: 'Open', to: 'Resolved' },
      { from: 'Resolved', to: 'Pending' },
    ]);
  });

  it('reopens a resolved conversation when the customer writes again', async () => {
    const waId = '905553330000';
    const id = await seedConversation(app.database, { firmId: 1, name: 'Returning', waId, assigneeId: P.a1.id, lastMessageAt: new Date(base) });
    expect((await app.call('PATCH', `conversations/${id}`, { token: P.a1.token, body: { status: 'Resolved' } })).status).toBe(200);
    const delivered = await app.postInboundText({ waId, name: 'Returning', wamid: `wamid.reopen-${newId()}`, text: 'Bir sorum daha var' });
    expect(delivered.status).toBe(200);
    const after = await app.call('GET', `conversations/${id}`, { token: P.a1.token });
    expect(after.json).toMatchObject({ status: 'Open', resolvedAt: null, unreadCount: 1, lastMessagePreview: 'Bir sorum daha var', window: { open: true } });
    // Automatic assignment is off for this firm: the conversation stays with its agent.
    expect(after.json).toMatchObject({ assignee: { id: P.a1.id } });
  });
});

describe('bad input', () => {
  async function snapshot(): Promise<string> {
    const db = app.database.db;
    return JSON.stringify({
      conversations: await db.selectFrom('WhatsApp_Conversations').select(['Id', 'Status', 'AssignedOperatorId', 'UnreadCount', 'UpdatedAt']).orderBy('Id').execute(),
      audits: (await db.selectFrom('WhatsApp_AuditLogs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n,
    });
  }

  it('answers 400 naming the field, 404 for unknown or other firms’ ids, and changes nothing', async () => {
    const own = seeded.find((c) => c.firmId === 1 && c.assigneeId === null)?.id ?? '';
    const other = seeded.find((c) => c.firmId === 2)?.id ?? '';
    const messagesCursor = ((await app.call('GET', `conversations/${own}/messages?limit=1`, { token: P.admin.token })).json as { olderCursor: string }).olderCursor;
    const cases: { method: string; route: string; body?: unknown; status: number; field?: string }[] = [
      { method: 'GET', route: 'conversations?limit=0', status: 400, field: 'query.limit' },
      { method: 'GET', route: 'conversations?limit=101', status: 400, field: 'query.limit' },
      { method: 'GET', route: 'conversations?limit=ten', status: 400, field: 'query.limit' },
      { method: 'GET', route: 'conversations?cursor=not-a-cursor!', status: 400, field: 'query.cursor' },
      { method: 'GET', route: 'conversations?cursor=eyJhIjoxfQ', status: 400, field: 'query.cursor' },
      { method: 'GET', route: `conversations?cursor=${messagesCursor}`, status: 400, field: 'query.cursor' },
      { method: 'GET', route: `conversations?q=${'x'.repeat(10_240)}`, status: 400, field: 'query.q' },
      { method: 'GET', route: 'conversations?status=Closed', status: 400, field: 'query.status' },
      { method: 'GET', route: 'conversations?assigned=someone', status: 400, field: 'query.assigned' },
      { method: 'GET', route: `messages/search?q=${'y'.repeat(10_240)}`, status: 400, field: 'query.q' },
      { method: 'GET', route: 'messages/search', status: 400, field: 'query.q' },
      { method: 'GET', route: 'messages/search?q=ders&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', status: 400, field: 'query.to' },
      { method: 'GET', route: 'messages/search?q=ders&cursor=***', status: 400, field: 'query.cursor' },
      { method: 'GET', route: `conversations/${own}/messages?before=${messagesCursor}&after=${messagesCursor}`, status: 400, field: 'query.after' },
      { method: 'GET', route: `conversations/${own}/messages?before=bogus`, status: 400, field: 'query.before' },
      { method: 'GET', route: 'conversations/not-an-id', status: 400, field: 'params.conversationId' },
      { method: 'GET', route: `conversations/${newId()}`, status: 404 },
      { method: 'GET', route: `conversations/${other}`, status: 404 },
      { method: 'GET', route: `conversations/${other}/messages`, status: 404 },
      { method: 'PATCH', route: `conversations/${own}`, body: { status: 'Closed' }, status: 400, field: 'body.status' },
      { method: 'PATCH', route: `conversations/${other}`, body: { status: 'Resolved' }, status: 404 },
      { method: 'POST', route: `conversations/${own}/assignment`, body: {}, status: 400, field: 'body.operatorId' },
      { method: 'POST', route: `conversations/${own}/assignment`, body: { operatorId: 'nobody' }, status: 400, field: 'body.operatorId' },
      { method: 'POST', route: `conversations/${own}/assignment`, body: { operatorId: newId() }, status: 404, field: 'body.operatorId' },
      { method: 'POST', route: `conversations/${other}/assignment`, body: { operatorId: P.admin.id }, status: 404 },
      { method: 'POST', route: `conversations/${other}/read`, status: 404 },
      { method: 'POST', route: `conversations/${newId()}/read`, status: 404 },
    ];
    for (const c of cases) {
      const before = await snapshot();
      const answer = await app.call(c.method, c.route, { token: P.admin.token, body: c.body });
      const label = `${c.method} ${c.route.slice(0, 80)}`;
      expect(answer.status, `${label}: ${answer.text.slice(0, 200)}`).toBe(c.status);
      if (c.field) expect(Object.keys((answer.json as { error: { fields?: Record<string, string> } }).error.fields ?? {}), label).toContain(c.field);
      expect(await snapshot(), `${label} changed data`).toBe(before);
    }
  });
  it('random query strings answer 200 or 400, never anything else, and change nothing', async () => {
    const own = seeded.find((c) => c.firmId === 1 && c.assigneeId === null)?.id ?? '';
    const before = await snapshot();
    const value = fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer().map(String), fc.constantFrom('Open', 'me', 'unassigned', '2026-01-01T00:00:00Z')), { nil: undefined });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('conversations', 'messages/search', `conversations/${own}/messages`),
        fc.record({ limit: value, cursor: value, q: value, status: value, assigned: value, before: value, after: value, from: value, to: value }),
        async (route, params) => {
          runs += 1;
          const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
          const answer = await app.call('GET', `${route}?${query}`, { token: P.a1.token });
          expect([200, 400], `${route}?${query} → ${answer.text.slice(0, 200)}`).toContain(answer.status);
        },
      ),
      { numRuns: 300 },
    );
    expect(await snapshot()).toBe(before);
    console.log(`bad input property: ${runs} random queries, 0 answers other than 200/400, no data changed`);
  }, 120_000);
});
