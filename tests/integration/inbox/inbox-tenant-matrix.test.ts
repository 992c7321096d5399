// SECURITY.md §9 T1 (and T2) for every inbox endpoint, through the local host: each endpoint × verb × principal of two
// firms × objects of both firms. Other firm ⇒ 404 and nothing changes; the role matrix holds; lists never leak.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConversation, startInboxHost, type InboxHost, type Principal } from '../../support/inbox-host';

let app: InboxHost;
const principals: Principal[] = [];
/** Per firm: an unassigned conversation and one held by the firm's other agent. */
const objects: { firmId: number; kind: 'unassigned' | 'held'; id: string; holder: string | null }[] = [];

beforeAll(async () => {
  app = await startInboxHost();
  principals.push(await app.addOperator(1, 'Admin', 'admin'), await app.addOperator(1, 'Agent', 'Agent A'));
  principals.push(await app.addOperator(2, 'Admin', 'Admin B'), await app.addOperator(2, 'Agent', 'Agent B'));
  const holders = { 1: await app.addOperator(1, 'Agent', 'Holder A'), 2: await app.addOperator(2, 'Agent', 'Holder B') };
  for (const firmId of [1, 2] as const) {
    for (const kind of ['unassigned', 'held'] as const) {
      const holder = kind === 'held' ? holders[firmId].id : null;
      const at = new Date(Date.UTC(2026, 2, 1, 10, firmId, kind === 'held' ? 1 : 0));
      const id = await seedConversation(app.database, {
        firmId,
        name: `Matrix ${firmId} ${kind}`,
        waId: `9055500${firmId}${kind === 'held' ? 1 : 0}000`,
        assigneeId: holder,
        unread: 2,
        lastMessageAt: at,
        messages: [{ text: `ortak kelime matrisi ${firmId} ${kind}`, at }],
      });
      objects.push({ firmId, kind, id, holder });
    }
  }
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

async function reset(): Promise<void> {
  for (const object of objects) {
    await app.database.db
      .updateTable('WhatsApp_Conversations')
      .set({ Status: 'Open', ResolvedAt: null, AssignedOperatorId: object.holder, UnreadCount: 2 })
      .where('Id', '=', object.id)
      .execute();
  }
}

async function snapshot(): Promise<string> {
  const db = app.database.db;
  return JSON.stringify({
    conversations: await db.selectFrom('WhatsApp_Conversations').selectAll().orderBy('Id').execute(),
    audits: (await db.selectFrom('WhatsApp_AuditLogs').select((eb) => eb.fn.countAll().as('n')).where('Action', '<>', 'authz_fail').executeTakeFirst())?.n,
  });
}

describe('T1 tenant and role matrix over the inbox endpoints', () => {
  it('other firm ⇒ 404 and nothing changes; agents may not see or act on another agent’s conversation', async () => {
    type Expect = (who: Principal, object: (typeof objects)[number]) => number;
    const seeOrForbid: Expect = (who, object) => (who.role === 'Admin' || object.kind === 'unassigned' ? 200 : 403);
    const endpoints: { verb: string; path: (id: string) => string; body?: (who: Principal) => unknown; expected: Expect }[] = [
      { verb: 'GET', path: (id) => `conversations/${id}`, expected: seeOrForbid },
      { verb: 'GET', path: (id) => `conversations/${id}/messages?limit=10`, expected: seeOrForbid },
      { verb: 'PATCH', path: (id) => `conversations/${id}`, body: () => ({ status: 'Pending' }), expected: seeOrForbid },
      { verb: 'POST', path: (id) => `conversations/${id}/read`, expected: seeOrForbid },
      {
        verb: 'POST',
        path: (id) => `conversations/${id}/assignment`,
        body: (who) => ({ operatorId: who.id }),
        expected: (who, object) => (who.role === 'Admin' || object.kind === 'unassigned' ? 200 : 409),
      },
      { verb: 'POST', path: (id) => `conversations/${id}/assignment`, body: () => ({ operatorId: null }), expected: seeOrForbid },
    ];
    let cells = 0;
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      for (const who of principals) {
        for (const object of objects) {
          cells += 1;
          await reset();
          const before = await snapshot();
          const answer = await app.call(endpoint.verb, endpoint.path(object.id), { token: who.token, body: endpoint.body?.(who) });
          const expected = object.firmId === who.firmId ? endpoint.expected(who, object) : 404;
          const cell = `${endpoint.verb} ${endpoint.path('{id}')} ${JSON.stringify(endpoint.body?.(who) ?? '')} as ${who.role} of firm ${who.firmId} on firm ${object.firmId}'s ${object.kind}`;
          if (answer.status !== expected) failures.push(`${cell}: ${answer.status} ${answer.text.slice(0, 160)}`);
          if (expected !== 200 && (await snapshot()) !== before) failures.push(`${cell}: changed data`);
          if (expected === 404 && (answer.text.includes(object.id) || answer.text.includes('Matrix'))) failures.push(`${cell}: echoed the other firm's object`);
        }
      }
    }
    await reset();
    for (const who of principals) {
      const foreign = objects.filter((o) => o.firmId !== who.firmId).map((o) => o.id);
      for (const route of ['conversations?limit=100', 'conversations?limit=100&firmId=2&FirmId=1', 'messages/search?q=ortak%20kelime&limit=50', 'messages/search?q=matrisi&firmId=2']) {
        cells += 1;
        const answer = await app.call('GET', route, { token: who.token, headers: { 'x-firm-id': String(3 - who.firmId) } });
        const text = answer.text;
        if (answer.status !== 200 || foreign.some((id) => text.includes(id))) failures.push(`GET ${route} as ${who.role} of firm ${who.firmId}: ${answer.status}, shows another firm's rows`);
        const own = objects.filter((o) => o.firmId === who.firmId && (who.role === 'Admin' || o.kind === 'unassigned')).map((o) => o.id);
        if (!own.every((id) => text.includes(id))) failures.push(`GET ${route} as ${who.role} of firm ${who.firmId}: misses its own rows`);
      }
    }
    // T2: a firm id smuggled into a body is ignored; the path's conversation and the caller's firm decide.
    for (const who of principals.filter((p) => p.role === 'Admin')) {
      const foreign = objects.find((o) => o.firmId !== who.firmId && o.kind === 'unassigned');
      if (!foreign) continue;
      cells += 1;
      const before = await snapshot();
      const answer = await app.call('POST', `conversations/${foreign.id}/assignment`, { token: who.token, body: { operatorId: who.id, firmId: foreign.firmId, FirmId: foreign.firmId } });
      if (answer.status !== 404 || (await snapshot()) !== before) failures.push(`smuggled firm id as ${who.role} of firm ${who.firmId}: ${answer.status}`);
    }
    const crossTenant = failures.filter((f) => /firm (\d)\b.*firm (?!\1)\d|another firm/.test(f)).length;
    console.log(`T1: ${cells} endpoint × verb × principal × object cells, ${failures.length} failures, ${crossTenant} cross-tenant reads or writes`);
    expect(failures).toEqual([]);
  }, 120_000);
});
