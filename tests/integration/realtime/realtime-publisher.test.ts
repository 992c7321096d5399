// The Web PubSub publisher against the emulator through Microsoft's SDKs: audiences by firm, role, assignment and
// visibility; payloads that parse with the published catalogue; failures retried briefly, logged, never thrown.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWebPubSubEmulator, type WebPubSubEmulator } from '../../../src/devhost/web-pubsub-emulator';
import { negotiateRealtime } from '../../../src/realtime/negotiate-realtime';
import { RealtimeClientEventSchema, type RealtimeClientEvent } from '../../../src/realtime/realtime-events.schemas';
import type { RealtimePublisher } from '../../../src/realtime/realtime-publisher';
import { createWebPubSubPublisher } from '../../../src/realtime/web-pubsub-publisher';
import { connectWebPubSub } from '../../../src/realtime/web-pubsub-service';
import { newId } from '../../../src/shared/ids';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { seedFirm, seedOutboundMessage } from '../../support/webhook-fixtures';

const HUB = 'inbox';
const NOW = new Date('2026-06-01T12:00:00.000Z');

interface Listener {
  readonly name: string;
  readonly operatorId: string;
  readonly events: RealtimeClientEvent[];
  readonly client: WebPubSubClient;
}

let emulator: WebPubSubEmulator;
let database: TestDatabase;
let publisher: RealtimePublisher;
let admin1: Listener;
let agentA: Listener;
let agentB: Listener;
let admin2: Listener;
let listeners: Listener[];
const warnings: unknown[][] = [];

async function insertOperator(firmId: number, role: 'Admin' | 'Agent', name: string): Promise<string> {
  const id = newId();
  await database.db
    .insertInto('WhatsApp_Operators')
    .values({ Id: id, FirmId: firmId, UserName: `${name}-${id}`, UserNameNormalized: `${name}-${id}`, FullName: name, Role: role, PasswordHash: 'unused', CreatedAt: NOW, UpdatedAt: NOW })
    .execute();
  return id;
}

async function listen(firmId: number, role: 'Admin' | 'Agent', name: string): Promise<Listener> {
  const operatorId = await insertOperator(firmId, role, name);
  const config = { webPubSub: { connectionString: emulator.connectionString, hub: HUB } };
  const { url } = await negotiateRealtime({ config }, { firmId, operatorId, role });
  const client = new WebPubSubClient(url, { autoReconnect: false });
  const events: RealtimeClientEvent[] = [];
  client.on('server-message', ({ message }) => events.push(RealtimeClientEventSchema.parse(message.data)));
  const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  await client.start();
  await connected;
  return { name, operatorId, events, client };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

async function waitFor(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A conversation with one inbound message in firm 1 (or `firmId`), optionally assigned. */
async function seedConversation(firmId = 1, assigneeId: string | null = null): Promise<{ conversationId: string; messageId: string }> {
  const { conversationId, messageId } = await seedOutboundMessage(database.db, {
    firmId,
    phoneNumberId: firmId === 1 ? '111111111111111' : '222222222222222',
    waId: `9055${Math.floor(Math.random() * 1e8)}`,
    whatsAppMessageId: `wamid.${newId()}`,
  });
  await database.db
    .updateTable('WhatsApp_Conversations')
    .set({ AssignedOperatorId: assigneeId, LastInboundAt: NOW, UnreadCount: 2, LastMessagePreview: 'Merhaba' })
    .where('Id', '=', conversationId)
    .execute();
  return { conversationId, messageId };
}

beforeAll(async () => {
  emulator = await startWebPubSubEmulator();
  database = await createTestDatabase();
  await seedFirm(database.db, 1, ['111111111111111']);
  await seedFirm(database.db, 2, ['222222222222222']);
  const { broadcast } = connectWebPubSub({ connectionString: emulator.connectionString, hub: HUB });
  publisher = createWebPubSubPublisher({ db: database.db, clock: { now: () => NOW }, broadcast, log: { warn: (...args) => warnings.push(args) } });
  admin1 = await listen(1, 'Admin', 'Ayse');
  agentA = await listen(1, 'Agent', 'Ali');
  agentB = await listen(1, 'Agent', 'Bora');
  admin2 = await listen(2, 'Admin', 'Other');
  listeners = [admin1, agentA, agentB, admin2];
});

afterAll(async () => {
  for (const l of listeners ?? []) l.client.stop();
  await emulator?.stop();
  await database?.cleanup();
});

beforeEach(async () => {
  await database.db.updateTable('WhatsApp_FirmSettings').set({ InboxVisibility: 'own-and-unassigned' }).execute();
  for (const l of listeners) l.events.length = 0;
  warnings.length = 0;
});

const receivers = () => listeners.filter((l) => l.events.length > 0).map((l) => l.name);

describe('audience', () => {
  it('an unassigned conversation goes to the whole firm, and never to another firm', async () => {
    const { conversationId, messageId } = await seedConversation();
    await publisher.publish([
      { type: 'conversation.updated', firmId: 1, conversationId, change: 'created' },
      { type: 'message.created', firmId: 1, conversationId, messageId },
      { type: 'conversation.updated', firmId: 1, conversationId, change: 'activity' },
    ]);
    await waitFor('three firm-1 operators', () => [admin1, agentA, agentB].every((l) => l.events.length === 1));
    await settle();
    expect(receivers()).toEqual(['Ayse', 'Ali', 'Bora']);
    // The conversation's changes ride on the message: one event carrying both the message and the list row.
    expect(agentB.events).toHaveLength(1);
    expect(agentB.events[0]).toMatchObject({
      type: 'message.created',
      firmId: 1,
      at: NOW.toISOString(),
      conversationId,
      message: { id: messageId, text: 'Merhaba', direction: 'outbound' },
      conversation: { id: conversationId, unreadCount: 2, lastMessagePreview: 'Merhaba', assignee: null, window: { open: true, until: '2026-06-02T12:00:00.000Z' } },
    });

    // Without a new message, the conversation change is its own event.
    for (const l of listeners) l.events.length = 0;
    await publisher.publish([{ type: 'conversation.updated', firmId: 1, conversationId, change: 'unread' }, { type: 'conversation.updated', firmId: 1, conversationId, change: 'status' }]);
    await waitFor('conversation.updated', () => agentB.events.length === 1);
    expect(agentB.events[0]).toMatchObject({ type: 'conversation.updated', changes: ['unread', 'status'], visible: true, conversation: { id: conversationId } });
    expect(warnings).toEqual([]);
  });

  it("an agent's conversation goes to admins and that agent only; with visibility 'all' to every agent", async () => {
    const { conversationId, messageId } = await seedConversation(1, agentA.operatorId);
    await publisher.publish([{ type: 'message.updated', firmId: 1, conversationId, messageId, change: 'status' }]);
    await waitFor('admin and assignee', () => admin1.events.length === 1 && agentA.events.length === 1);
    await settle();
    expect(receivers()).toEqual(['Ayse', 'Ali']);
    expect(agentA.events[0]).toMatchObject({ type: 'message.updated', changes: ['status'], message: { id: messageId } });

    for (const l of listeners) l.events.length = 0;
    await database.db.updateTable('WhatsApp_FirmSettings').set({ InboxVisibility: 'all' }).where('FirmId', '=', 1).execute();
    await publisher.publish([{ type: 'message.updated', firmId: 1, conversationId, messageId, change: 'reaction' }]);
    await waitFor('every firm-1 operator', () => [admin1, agentA, agentB].every((l) => l.events.length === 1));
    await settle();
    expect(receivers()).toEqual(['Ayse', 'Ali', 'Bora']);
  });

  it("an admin's conversation reaches the admins once and no agent", async () => {
    const { conversationId } = await seedConversation(1, admin1.operatorId);
    await publisher.publish([{ type: 'conversation.updated', firmId: 1, conversationId, change: 'status' }]);
    await waitFor('admin', () => admin1.events.length === 1);
    await settle();
    expect(receivers()).toEqual(['Ayse']);
  });

  it('a claim tells the other agents the conversation left their view, and the claimant gets the row', async () => {
    const { conversationId } = await seedConversation(1, agentA.operatorId);
    await publisher.publish([{ type: 'conversation.updated', firmId: 1, conversationId, change: 'assignment', previousAssigneeId: null }]);
    await waitFor('three', () => [admin1, agentA, agentB].every((l) => l.events.length === 1));
    await settle();
    expect(agentB.events).toEqual([{ type: 'conversation.updated', firmId: 1, at: NOW.toISOString(), conversationId, changes: ['assignment'], visible: false }]);
    expect(agentA.events[0]).toMatchObject({ visible: true, conversation: { assignee: { id: agentA.operatorId, fullName: 'Ali' } } });
    expect(admin1.events[0]).toMatchObject({ visible: true });
    expect(admin2.events).toEqual([]);

    // Reassigned from Ali to Bora: Ali loses it, Bora gains it.
    for (const l of listeners) l.events.length = 0;
    await database.db.updateTable('WhatsApp_Conversations').set({ AssignedOperatorId: agentB.operatorId }).where('Id', '=', conversationId).execute();
    await publisher.publish([{ type: 'conversation.updated', firmId: 1, conversationId, change: 'assignment', previousAssigneeId: agentA.operatorId }]);
    await waitFor('three', () => [admin1, agentA, agentB].every((l) => l.events.length === 1));
    expect(agentA.events[0]).toMatchObject({ visible: false });
    expect(agentB.events[0]).toMatchObject({ visible: true, conversation: { assignee: { id: agentB.operatorId } } });
  });

  it('a reaction is not a message of its own: only the message it changes is published, once per batch', async () => {
    const { conversationId, messageId } = await seedConversation();
    const target = await database.db.selectFrom('WhatsApp_Messages').select('WhatsAppMessageId').where('Id', '=', messageId).executeTakeFirstOrThrow();
    const reactionId = newId();
    await database.db
      .insertInto('WhatsApp_Messages')
      .values({ Id: reactionId, FirmId: 1, ConversationId: conversationId, Direction: 'inbound', Type: 'reaction', Status: 'received', MessageAt: NOW, ReactionEmoji: '👍', TargetWhatsAppMessageId: target.WhatsAppMessageId, CreatedAt: NOW, UpdatedAt: NOW })
      .execute();
    await database.db.updateTable('WhatsApp_Messages').set({ CustomerReaction: '👍', Status: 'read' }).where('Id', '=', messageId).execute();
    await publisher.publish([
      { type: 'message.updated', firmId: 1, conversationId, messageId, change: 'status' },
      { type: 'message.created', firmId: 1, conversationId, messageId: reactionId },
      { type: 'message.updated', firmId: 1, conversationId, messageId, change: 'reaction' },
      { type: 'conversation.updated', firmId: 1, conversationId, change: 'activity' },
    ]);
    await waitFor('two events', () => agentA.events.length === 2);
    await settle();
    expect(agentA.events.map((e) => e.type)).toEqual(['message.updated', 'conversation.updated']);
    expect(agentA.events[0]).toMatchObject({ changes: ['status', 'reaction'], message: { id: messageId, status: 'read', reactions: { customer: '👍', business: null } } });
  });

  it('a large batch arrives whole, each conversation in order, with sends side by side', async () => {
    const published: { conversationId: string; messageId: string }[] = [];
    for (let c = 0; c < 30; c += 1) {
      const { conversationId, messageId } = await seedConversation();
      published.push({ conversationId, messageId });
      for (let m = 0; m < 4; m += 1) {
        const id = newId();
        await database.db
          .insertInto('WhatsApp_Messages')
          .values({ Id: id, FirmId: 1, ConversationId: conversationId, Direction: 'inbound', Type: 'text', Status: 'received', MessageAt: NOW, Text: `m${m}`, CreatedAt: NOW, UpdatedAt: NOW })
          .execute();
        published.push({ conversationId, messageId: id });
      }
    }
    const started = performance.now();
    await publisher.publish(published.map((p) => ({ type: 'message.created' as const, firmId: 1, ...p })));
    const elapsed = performance.now() - started;
    await waitFor('150 events', () => admin1.events.length === 150, 10_000);
    const order = (conversationId: string) => admin1.events.flatMap((e) => (e.type === 'message.created' && e.conversationId === conversationId ? [e.message.id] : []));
    for (const { conversationId } of published) expect(order(conversationId)).toEqual(published.filter((p) => p.conversationId === conversationId).map((p) => p.messageId));
    expect(warnings).toEqual([]);
    console.log(`150 message.created events in one publish: sent in ${elapsed.toFixed(0)} ms`);
  });

  it('presence goes to the whole firm with the operator name', async () => {
    await publisher.publish([{ type: 'operator.presence', firmId: 2, operatorId: admin2.operatorId, online: true }]);
    await waitFor('firm 2', () => admin2.events.length === 1);
    await settle();
    expect(receivers()).toEqual(['Other']);
    expect(admin2.events[0]).toEqual({ type: 'operator.presence', firmId: 2, at: NOW.toISOString(), operatorId: admin2.operatorId, fullName: 'Other', online: true });
  });

  it("publishes nothing for ids that are not the event's firm's", async () => {
    const { conversationId, messageId } = await seedConversation(2);
    await publisher.publish([
      { type: 'message.created', firmId: 1, conversationId, messageId },
      { type: 'operator.presence', firmId: 1, operatorId: admin2.operatorId, online: true },
    ]);
    await settle();
    expect(receivers()).toEqual([]);
  });
});

describe('failures', () => {
  it('are retried briefly, then logged; publish resolves without throwing', async () => {
    const { conversationId, messageId } = await seedConversation();
    const dead = connectWebPubSub({ connectionString: `Endpoint=http://127.0.0.1:9;AccessKey=${'k'.repeat(44)};Version=1.0;`, hub: HUB });
    const logged: unknown[][] = [];
    const failing = createWebPubSubPublisher({ db: database.db, clock: { now: () => NOW }, broadcast: dead.broadcast, log: { warn: (...args) => logged.push(args) }, retryDelaysMs: [10, 30, 90] });
    const started = performance.now();
    await expect(failing.publish([{ type: 'message.created', firmId: 1, conversationId, messageId }])).resolves.toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(130);
    expect(logged).toHaveLength(1);
    expect(String(logged[0]?.[0])).toMatch(/could not publish message\.created to firm 1 after 4 attempt/);
  });

  it('a send that times out is logged once, not retried into a slow service', async () => {
    const { conversationId, messageId } = await seedConversation();
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const hanging = connectWebPubSub({ connectionString: `Endpoint=http://127.0.0.1:${port};AccessKey=${'k'.repeat(44)};Version=1.0;`, hub: HUB });
    let requests = 0;
    silent.on('request', () => (requests += 1));
    const logged: unknown[][] = [];
    const slow = createWebPubSubPublisher({ db: database.db, clock: { now: () => NOW }, broadcast: hanging.broadcast, log: { warn: (...args) => logged.push(args) }, attemptTimeoutMs: 100 });
    try {
      await expect(slow.publish([{ type: 'message.created', firmId: 1, conversationId, messageId }])).resolves.toBeUndefined();
      expect(requests).toBe(1);
      expect(String(logged[0]?.[0])).toMatch(/after 1 attempt/);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a database failure (no tables) is logged too', async () => {
    const empty = await createTestDatabase({ empty: true });
    const logged: unknown[][] = [];
    const { broadcast } = connectWebPubSub({ connectionString: emulator.connectionString, hub: HUB });
    const broken = createWebPubSubPublisher({ db: empty.db, clock: { now: () => NOW }, broadcast, log: { warn: (...args) => logged.push(args) } });
    await expect(broken.publish([{ type: 'message.created', firmId: 1, conversationId: newId(), messageId: newId() }])).resolves.toBeUndefined();
    expect(String(logged[0]?.[0])).toMatch(/could not read what changed for firm 1/);
    await empty.cleanup();
  });
});
