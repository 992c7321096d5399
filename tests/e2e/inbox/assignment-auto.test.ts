// Automatic assignment end to end: agents connected through Web PubSub (the local emulator) are online by presence;
// signed webhooks open conversations; round-robin and least-open spread them and skip the agent who is offline; the
// sweep hands an offline agent's conversations back and gives the queue to agents who come online.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseLeastOpen } from '../../../src/assignment/choose-assignee';
import { runAssignmentSweep } from '../../../src/assignment/run-assignment-sweep';
import { loadConfig } from '../../../src/config';
import type { ConversationUpdatedEvent } from '../../../src/realtime/realtime-events.schemas';
import { newId } from '../../../src/shared/ids';
import { createServices, type Services } from '../../../src/services';
import { startInboxHost, type InboxHost, type OperatorSession, type Principal } from '../../support/inbox-host';
import { waitUntil } from '../../support/wait-until';

let app: InboxHost;
let services: Services;
let admin: Principal;
const agents: Principal[] = [];
let offline: Principal;
const sessions = new Map<string, OperatorSession>();
let customer = 0;

/** One inbound text from a new customer (or `waId`), as Meta posts it; resolves with the conversation's id. */
async function inbound(waId = `90536${String(4_000_000 + customer++)}`): Promise<string> {
  const answer = await app.postInboundText({ waId, name: `Customer ${waId}`, wamid: `wamid.${newId()}`, text: 'Merhaba' });
  expect(answer.status).toBe(200);
  const row = await app.database.db
    .selectFrom('WhatsApp_Conversations as c')
    .innerJoin('WhatsApp_Customers as cu', 'cu.Id', 'c.CustomerId')
    .select('c.Id')
    .where('cu.WaId', '=', waId)
    .executeTakeFirstOrThrow();
  return row.Id;
}

async function assigneeOf(conversationId: string): Promise<string | null> {
  return (await app.database.db.selectFrom('WhatsApp_Conversations').select('AssignedOperatorId').where('Id', '=', conversationId).executeTakeFirstOrThrow()).AssignedOperatorId;
}

async function openCounts(): Promise<Map<string, number>> {
  const rows = await app.database.db
    .selectFrom('WhatsApp_Conversations')
    .select((eb) => ['AssignedOperatorId', eb.fn.countAll().as('n')])
    .where('Status', '=', 'Open')
    .where('AssignedOperatorId', 'is not', null)
    .groupBy('AssignedOperatorId')
    .execute();
  return new Map(rows.map((r) => [r.AssignedOperatorId ?? '', Number(r.n)]));
}

async function setFirm(fields: { AssignmentMode?: string; OfflineGraceSeconds?: number }): Promise<void> {
  await app.database.db.updateTable('WhatsApp_FirmSettings').set(fields).where('FirmId', '=', 1).execute();
}

beforeAll(async () => {
  app = await startInboxHost({}, { realtime: true });
  admin = await app.addOperator(1, 'Admin', 'admin');
  for (const name of ['Ece Agent', 'Fatih Agent', 'Gül Agent']) agents.push(await app.addOperator(1, 'Agent', name));
  offline = await app.addOperator(1, 'Agent', 'Hakan Agent');
  agents.sort((a, b) => (a.id < b.id ? -1 : 1));
  // The offline agent was online once and left; the admin is online too but is never chosen (agents take conversations).
  await (await app.connect(offline)).disconnect();
  sessions.set(admin.id, await app.connect(admin));
  for (const agent of agents) sessions.set(agent.id, await app.connect(agent));
  // The test's own services over the same database, storage and Web PubSub: they run the sweep the timer runs.
  services = await createServices(loadConfig(process.env));
}, 90_000);

afterAll(async () => {
  await services?.close();
  await app?.stop();
});

describe('publication', () => {
  it('a claim reaches the claimer and admins as conversation.updated, and tells the other agents the conversation left them', async () => {
    const id = await inbound();
    const [claimer, bystander] = agents;
    if (!claimer || !bystander) throw new Error('seed');
    const seen = (who: Principal) => sessions.get(who.id)?.events.filter((e): e is ConversationUpdatedEvent => e.type === 'conversation.updated' && e.conversationId === id) ?? [];
    // A new conversation rides on its first message.created (which carries the row).
    const heard = (who: Principal) => sessions.get(who.id)?.events.some((e) => e.type !== 'operator.presence' && e.conversationId === id) ?? false;
    await waitUntil('the new conversation reaches every agent', () => heard(bystander) && heard(claimer));
    expect((await app.call('POST', `conversations/${id}/assignment`, { token: claimer.token, body: { operatorId: claimer.id } })).status).toBe(200);
    const assigned = (who: Principal) => seen(who).filter((e) => e.changes.includes('assignment'));
    await waitUntil('the claim is published', () => assigned(claimer).length > 0 && assigned(admin).length > 0 && assigned(bystander).length > 0);
    expect(assigned(claimer).at(-1)).toMatchObject({ visible: true, conversation: { assignee: { id: claimer.id } } });
    expect(assigned(admin).at(-1)).toMatchObject({ visible: true, conversation: { assignee: { id: claimer.id } } });
    expect(assigned(bystander).at(-1)).toMatchObject({ visible: false });
    expect(assigned(bystander).some((e) => e.visible)).toBe(false);
    expect((await app.call('PATCH', `conversations/${id}`, { token: claimer.token, body: { status: 'Resolved' } })).status).toBe(200);
    await waitUntil('the status change is published', () => seen(claimer).some((e) => e.changes.includes('status')));
    expect(seen(bystander).some((e) => e.changes.includes('status'))).toBe(false);
    for (const session of sessions.values()) expect(session.malformed).toEqual([]);
  }, 30_000);
});

describe('automatic assignment', () => {
  it('round-robin spreads 30 new conversations over the 3 online agents in turn and skips the offline one', async () => {
    await setFirm({ AssignmentMode: 'round-robin' });
    const assigned: (string | null)[] = [];
    for (let i = 0; i < 30; i++) assigned.push(await assigneeOf(await inbound()));
    const ids = agents.map((a) => a.id);
    const start = ids.indexOf(assigned[0] ?? '');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(assigned).toEqual(assigned.map((_, i) => ids[(start + i) % 3]));
    for (const id of ids) expect(assigned.filter((a) => a === id).length).toBe(10);
    expect(assigned).not.toContain(offline.id);
    expect(assigned).not.toContain(admin.id);
    const audits = await app.database.db.selectFrom('WhatsApp_AuditLogs').select(['DetailsJson', 'ActorOperatorId']).where('Action', '=', 'conversation.assigned').execute();
    expect(audits.filter((a) => JSON.parse(a.DetailsJson ?? '{}').reason === 'auto' && a.ActorOperatorId === null).length).toBe(30);
    console.log(`round-robin: 30 conversations → ${ids.map((id) => assigned.filter((a) => a === id).length).join('/')} over 3 online agents, ${assigned.filter((a) => a === offline.id).length} to the offline one`);
  }, 60_000);

  it('least-open gives each new conversation to the online agent with the fewest open ones', async () => {
    await setFirm({ AssignmentMode: 'least-open' });
    const [first, second] = agents;
    if (!first || !second) throw new Error('seed');
    // Unbalance the load: resolve six of the first agent's conversations and two of the second's.
    for (const [agent, count] of [[first, 6], [second, 2]] as const) {
      const held = await app.database.db.selectFrom('WhatsApp_Conversations').select('Id').where('AssignedOperatorId', '=', agent.id).where('Status', '=', 'Open').limit(count).execute();
      for (const { Id } of held) expect((await app.call('PATCH', `conversations/${Id}`, { token: agent.token, body: { status: 'Resolved' } })).status).toBe(200);
    }
    const counts = await openCounts();
    let last = (await app.database.db.selectFrom('WhatsApp_FirmSettings').select('LastAssignedOperatorId').where('FirmId', '=', 1).executeTakeFirstOrThrow()).LastAssignedOperatorId;
    const ids = agents.map((a) => a.id);
    for (let i = 0; i < 12; i++) {
      const expected = chooseLeastOpen(ids, counts, last) ?? '';
      const got = await assigneeOf(await inbound());
      expect(got, `conversation ${i}`).toBe(expected);
      counts.set(expected, (counts.get(expected) ?? 0) + 1);
      last = expected;
    }
    const final = await openCounts();
    const loads = ids.map((id) => final.get(id) ?? 0);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    expect(final.get(offline.id) ?? 0).toBe(0);
    console.log(`least-open: open loads 4/8/10 + 12 new → ${loads.join('/')}`);
  }, 60_000);

  it('hands an offline agent’s conversations back after the grace period and gives them to agents online', async () => {
    await setFirm({ AssignmentMode: 'round-robin', OfflineGraceSeconds: 1 });
    // An admin assigns three conversations to the agent who is offline.
    const held = await app.database.db.selectFrom('WhatsApp_Conversations').select('Id').where('Status', '=', 'Open').limit(3).execute();
    for (const { Id } of held) expect((await app.call('POST', `conversations/${Id}/assignment`, { token: admin.token, body: { operatorId: offline.id } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const result = await runAssignmentSweep(services);
    expect(result).toMatchObject({ released: 3, assigned: 3 });
    for (const { Id } of held) expect(agents.map((a) => a.id)).toContain(await assigneeOf(Id));
    const trail = await app.database.db.selectFrom('WhatsApp_AuditLogs').select(['Action', 'DetailsJson']).where('EntityId', '=', held[0]?.Id ?? '').orderBy('Sequence').execute();
    expect(trail.slice(-3).map((a) => [a.Action, JSON.parse(a.DetailsJson ?? '{}').reason])).toEqual([
      ['conversation.assigned', 'manual'],
      ['conversation.unassigned', 'offline'],
      ['conversation.assigned', 'auto'],
    ]);
  }, 60_000);

  it('a reopened conversation stays with its agent while online, and goes back to the queue when they are long offline', async () => {
    const [agent] = agents;
    if (!agent) throw new Error('seed');
    const waId = '905367770000';
    const id = await inbound(waId);
    const holder = await assigneeOf(id);
    const holderToken = agents.find((a) => a.id === holder)?.token ?? '';
    expect((await app.call('PATCH', `conversations/${id}`, { token: holderToken, body: { status: 'Resolved' } })).status).toBe(200);
    await inbound(waId);
    expect((await app.call('GET', `conversations/${id}`, { token: admin.token })).json).toMatchObject({ status: 'Open', assignee: { id: holder } });
    // Now it belongs to the agent who left long ago: reopening hands it to someone online.
    expect((await app.call('POST', `conversations/${id}/assignment`, { token: admin.token, body: { operatorId: offline.id } })).status).toBe(200);
    expect((await app.call('PATCH', `conversations/${id}`, { token: admin.token, body: { status: 'Resolved' } })).status).toBe(200);
    await inbound(waId);
    const after = await assigneeOf(id);
    expect(after).not.toBe(offline.id);
    expect(agents.map((a) => a.id)).toContain(after);
  }, 60_000);

  it('with nobody online conversations wait in the queue; an agent coming online gets them from the sweep', async () => {
    await setFirm({ OfflineGraceSeconds: 3600 });
    for (const agent of agents) await sessions.get(agent.id)?.disconnect();
    const waiting = [await inbound(), await inbound(), await inbound()];
    for (const id of waiting) expect(await assigneeOf(id)).toBeNull();
    expect(await runAssignmentSweep(services)).toMatchObject({ released: 0, assigned: 0 });
    const [comer] = agents;
    if (!comer) throw new Error('seed');
    sessions.set(comer.id, await app.connect(comer));
    const result = await runAssignmentSweep(services);
    expect(result.assigned).toBeGreaterThanOrEqual(3);
    for (const id of waiting) expect(await assigneeOf(id)).toBe(comer.id);
    await waitUntil('nothing left waiting', async () => (await app.database.db.selectFrom('WhatsApp_Conversations').select('Id').where('AssignedOperatorId', 'is', null).where('Status', '=', 'Open').execute()).length === 0);
  }, 60_000);
});
