// GET and PATCH /api/admin/inbox-settings over real sockets: admin only and own firm, bad values refused naming the
// field with nothing changed, the change audited with before and after, and the inbox applying it on the next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type StackOperator, type TestStack } from '../../support/test-stack';

let stack: TestStack;
let admin: StackOperator;
let agentA: StackOperator;
let agentB: StackOperator;
let otherFirmAdmin: StackOperator;
let conversationOfB: string;

const DEFAULTS = { assignmentMode: 'off', inboxVisibility: 'own-and-unassigned', offlineGraceSeconds: 300 };

const settingsOf = async (who: StackOperator) => stack.api('/admin/inbox-settings', { token: who.accessToken });
const patch = async (who: StackOperator, json: unknown) => stack.api('/admin/inbox-settings', { method: 'PATCH', token: who.accessToken, json });
const auditRows = () => stack.database.db.selectFrom('WhatsApp_AuditLogs').selectAll().where('Action', '=', 'inbox.settings.updated').execute();
const listedBy = async (who: StackOperator) => {
  const answer = await stack.api('/conversations', { token: who.accessToken });
  expect(answer.status, answer.text).toBe(200);
  return (answer.body as { items: { id: string }[] }).items.map((item) => item.id);
};

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.createOperator(1, 'Admin', 'Settings Admin');
  agentA = await stack.createOperator(1, 'Agent', 'Agent A');
  agentB = await stack.createOperator(1, 'Agent', 'Agent B');
  otherFirmAdmin = await stack.createOperator(2, 'Admin', 'Other Admin');
  ({ conversationId: conversationOfB } = await stack.inbound(1, '905330000001', 'Merhaba'));
  const assigned = await stack.api(`/conversations/${conversationOfB}/assignment`, { method: 'POST', token: admin.accessToken, json: { operatorId: agentB.id } });
  expect(assigned.status, assigned.text).toBe(200);
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

describe('inbox settings', () => {
  it('reads the defaults; agents are refused reading and changing them', async () => {
    const read = await settingsOf(admin);
    expect(read.status, read.text).toBe(200);
    expect(read.body).toEqual(DEFAULTS);
    expect((await settingsOf(agentA)).status).toBe(403);
    expect((await patch(agentA, { inboxVisibility: 'all' })).status).toBe(403);
    expect((await settingsOf(admin)).body).toEqual(DEFAULTS);
    expect(await auditRows()).toEqual([]);
  });

  it('refuses bad values with 400 naming each field, and changes nothing', async () => {
    const cases: [unknown, string[]][] = [
      [{ assignmentMode: 'random', offlineGraceSeconds: -1 }, ['body.assignmentMode', 'body.offlineGraceSeconds']],
      [{ inboxVisibility: 'everyone' }, ['body.inboxVisibility']],
      [{ offlineGraceSeconds: 1.5 }, ['body.offlineGraceSeconds']],
      [{ offlineGraceSeconds: '60' }, ['body.offlineGraceSeconds']],
      [{ offlineGraceSeconds: 86_401 }, ['body.offlineGraceSeconds']],
      [{ inboxVisibility: 'all', firmId: 2 }, ['body']],
      [{}, ['body.assignmentMode']],
    ];
    for (const [body, fields] of cases) {
      const answer = await patch(admin, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      const error = (answer.body as { error: { code: string; fields: Record<string, string> } }).error;
      expect(error.code).toBe('InvalidRequest');
      expect(Object.keys(error.fields).sort(), JSON.stringify(body)).toEqual(fields);
    }
    expect((await settingsOf(admin)).body).toEqual(DEFAULTS);
    expect((await settingsOf(otherFirmAdmin)).body).toEqual(DEFAULTS);
    expect(await auditRows()).toEqual([]);
  });

  it('applies a change at once: with visibility all an agent lists and opens a conversation assigned to another agent', async () => {
    expect(await listedBy(agentA)).not.toContain(conversationOfB);
    expect([403, 404]).toContain((await stack.api(`/conversations/${conversationOfB}`, { token: agentA.accessToken })).status);

    // Written for the old API: keys bind case-insensitively.
    const changed = await patch(admin, { InboxVisibility: 'all', OfflineGraceSeconds: 600 });
    expect(changed.status, changed.text).toBe(200);
    const after = { ...DEFAULTS, inboxVisibility: 'all', offlineGraceSeconds: 600 };
    expect(changed.body).toEqual(after);
    expect((await settingsOf(admin)).body).toEqual(after);

    expect(await listedBy(agentA)).toContain(conversationOfB);
    expect((await stack.api(`/conversations/${conversationOfB}`, { token: agentA.accessToken })).status).toBe(200);

    const [audit, ...more] = await auditRows();
    expect(more).toEqual([]);
    expect(audit).toMatchObject({ FirmId: 1, ActorOperatorId: admin.id, EntityType: 'firm', EntityId: '1' });
    expect(JSON.parse(audit?.DetailsJson ?? '{}')).toEqual({ fields: ['inboxVisibility', 'offlineGraceSeconds'], before: DEFAULTS, after });

    // Another firm's settings are untouched, and a body that changes nothing writes no audit row.
    expect((await settingsOf(otherFirmAdmin)).body).toEqual(DEFAULTS);
    expect((await patch(admin, { inboxVisibility: 'all' })).body).toEqual(after);
    expect(await auditRows()).toHaveLength(1);

    const mode = await patch(admin, { assignmentMode: 'least-open', inboxVisibility: 'own-and-unassigned' });
    expect(mode.body).toEqual({ assignmentMode: 'least-open', inboxVisibility: 'own-and-unassigned', offlineGraceSeconds: 600 });
    expect(await listedBy(agentA)).not.toContain(conversationOfB);
    const firm = await stack.database.db.selectFrom('WhatsApp_FirmSettings').select(['AssignmentMode', 'InboxVisibility', 'OfflineGraceSeconds']).where('FirmId', '=', 1).executeTakeFirstOrThrow();
    expect(firm).toEqual({ AssignmentMode: 'least-open', InboxVisibility: 'own-and-unassigned', OfflineGraceSeconds: 600 });
  });
});
