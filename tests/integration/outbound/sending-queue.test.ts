// SECURITY.md §9 Q3–Q5 and the unknown-outcome rules, through the local host, its queue trigger, Azurite and the Graph simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { deliverMessage } from '../../../src/outbound/deliver-message';
import { enqueueOutbound } from '../../../src/outbound/outbound.queries';
import { outboundSettings } from '../../../src/outbound/outbound-settings';
import { SendPacer } from '../../../src/outbound/send-pacer';
import { sweepOutbound } from '../../../src/outbound/sweep-outbound';
import { createServices, type Services } from '../../../src/services';
import { newId } from '../../../src/shared/ids';
import { fakeClock, type FakeClock } from '../../support/auth-test-services';
import { PHONES, startTestStack, type OperatorClient, type StackOperator, type TestStack } from '../../support/test-stack';
import { waitUntil } from '../../support/wait-until';

let stack: TestStack;
let agent: StackOperator;
let admin: StackOperator;
let watcher: OperatorClient;
let services: Services;
let customer = 0;
const nextCustomer = () => `90533${String(++customer).padStart(7, '0')}`;
const silent = { log: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  stack = await startTestStack({ settings: { WhatsApp__SendTimeoutSeconds: '1' } });
  agent = await stack.createOperator(1, 'Agent', 'Queue Agent');
  admin = await stack.createOperator(1, 'Admin', 'Queue Admin');
  for (const [operator, email] of [[admin, 'queue.admin@example.com'], [agent, 'queue.agent@example.com']] as const) {
    expect((await stack.api(`/admin/operators/${operator.id}`, { method: 'PATCH', token: admin.accessToken, json: { email } })).status).toBe(200);
  }
  watcher = await stack.connect(agent);
  services = await createServices(loadConfig(process.env));
}, 60_000);

afterAll(async () => {
  await services?.close();
  await stack?.stop();
});

async function reply(conversationId: string, clientMessageId: string, text = 'Yanıt'): Promise<string> {
  const answer = await stack.api(`/conversations/${conversationId}/messages`, { method: 'POST', token: agent.accessToken, json: { clientMessageId, type: 'text', text } });
  expect(answer.status).toBe(202);
  return (answer.body as { message: { id: string } }).message.id;
}

const row = (id: string) => stack.database.db.selectFrom('WhatsApp_Messages').selectAll().where('Id', '=', id).executeTakeFirstOrThrow();
const metaCallsFor = (id: string) => stack.simulator.received({ method: 'POST', pathIncludes: '/messages' }).filter((r) => (r.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data === id);
const acceptedFor = (id: string) => stack.simulator.sentMessages().filter((m) => m.bizOpaqueCallbackData === id);

/** A queued reply written straight to the database, for tests that drive the worker themselves. */
async function insertQueued(conversationId: string, label: string, now: Date): Promise<string> {
  const id = newId(now.getTime());
  await stack.database.db
    .insertInto('WhatsApp_Messages')
    .values({
      Id: id, FirmId: 1, ConversationId: conversationId, Direction: 'outbound', Type: 'text', Text: label, Status: 'queued', StatusRank: 1, MessageAt: now,
      BizOpaqueCallbackData: id, ClientMessageId: label, SenderOperatorId: agent.id, CreatedAt: now, UpdatedAt: now,
    })
    .execute();
  return id;
}

/**
 * Runs the worker once for `id` at the moment its back-off ends, with a clock an hour ahead: the host's own worker, on
 * real time, finds each re-queued message early and leaves it waiting, so only these calls reach Meta.
 * @returns the outcome and the delay it scheduled, in whole seconds
 */
async function tryAtNextAttempt(id: string, clock: FakeClock, pacer = new SendPacer()): Promise<{ outcome: string; delay: number }> {
  const direct = { ...services, clock };
  const before = await row(id);
  if (before.NextAttemptAt) clock.set(before.NextAttemptAt);
  const outcome = await deliverMessage(direct, { firmId: 1, messageId: id }, silent, { pacer, settings: outboundSettings(direct.config) });
  const after = await row(id);
  // Each wait is a new queue message made invisible for the delay (EnqueuedAt = when it shows), not a failed dequeue.
  if (outcome === 'retry-scheduled') expect(after.EnqueuedAt?.getTime()).toBe(after.NextAttemptAt?.getTime());
  return { outcome, delay: Math.round(((after.NextAttemptAt?.getTime() ?? 0) - clock.now().getTime()) / 1000) };
}

const codesFor = (id: string) => metaCallsFor(id).map((r) => (r.response?.body as { error?: { code?: number } }).error?.code);

describe('Q3: back-off on the pair rate limit (131056)', () => {
  it('waits 1, 4, 16, 64, 256 s between tries, through new queue messages (dequeueCount stays 1)', async () => {
    const from = nextCustomer();
    const { conversationId } = await stack.inbound(1, from, 'Merhaba');
    // Five pair-limit answers for this customer, then normal service.
    stack.simulator.injectFault({ match: { to: from, path: '/messages' }, action: { kind: 'error', code: 131056 }, times: 5 });
    const clock = fakeClock(new Date(Date.now() + 3600_000));
    const id = await insertQueued(conversationId, `q3-${from}`, clock.now());
    const tries = [];
    for (let attempt = 1; attempt <= 5; attempt++) tries.push(await tryAtNextAttempt(id, clock));
    expect(tries.map((t) => t.outcome)).toEqual(Array(5).fill('retry-scheduled'));
    expect(tries.map((t) => t.delay)).toEqual([1, 4, 16, 64, 256]);
    expect(codesFor(id)).toEqual([131056, 131056, 131056, 131056, 131056]);
    const final = await row(id);
    expect(final).toMatchObject({ Status: 'queued', ErrorCode: 131056, SendAttempts: 5, PairLimitHits: 5 });
    expect(final.ErrorDetails).toMatch(/müşteriye kısa sürede çok fazla mesaj/);
    // The sixth try (after 256 s) goes through: sent once.
    expect((await tryAtNextAttempt(id, clock)).outcome).toBe('sent');
    expect(acceptedFor(id)).toHaveLength(1);
    // Duplicates of the earlier queue messages that surface later find it sent and do nothing.
    await waitUntil('read', async () => (await row(id)).Status === 'read');
    expect(acceptedFor(id)).toHaveLength(1);
  }, 30_000);

  it('counts only pair-limit answers: after two throughput throttles the first 131056 still waits 1 s', async () => {
    const from = nextCustomer();
    const { conversationId } = await stack.inbound(1, from, 'Merhaba');
    const match = { to: from, path: '/messages' };
    stack.simulator.injectFault({ match, action: { kind: 'error', code: 130429 }, times: 2 });
    const clock = fakeClock(new Date(Date.now() + 3600_000));
    const id = await insertQueued(conversationId, `q3-mixed-${from}`, clock.now());
    const pacer = new SendPacer();
    const throttled = [await tryAtNextAttempt(id, clock, pacer), await tryAtNextAttempt(id, clock, pacer)];
    // Each 130429 doubled the number's pacing margin (40 → 80 → 160 ms); a pair limit says nothing about the number.
    const phone = PHONES[1].phoneNumberId;
    expect(pacer.guardMs(phone)).toBeGreaterThan(155);
    stack.simulator.injectFault({ match, action: { kind: 'error', code: 131056 }, times: 2 });
    const paired = [await tryAtNextAttempt(id, clock, pacer), await tryAtNextAttempt(id, clock, pacer)];
    expect(pacer.guardMs(phone)).toBeLessThanOrEqual(160);
    expect(codesFor(id)).toEqual([130429, 130429, 131056, 131056]);
    // Throughput: full jitter under 2 s, then 4 s; pair limit: 4^0, 4^1 whatever came before.
    expect(throttled[0]?.delay).toBeLessThanOrEqual(2);
    expect(throttled[1]?.delay).toBeLessThanOrEqual(4);
    expect(paired.map((t) => t.delay)).toEqual([1, 4]);
    expect(await row(id)).toMatchObject({ Status: 'queued', SendAttempts: 4, PairLimitHits: 2 });
    expect((await tryAtNextAttempt(id, clock)).outcome).toBe('sent');
    expect(acceptedFor(id)).toHaveLength(1);
  }, 30_000);
});

describe('Q4: poison', () => {
  it('a message whose handler fails five times ends failed with a reason, shown live', async () => {
    const from = nextCustomer();
    const { conversationId } = await stack.inbound(1, from, 'Merhaba');
    const now = new Date();
    const id = newId(now.getTime());
    // A template message whose stored parameters are unreadable: every try throws inside the worker.
    await stack.database.db
      .insertInto('WhatsApp_Messages')
      .values({
        Id: id, FirmId: 1, ConversationId: conversationId, Direction: 'outbound', Type: 'template', Status: 'queued', StatusRank: 1, MessageAt: now,
        TemplateName: 'randevu_hatirlatma', TemplateLanguage: 'tr', TemplateParametersJson: '{not json', BizOpaqueCallbackData: id, ClientMessageId: `q4-${from}`,
        SenderOperatorId: agent.id, CreatedAt: now, UpdatedAt: now,
      })
      .execute();
    await enqueueOutbound(services, 1, id, now);
    await waitUntil('poisoned and failed', async () => (await row(id)).Status === 'failed', 60_000);
    const failed = await row(id);
    expect(failed.ErrorTitle).toBe('poison');
    expect(failed.ErrorDetails).toMatch(/tekrarlayan bir hata/);
    expect(metaCallsFor(id)).toHaveLength(0);
    await waitUntil('failed event', () => watcher.events.some((e) => e.type === 'message.updated' && e.message.id === id && e.message.status === 'failed'));
    expect(stack.host.logText()).toMatch(/outbound-messages-poison/);
  }, 90_000);
});

describe('Q5: lost enqueue', () => {
  it('the sweep queues a message committed without a queue message, and it is sent once', async () => {
    const from = nextCustomer();
    const { conversationId } = await stack.inbound(1, from, 'Merhaba');
    const committed = new Date(Date.now() - 45_000);
    const id = newId(committed.getTime());
    await stack.database.db
      .insertInto('WhatsApp_Messages')
      .values({
        Id: id, FirmId: 1, ConversationId: conversationId, Direction: 'outbound', Type: 'text', Text: 'Kaybolan kuyruk', Status: 'queued', StatusRank: 1,
        MessageAt: committed, BizOpaqueCallbackData: id, ClientMessageId: `q5-${from}`, SenderOperatorId: agent.id, CreatedAt: committed, UpdatedAt: committed,
      })
      .execute();
    const swept = await sweepOutbound(services, silent);
    expect(swept.requeued).toBeGreaterThanOrEqual(1);
    await waitUntil('sent', async () => ['sent', 'delivered', 'read'].includes((await row(id)).Status));
    // A second sweep finds nothing to do for it; Meta got it once.
    await sweepOutbound(services, silent);
    await waitUntil('read', async () => (await row(id)).Status === 'read');
    expect(acceptedFor(id)).toHaveLength(1);
    expect(metaCallsFor(id)).toHaveLength(1);
  });
});

describe('unknown outcomes', () => {
  it('a timeout after Meta accepted becomes unknown, is never re-sent, and the status webhook settles it', async () => {
    const from = nextCustomer();
    const { conversationId } = await stack.inbound(1, from, 'Merhaba');
    // Meta accepts but answers after 2.5 s (the app waits 1 s); its `sent` status comes 1.5 s after acceptance.
    stack.simulator.setStatusBehaviour({ delaysMs: { sent: 1500, delivered: 1700, read: 1900 } });
    stack.simulator.injectFault({ match: { to: from }, action: { kind: 'timeout-after-accept', delayMs: 2500 }, times: 1 });
    try {
      const id = await reply(conversationId, `unknown-${from}`);
      await waitUntil('unknown', async () => (await row(id)).Status === 'unknown');
      expect((await row(id)).ErrorDetails).toMatch(/sonucu bilinmiyor/);
      await waitUntil('settled by webhook', async () => (await row(id)).Status === 'read');
      const settled = await row(id);
      expect(settled.WhatsAppMessageId).toBe(acceptedFor(id)[0]?.id);
      expect(metaCallsFor(id)).toHaveLength(1);
      await waitUntil('client saw unknown then read', () => {
        const seen = watcher.events.flatMap((e) => ((e.type === 'message.updated' || e.type === 'message.created') && e.message.id === id ? [e.message.status] : []));
        return seen.includes('unknown') && seen.at(-1) === 'read';
      });
    } finally {
      stack.simulator.setStatusBehaviour({ delaysMs: { sent: 50, delivered: 150, read: 300 } });
    }
  });

  it('a reset connection leaves the message unknown until an operator retries it explicitly', async () => {
    const from = nextCustomer();
    const { conversationId } = await stack.inbound(1, from, 'Merhaba');
    stack.simulator.injectFault({ match: { to: from }, action: { kind: 'connection-reset' }, times: 1 });
    const id = await reply(conversationId, `reset-${from}`);
    await waitUntil('unknown', async () => (await row(id)).Status === 'unknown');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await row(id)).Status).toBe('unknown');
    expect(metaCallsFor(id)).toHaveLength(1);
    // A sent message cannot be retried; this one can, once.
    const retried = await stack.api(`/messages/${id}/retry`, { method: 'POST', token: agent.accessToken });
    expect(retried.status).toBe(202);
    expect((retried.body as { message: { status: string } }).message.status).toBe('queued');
    await waitUntil('read after retry', async () => (await row(id)).Status === 'read');
    expect(metaCallsFor(id)).toHaveLength(2);
    expect(acceptedFor(id)).toHaveLength(1);
    const again = await stack.api(`/messages/${id}/retry`, { method: 'POST', token: agent.accessToken });
    expect(again.status).toBe(409);
    expect((again.body as { error: { code: string } }).error.code).toBe('MessageNotRetryable');
  });

  it('a 5xx is retried with back-off and sent once; 131047 fails at once with an explanation', async () => {
    const from = nextCustomer();
    const { conversationId } = await stack.inbound(1, from, 'Merhaba');
    stack.simulator.injectFault({ match: { to: from }, action: { kind: 'http-status', status: 503 }, times: 1 });
    const id = await reply(conversationId, `5xx-${from}`);
    await waitUntil('read after 503', async () => (await row(id)).Status === 'read');
    expect(metaCallsFor(id)).toHaveLength(2);
    expect(acceptedFor(id)).toHaveLength(1);

    stack.simulator.injectFault({ match: { to: from }, action: { kind: 'error', code: 131047 }, times: 1 });
    const closed = await reply(conversationId, `131047-${from}`);
    await waitUntil('failed', async () => (await row(closed)).Status === 'failed');
    const failed = await row(closed);
    expect(failed.ErrorCode).toBe(131047);
    expect(failed.ErrorDetails).toMatch(/24 saatten fazla geçti/);
    expect(metaCallsFor(closed)).toHaveLength(1);
  });
});

describe('channel health', () => {
  it('a 190 fails the message and raises one alert, however many messages fail', async () => {
    const from = nextCustomer();
    const { conversationId } = await stack.inbound(1, from, 'Merhaba');
    const rule = stack.simulator.injectFault({ match: { to: from }, action: { kind: 'error', code: 190, status: 401 } });
    try {
      const ids = [await reply(conversationId, `190-a-${from}`), await reply(conversationId, `190-b-${from}`), await reply(conversationId, `190-c-${from}`)];
      await waitUntil('all failed', async () => (await Promise.all(ids.map(row))).every((r) => r.Status === 'failed'));
      expect((await row(ids[0] ?? '')).ErrorDetails).toMatch(/erişim anahtarının süresi dolmuş/);
      const alerts = await stack.database.db.selectFrom('WhatsApp_AuditLogs').selectAll().where('Action', '=', 'channel.health.alert').where('FirmId', '=', 1).execute();
      expect(alerts).toHaveLength(1);
      const phone = await stack.database.db.selectFrom('WhatsApp_PhoneNumbers').selectAll().where('FirmId', '=', 1).executeTakeFirstOrThrow();
      expect(phone).toMatchObject({ HealthState: 'token-invalid', HealthErrorCode: 190 });
      // The firm's admins with an address are e-mailed once, through the notifications queue; agents are not.
      const mails = () => stack.database.db.selectFrom('WhatsApp_Notifications').selectAll().where('Kind', '=', 'channel-health-alert').execute();
      await waitUntil('alert e-mailed', async () => (await mails()).every((m) => m.Status === 'sent') && (await mails()).length > 0);
      expect((await mails()).map((m) => m.Recipient)).toEqual(['queue.admin@example.com']);
      const listed = await stack.api('/admin/phone-numbers', { token: admin.accessToken });
      expect((listed.body as { items: { healthState: string; healthErrorCode: number }[] }).items[0]).toMatchObject({ healthState: 'token-invalid', healthErrorCode: 190 });
    } finally {
      stack.simulator.removeFault(rule.id);
    }
    // A send that works again clears the state, so a later failure would alert anew.
    const ok = await reply(conversationId, `190-ok-${from}`);
    await waitUntil('sent again', async () => ['sent', 'delivered', 'read'].includes((await row(ok)).Status));
    await waitUntil('healthy', async () => (await stack.database.db.selectFrom('WhatsApp_PhoneNumbers').select('HealthState').where('FirmId', '=', 1).executeTakeFirstOrThrow()).HealthState === 'ok');
  });
});
