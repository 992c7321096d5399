// End to end through real sockets: signed webhooks from the Graph simulator reach operators' WebPubSubClients as
// message.created / message.updated / conversation.updated, scoped by firm and by the inbox visibility rule.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RealtimeClientEvent } from '../../../src/realtime/realtime-events.schemas';
import { seedOutboundMessage } from '../../support/webhook-fixtures';
import { PHONES, startTestStack, type OperatorClient, type TestStack } from '../../support/test-stack';
import { waitUntil } from '../../support/wait-until';

let stack: TestStack;
let admin1: OperatorClient;
let agentA: OperatorClient;
let agentB: OperatorClient;
let admin2: OperatorClient;
let all: OperatorClient[];
let customer = 0;

beforeAll(async () => {
  stack = await startTestStack();
  const [a1, a, b, a2] = await stack.createOperators([1, 'Admin', 'Ayse Admin'], [1, 'Agent', 'Ali Agent'], [1, 'Agent', 'Bora Agent'], [2, 'Admin', 'Other Firm Admin']);
  [admin1, agentA, agentB, admin2] = await Promise.all([stack.connect(a1), stack.connect(a), stack.connect(b), stack.connect(a2)]);
  all = [admin1, agentA, agentB, admin2];
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  for (const c of all) c.events.length = 0;
  await stack.database.db.updateTable('WhatsApp_FirmSettings').set({ InboxVisibility: 'own-and-unassigned' }).execute();
});

const nextCustomer = () => `90555${String(++customer).padStart(7, '0')}`;
const of = (client: OperatorClient, type: RealtimeClientEvent['type']) => client.events.filter((e) => e.type === type);
/** What an inbox screen gets (presence of colleagues connecting is not part of these tests). */
const inbox = (client: OperatorClient) => client.events.filter((e) => e.type !== 'operator.presence');

async function inbound(firmId: 1 | 2, from: string, text: string) {
  const result = await stack.simulator.sendInbound({ phoneNumberId: PHONES[firmId].phoneNumberId, from, name: `Customer ${from}`, text });
  expect(result.delivery.attempts.at(-1)?.status).toBe(200);
  return result;
}

describe('a signed inbound webhook', () => {
  it('reaches every operator who sees the (unassigned) conversation as message.created, and no one of another firm', async () => {
    const from = nextCustomer();
    const { messageId: wamid } = await inbound(1, from, 'Merhaba, kurs kaydı hakkında');
    for (const c of [admin1, agentA, agentB]) await waitUntil(`message.created at ${c.operator.userName}`, () => of(c, 'message.created').length === 1);
    const created = of(agentA, 'message.created')[0];
    expect(created).toMatchObject({
      type: 'message.created',
      firmId: 1,
      message: { direction: 'inbound', type: 'text', status: 'received', text: 'Merhaba, kurs kaydı hakkında', whatsAppMessageId: wamid, media: null },
    });
    // The list row comes along (a new conversation, unread, reply window open): no second request needed.
    if (created?.type !== 'message.created') throw new Error('unreachable');
    expect(created.conversation).toMatchObject({
      id: created.conversationId,
      status: 'Open',
      customer: { name: `Customer ${from}`, phone: from },
      assignee: null,
      unreadCount: 1,
      lastMessagePreview: 'Merhaba, kurs kaydı hakkında',
      window: { open: true },
    });
    // Nothing internal leaks: no raw Meta JSON, blob paths or pricing in the payload.
    expect(JSON.stringify(created)).not.toMatch(/RawJson|raw_json|BlobPath|pricing|biz_opaque/i);
    // One event for the whole webhook: the conversation's changes ride on the message.
    expect(inbox(agentA).map((e) => e.type)).toEqual(['message.created']);

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(inbox(admin2)).toEqual([]);
    for (const c of all) expect(c.malformed).toEqual([]);
  });

  it('of another firm reaches only that firm', async () => {
    await inbound(2, nextCustomer(), 'other firm');
    await waitUntil('firm 2 admin event', () => of(admin2, 'message.created').length === 1);
    expect(of(admin2, 'message.created')[0]).toMatchObject({ firmId: 2, message: { text: 'other firm' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const c of [admin1, agentA, agentB]) expect(inbox(c)).toEqual([]);
  });

  it('in a conversation assigned to an agent reaches admins and that agent only, unless the firm lets agents see all', async () => {
    const from = nextCustomer();
    await inbound(1, from, 'first');
    await waitUntil('first message', () => of(agentB, 'message.created').length === 1);
    const conversationId = (of(agentB, 'message.created')[0] as { conversationId: string }).conversationId;
    await stack.database.db.updateTable('WhatsApp_Conversations').set({ AssignedOperatorId: agentA.operator.id, AssignedAt: new Date() }).where('Id', '=', conversationId).execute();
    for (const c of all) c.events.length = 0;

    await inbound(1, from, 'second');
    await waitUntil('admin and assignee', () => of(admin1, 'message.created').length === 1 && of(agentA, 'message.created').length === 1);
    expect(of(agentA, 'message.created')[0]).toMatchObject({ conversation: { assignee: { id: agentA.operator.id, fullName: 'Ali Agent' } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(inbox(agentB)).toEqual([]);
    expect(inbox(admin2)).toEqual([]);

    await stack.database.db.updateTable('WhatsApp_FirmSettings').set({ InboxVisibility: 'all' }).where('FirmId', '=', 1).execute();
    await inbound(1, from, 'third');
    await waitUntil('every agent once visibility is all', () => [admin1, agentA, agentB].every((c) => of(c, 'message.created').length === (c === agentB ? 1 : 2)));
    expect(of(agentB, 'message.created')[0]).toMatchObject({ message: { text: 'third' } });
    expect(inbox(admin2)).toEqual([]);
  });
});

describe('a status webhook', () => {
  it('arrives as message.updated with the new status', async () => {
    const waId = nextCustomer();
    const wamid = `wamid.realtime-status-${waId}`;
    const { messageId } = await seedOutboundMessage(stack.database.db, { firmId: 1, phoneNumberId: PHONES[1].phoneNumberId, waId, whatsAppMessageId: wamid, status: 'sent', statusRank: 1 });
    const delivery = await stack.simulator.sendStatus({ messageId: wamid, status: 'delivered', recipientId: waId, phoneNumberId: PHONES[1].phoneNumberId });
    expect(delivery.attempts.at(-1)?.status).toBe(200);
    for (const c of [admin1, agentA, agentB]) await waitUntil(`message.updated at ${c.operator.userName}`, () => of(c, 'message.updated').length === 1);
    expect(of(admin1, 'message.updated')[0]).toMatchObject({
      type: 'message.updated',
      firmId: 1,
      changes: ['status'],
      message: { id: messageId, direction: 'outbound', status: 'delivered', deliveredAt: expect.any(String) },
    });

    await stack.simulator.sendStatus({ messageId: wamid, status: 'read', recipientId: waId, phoneNumberId: PHONES[1].phoneNumberId });
    await waitUntil('read', () => of(admin1, 'message.updated').length === 2);
    expect(of(admin1, 'message.updated')[1]).toMatchObject({ message: { status: 'read', readAt: expect.any(String) } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(inbox(admin2)).toEqual([]);
  });
});
