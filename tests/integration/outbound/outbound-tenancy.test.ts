// SECURITY.md §9 T1 for the sending endpoints: every id-taking endpoint × {A-Admin, A-Agent, B-Admin, B-Agent} × objects of
// both firms. Another firm's object answers 404 (or the same 4xx as a missing one) and changes nothing; roles hold: a
// conversation of the caller's firm that the inbox rule hides answers 403 Forbidden, as the inbox endpoints do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/shared/ids';
import { PHONES, startTestStack, TINY_PNG, uploadForm, type StackOperator, type TestStack } from '../../support/test-stack';

let stack: TestStack;
type Principal = { name: string; firm: 1 | 2; op: StackOperator };
let principals: Principal[];
const objects = { conversation: {} as Record<1 | 2, string>, inbound: {} as Record<1 | 2, string>, upload: {} as Record<1 | 2, string> };
let cells = 0;
const leaks: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  const [a1, a2, b1, b2] = await stack.createOperators([1, 'Admin', 'A Admin'], [1, 'Agent', 'A Agent'], [2, 'Admin', 'B Admin'], [2, 'Agent', 'B Agent']);
  if (!a1 || !a2 || !b1 || !b2) throw new Error('operators');
  principals = [
    { name: 'A-Admin', firm: 1, op: a1 },
    { name: 'A-Agent', firm: 1, op: a2 },
    { name: 'B-Admin', firm: 2, op: b1 },
    { name: 'B-Agent', firm: 2, op: b2 },
  ];
  await stack.syncTemplates(a1);
  await stack.syncTemplates(b1);
  for (const firm of [1, 2] as const) {
    const { conversationId, messageId } = await stack.inbound(firm, `9055500000${firm}`, 'Merhaba');
    objects.conversation[firm] = conversationId;
    objects.inbound[firm] = messageId;
    const admin = firm === 1 ? a1 : b1;
    const upload = await stack.api('/uploads', { method: 'POST', token: admin.accessToken, body: uploadForm(TINY_PNG, 'image/png', `f${firm}.png`) });
    objects.upload[firm] = (upload.body as { uploadId: string }).uploadId;
  }
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

const messageCount = async (conversationId: string) =>
  Number((await stack.database.db.selectFrom('WhatsApp_Messages').select((eb) => eb.fn.countAll().as('n')).where('ConversationId', '=', conversationId).executeTakeFirstOrThrow()).n);

function check(cell: string, ok: boolean): void {
  cells++;
  if (!ok) leaks.push(cell);
}

async function failedMessage(firm: 1 | 2, conversationId = objects.conversation[firm]): Promise<string> {
  const now = new Date();
  const id = newId(now.getTime());
  await stack.database.db
    .insertInto('WhatsApp_Messages')
    .values({
      Id: id, FirmId: firm, ConversationId: conversationId, Direction: 'outbound', Type: 'text', Text: 't1', Status: 'failed', StatusRank: 15, MessageAt: now,
      ErrorCode: 131026, BizOpaqueCallbackData: id, CreatedAt: now, UpdatedAt: now,
    })
    .execute();
  return id;
}

describe('T1: sending endpoints across firms and roles', () => {
  it('POST /conversations/{id}/messages (text, image by upload, reaction, reply) never reaches another firm', async () => {
    for (const p of principals) {
      for (const firm of [1, 2] as const) {
        const conversationId = objects.conversation[firm];
        const own = p.firm === firm;
        const before = await messageCount(conversationId);
        const text = await stack.api(`/conversations/${conversationId}/messages`, { method: 'POST', token: p.op.accessToken, json: { clientMessageId: `t1-text-${p.name}-${firm}`, type: 'text', text: 'hi' } });
        check(`${p.name} text → conversation of firm ${firm}: ${text.status}`, own ? text.status === 202 : text.status === 404 && (await messageCount(conversationId)) === before);

        // An upload, a reacted-to and a quoted message of each firm, used from the caller's own conversation.
        const ownConversation = objects.conversation[p.firm];
        const ownBefore = await messageCount(ownConversation);
        const image = await stack.api(`/conversations/${ownConversation}/messages`, { method: 'POST', token: p.op.accessToken, json: { clientMessageId: `t1-image-${p.name}-${firm}`, type: 'image', uploadId: objects.upload[firm] } });
        check(`${p.name} image with upload of firm ${firm}: ${image.status}`, own ? image.status === 202 : image.status === 422 && (await messageCount(ownConversation)) === ownBefore);
        const reaction = await stack.api(`/conversations/${ownConversation}/messages`, { method: 'POST', token: p.op.accessToken, json: { clientMessageId: `t1-react-${p.name}-${firm}`, type: 'reaction', messageId: objects.inbound[firm], emoji: '👍' } });
        check(`${p.name} reaction to message of firm ${firm}: ${reaction.status}`, own ? reaction.status === 202 : reaction.status === 400);
        const quoted = await stack.api(`/conversations/${ownConversation}/messages`, { method: 'POST', token: p.op.accessToken, json: { clientMessageId: `t1-quote-${p.name}-${firm}`, type: 'text', text: 'q', replyTo: objects.inbound[firm] } });
        check(`${p.name} reply quoting message of firm ${firm}: ${quoted.status}`, own ? quoted.status === 202 : quoted.status === 400);
      }
      // A firm id smuggled into the body is refused, not obeyed.
      const smuggled = await stack.api(`/conversations/${objects.conversation[p.firm]}/messages`, { method: 'POST', token: p.op.accessToken, json: { clientMessageId: `t1-smuggle-${p.name}`, type: 'text', text: 'x', firmId: p.firm === 1 ? 2 : 1 } });
      check(`${p.name} firmId in body: ${smuggled.status}`, smuggled.status === 400);
    }
    expect(leaks).toEqual([]);
  }, 60_000);

  it('POST /messages/{id}/retry acts only on the caller’s firm', async () => {
    for (const p of principals) {
      for (const firm of [1, 2] as const) {
        const id = await failedMessage(firm);
        const before = await stack.database.db.selectFrom('WhatsApp_Messages').select(['Status', 'UpdatedAt']).where('Id', '=', id).executeTakeFirstOrThrow();
        const answer = await stack.api(`/messages/${id}/retry`, { method: 'POST', token: p.op.accessToken });
        const after = await stack.database.db.selectFrom('WhatsApp_Messages').select(['Status', 'UpdatedAt']).where('Id', '=', id).executeTakeFirstOrThrow();
        check(
          `${p.name} retry message of firm ${firm}: ${answer.status}`,
          p.firm === firm ? answer.status === 202 : answer.status === 404 && after.Status === before.Status && after.UpdatedAt.getTime() === before.UpdatedAt.getTime(),
        );
      }
    }
    expect(leaks).toEqual([]);
  }, 60_000);

  it('an agent gets 403 Forbidden, as from the inbox, for another agent’s conversation (own-and-unassigned), and nothing changes', async () => {
    const other = await stack.createOperator(1, 'Agent', 'A Other Agent');
    const agent = principals[1]?.op;
    const admin = principals[0]?.op;
    if (!agent || !admin) throw new Error('operators');
    const phone = '905550000099';
    const { conversationId } = await stack.inbound(1, phone, 'Merhaba');
    await stack.database.db.updateTable('WhatsApp_Conversations').set({ AssignedOperatorId: other.id }).where('Id', '=', conversationId).execute();
    const failed = await failedMessage(1, conversationId);
    const snapshot = async () =>
      JSON.stringify([
        await stack.database.db.selectFrom('WhatsApp_Messages').selectAll().where('ConversationId', '=', conversationId).orderBy('Id').execute(),
        await stack.database.db.selectFrom('WhatsApp_Conversations').selectAll().where('Id', '=', conversationId).execute(),
        await stack.database.db.selectFrom('WhatsApp_Customers').selectAll().where('WaId', '=', phone).execute(),
      ]);
    const agentAudit = async () => (await stack.database.db.selectFrom('WhatsApp_AuditLogs').select('Action').where('ActorOperatorId', '=', agent.id).orderBy('Sequence').execute()).map((r) => r.Action);
    const before = await snapshot();
    const auditBefore = await agentAudit();
    const codeOf = (answer: { body: unknown }) => (answer.body as { error?: { code?: string } } | null)?.error?.code;

    const inbox = await stack.api(`/conversations/${conversationId}/messages`, { token: agent.accessToken });
    check(`A-Agent reads other agent's conversation: ${inbox.status}`, inbox.status === 403 && codeOf(inbox) === 'Forbidden');
    const send = await stack.api(`/conversations/${conversationId}/messages`, { method: 'POST', token: agent.accessToken, json: { clientMessageId: 't1-assigned', type: 'text', text: 'x' } });
    check(`A-Agent sends into other agent's conversation: ${send.status}`, send.status === 403 && codeOf(send) === codeOf(inbox));
    const retry = await stack.api(`/messages/${failed}/retry`, { method: 'POST', token: agent.accessToken });
    check(`A-Agent retries in other agent's conversation: ${retry.status}`, retry.status === 403 && codeOf(retry) === codeOf(inbox));
    const start = await stack.api('/conversations', {
      method: 'POST',
      token: agent.accessToken,
      json: { clientMessageId: 't1-assigned-start', phone, phoneNumberId: PHONES[1].phoneNumberId, template: { name: 'hello_world', language: 'en_US' } },
    });
    check(`A-Agent starts (resumes) other agent's conversation: ${start.status}`, start.status === 403 && codeOf(start) === codeOf(inbox));
    check('nothing changed after the refused requests', (await snapshot()) === before);
    // Each refusal is audited, as the inbox's are; nothing else is recorded for the agent.
    const audited = (await agentAudit()).slice(auditBefore.length);
    check(`audit after the refused requests: ${audited.join(', ')}`, audited.length === 4 && audited.every((action) => action === 'authz_fail'));

    const mine = await stack.api(`/conversations/${conversationId}/messages`, { method: 'POST', token: other.accessToken, json: { clientMessageId: 't1-assigned-own', type: 'text', text: 'x' } });
    check(`assignee sends: ${mine.status}`, mine.status === 202);
    const byAdmin = await stack.api(`/conversations/${conversationId}/messages`, { method: 'POST', token: admin.accessToken, json: { clientMessageId: 't1-assigned-admin', type: 'text', text: 'x' } });
    check(`admin sends: ${byAdmin.status}`, byAdmin.status === 202);
    expect(leaks).toEqual([]);
  });

  it('seeing is not acting: with visibility `all` an agent reads another agent’s conversation but may not reply in it', async () => {
    const other = await stack.createOperator(1, 'Agent', 'A Third Agent');
    const agent = principals[1]?.op;
    if (!agent) throw new Error('agent');
    const { conversationId } = await stack.inbound(1, '905550000098', 'Merhaba');
    await stack.database.db.updateTable('WhatsApp_Conversations').set({ AssignedOperatorId: other.id }).where('Id', '=', conversationId).execute();
    const settings = stack.database.db.updateTable('WhatsApp_FirmSettings').where('FirmId', '=', 1);
    await settings.set({ InboxVisibility: 'all' }).execute();
    try {
      const read = await stack.api(`/conversations/${conversationId}/messages`, { token: agent.accessToken });
      check(`A-Agent reads other agent's conversation under 'all': ${read.status}`, read.status === 200);
      const send = await stack.api(`/conversations/${conversationId}/messages`, { method: 'POST', token: agent.accessToken, json: { clientMessageId: 't1-visible-all', type: 'text', text: 'x' } });
      check(`A-Agent sends into other agent's conversation under 'all': ${send.status}`, send.status === 403);
      const stored = await stack.database.db.selectFrom('WhatsApp_Messages').select('Id').where('ClientMessageId', '=', 't1-visible-all').execute();
      check(`nothing stored for the refused reply: ${stored.length}`, stored.length === 0);
    } finally {
      await settings.set({ InboxVisibility: 'own-and-unassigned' }).execute();
    }
    expect(leaks).toEqual([]);
  });

  it('templates: listing is per firm, sync is for admins only', async () => {
    for (const p of principals) {
      const list = await stack.api('/templates', { token: p.op.accessToken });
      const ids = (list.body as { templates: { id: string }[] }).templates.map((t) => t.id);
      const firmIds = (await stack.database.db.selectFrom('WhatsApp_Templates').select(['Id', 'FirmId']).where('Id', 'in', ids.length ? ids : ['none']).execute()).map((r) => r.FirmId);
      check(`${p.name} template list: ${list.status}`, list.status === 200 && ids.length > 0 && firmIds.every((f) => f === p.firm));
      const sync = await stack.api('/admin/templates/sync', { method: 'POST', token: p.op.accessToken });
      check(`${p.name} template sync: ${sync.status}`, p.op.role === 'Admin' ? sync.status === 200 && (sync.body as { firmId: number }).firmId === p.firm : sync.status === 403);
    }
    expect(leaks).toEqual([]);
  });

  it('POST /conversations refuses another firm’s business number and creates nothing', async () => {
    for (const p of principals) {
      for (const firm of [1, 2] as const) {
        const phone = `9055512${p.firm}${firm}${String(cells).padStart(4, '0')}`;
        const answer = await stack.api('/conversations', {
          method: 'POST',
          token: p.op.accessToken,
          json: { clientMessageId: `t1-start-${p.name}-${firm}`, phone, phoneNumberId: PHONES[firm].phoneNumberId, template: { name: 'hello_world', language: 'en_US' } },
        });
        const customers = await stack.database.db.selectFrom('WhatsApp_Customers').select('FirmId').where('WaId', '=', phone).execute();
        check(
          `${p.name} start on number of firm ${firm}: ${answer.status}`,
          p.firm === firm ? answer.status === 202 && customers.every((c) => c.FirmId === p.firm) : answer.status === 400 && customers.length === 0,
        );
      }
    }
    console.log(`T1 (sending endpoints): ${cells} endpoint × principal × object cells, ${leaks.length} leaks`);
    expect(leaks).toEqual([]);
  });
});
