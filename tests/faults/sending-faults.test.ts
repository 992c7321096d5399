// SECURITY.md §9 Q1 and Q2: the worker runs as `npm start` does (a child process) and is killed with SIGKILL mid-send;
// Meta (the Graph simulator) throttles, rate-limits, fails, times out after accepting and resets connections.
// Q2 prints its figures: 1,000 sends, 0 lost, 0 duplicated among those Meta accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../scripts/seeded-random';
import { loadConfig } from '../../src/config';
import { deliverMessage } from '../../src/outbound/deliver-message';
import { sweepOutbound } from '../../src/outbound/sweep-outbound';
import { createServices, type Services } from '../../src/services';
import { queues } from '../../src/storage/queue-catalogue';
import { spawnLocalHost, type SpawnedLocalHost } from '../support/local-host';
import { startTestStack, type StackOperator, type TestStack } from '../support/test-stack';
import { waitUntil } from '../support/wait-until';

/** The app's HTTP and webhook functions only: the sending worker runs in the child process. */
const FRONT_FUNCTIONS = [
  'health', 'webhook-verify', 'webhook-receive', 'auth-login', 'realtime-negotiate', 'realtime-events', 'messages-send', 'messages-retry', 'templates-sync',
];
// Part of `npm test` (about 90 s); `npm run test:faults` runs this file alone. Q2_SENDS and Q2_SEED replay other runs.
const SENDS = Number(process.env['Q2_SENDS'] ?? 1000);
const PER_CONVERSATION = 4;
/** Meta's 131056 answers one conversation (one customer) gets at most; see the rule in Q2. */
const PAIR_HITS_PER_CONVERSATION = 4;

const SEED = Number(process.env['Q2_SEED'] ?? 20260607);
/** Seeded, so a failing run can be replayed with the same faults. */
const random = seededRandom(SEED);
let stack: TestStack;
let agent: StackOperator;
let services: Services;
let worker: SpawnedLocalHost | undefined;
const silent = { log: () => {}, warn: () => {}, error: () => {} };

async function startWorker(): Promise<SpawnedLocalHost> {
  worker = await spawnLocalHost({ env: { DEVHOST_DEBUG: '' }, timeoutMs: 60_000 });
  return worker;
}

beforeAll(async () => {
  stack = await startTestStack({
    settings: { WhatsApp__SendTimeoutSeconds: '8' },
    functions: FRONT_FUNCTIONS,
    simulator: { webhookRetryDelaysMs: [300, 1000, 3000, 6000, 10_000], random },
  });
  agent = await stack.createOperator(1, 'Agent', 'Faults Agent');
  services = await createServices(loadConfig(process.env));
}, 60_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await services?.close();
  await stack?.stop();
});

const rowOf = (id: string) => stack.database.db.selectFrom('WhatsApp_Messages').selectAll().where('Id', '=', id).executeTakeFirstOrThrow();
const acceptedFor = (id: string) => stack.simulator.sentMessages().filter((m) => m.bizOpaqueCallbackData === id);

/** Posts a reply the way a client on a flaky network should: the same clientMessageId again until it gets an answer. */
async function reply(conversationId: string, clientMessageId: string, text: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await stack.api(`/conversations/${conversationId}/messages`, { method: 'POST', token: agent.accessToken, json: { clientMessageId, type: 'text', text } });
      if (answer.status !== 202 && answer.status !== 200) throw new Error(`reply answered ${answer.status}: ${answer.text}`);
      return (answer.body as { message: { id: string } }).message.id;
    } catch (error) {
      if (attempt >= 5 || !(error instanceof TypeError)) throw error;
      clientRetries++;
    }
  }
}
let clientRetries = 0;

/** Why messages are still open: each one's row, what waits before it in its conversation, and Meta's answers to it. */
async function describeUnsettled(ids: readonly string[]): Promise<string> {
  const open = await stack.database.db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'ConversationId', 'Status', 'SendAttempts', 'NextAttemptAt', 'EnqueuedAt', 'LeaseUntil', 'UpdatedAt', 'ErrorCode'])
    .where('Id', 'in', [...ids])
    .where('Status', 'in', ['queued', 'sending'])
    .execute();
  const lines: string[] = [];
  for (const row of open.slice(0, 10)) {
    const siblings = await stack.database.db
      .selectFrom('WhatsApp_Messages')
      .select(['Id', 'Status', 'SendAttempts', 'NextAttemptAt'])
      .where('ConversationId', '=', row.ConversationId)
      .where('Direction', '=', 'outbound')
      .orderBy('MessageAt')
      .orderBy('Id')
      .execute();
    const answers = stack.simulator
      .received({ method: 'POST', pathIncludes: '/messages' })
      .filter((r) => (r.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data === row.Id)
      .map((r) => `${new Date(r.at).toISOString().slice(11, 23)} ${r.response?.status ?? '-'} ${(r.response?.body as { error?: { code?: number } } | undefined)?.error?.code ?? ''} ${r.delivery}`);
    lines.push(`${JSON.stringify(row)}\n    conversation: ${siblings.map((m) => `${m.Id === row.Id ? '*' : ''}${m.Status}/${m.SendAttempts}@${m.NextAttemptAt?.toISOString().slice(11, 19) ?? '-'}`).join(' ')}\n    Meta: ${answers.join('; ') || 'never called'}`);
  }
  return lines.join('\n');
}

describe('Q1: at-least-once delivery never sends twice', () => {
  it('a queue message redelivered after Meta accepted (worker gone before delete) is not sent again', async () => {
    const { conversationId } = await stack.inbound(1, '905441000001', 'Merhaba');
    const id = await reply(conversationId, 'q1-redelivered', 'Q1 redelivered');
    // Act as a worker that takes the message, gets Meta's acceptance, and dies before deleting it.
    const queue = services.storage.queues.getQueueClient(queues.outboundMessages.name);
    const received = (await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 2 })).receivedMessageItems[0];
    expect(received).toBeDefined();
    const job = JSON.parse(Buffer.from(received?.messageText ?? '', 'base64').toString('utf8')) as { firmId: number; messageId: string };
    expect(job.messageId).toBe(id);
    expect(await deliverMessage(services, job, silent)).toBe('sent');
    // The message comes back (dequeueCount 2) to a real worker, which finds it sent and does nothing.
    await startWorker();
    await waitUntil('queue drained', async () => (await queue.getProperties()).approximateMessagesCount === 0, 20_000);
    await waitUntil('read', async () => (await rowOf(id)).Status === 'read');
    expect(acceptedFor(id)).toHaveLength(1);
    expect(stack.simulator.received({ method: 'POST', pathIncludes: '/messages' }).filter((r) => (r.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data === id)).toHaveLength(1);
  }, 90_000);

  it('a worker killed (SIGKILL) while Meta holds its accepted send: the status webhook settles it, still one call', async () => {
    const from = '905441000002';
    const { conversationId } = await stack.inbound(1, from, 'Merhaba');
    stack.simulator.setStatusBehaviour({ delaysMs: { sent: 3000, delivered: 3200, read: 3400 } });
    stack.simulator.injectFault({ match: { to: from }, action: { kind: 'timeout-after-accept', delayMs: 60_000 }, times: 1 });
    try {
      const id = await reply(conversationId, 'q1-killed', 'Q1 killed');
      await waitUntil('Meta accepted', () => acceptedFor(id).length === 1, 20_000);
      expect((await rowOf(id)).Status).toBe('sending');
      await worker?.stop('SIGKILL');
      await startWorker();
      await waitUntil('read via webhook', async () => (await rowOf(id)).Status === 'read', 20_000);
      expect((await rowOf(id)).WhatsAppMessageId).toBe(acceptedFor(id)[0]?.id);
      expect(acceptedFor(id)).toHaveLength(1);
    } finally {
      stack.simulator.setStatusBehaviour({ delaysMs: { sent: 50, delivered: 150, read: 300 } });
    }
  }, 90_000);
});

describe('Q2: failure injection', () => {
  it(`${SENDS} sends under throttling, pair limits, 5xx, timeouts after accept, resets and killed workers: 0 lost, 0 duplicated`, async () => {
    stack.simulator.clearFaults();
    const nominal = { 130429: 0.2, 131056: 0.1, 'http-500': 0.05, 'timeout-after-accept': 0.05, 'reset-before-accept': 0.01, 'reset-after-accept': 0.01 };
    // Rules are tried in order, each with its own chance: conditional probabilities give the nominal shares overall.
    let left = 1;
    const conditional = (share: number) => {
      const p = share / left;
      left -= share;
      return p;
    };
    const match = { method: 'POST', path: '/messages' };
    const conversations = SENDS / PER_CONVERSATION;
    const customer = (c: number) => `9055${String(c).padStart(8, '0')}`;
    // 131056 is one rule per customer, firing at most PAIR_HITS_PER_CONVERSATION times: Meta's back-off for the X-th
    // answer is 4^X s, so an unbounded random draw (about 1 run in 25 gives some message 5, 1 in 250 gives 6: 341 s and
    // 1,365 s of legal waiting) made the deadline below a coin toss on a correct app (simulated: 0.8 % of runs failed).
    // With at most 4 per conversation the legal pair waits add up to 85 s (1+4+16+64, still reaching X=3), and the
    // slowest conversation of 100,000 simulated runs settled in 303 s of the 420 s. A spent rule is skipped without a
    // draw, so the other faults keep their shares.
    const pairRule = conditional(nominal[131056]);
    const rules = [
      [stack.simulator.injectFault({ match, action: { kind: 'error', code: 130429 }, probability: conditional(nominal[130429]) })],
      Array.from({ length: conversations }, (_, c) =>
        stack.simulator.injectFault({ match: { ...match, to: customer(c) }, action: { kind: 'error', code: 131056 }, probability: pairRule, times: PAIR_HITS_PER_CONVERSATION }),
      ),
      [stack.simulator.injectFault({ match, action: { kind: 'http-status', status: 500, body: 'Internal Server Error' }, probability: conditional(nominal['http-500']) })],
      [stack.simulator.injectFault({ match, action: { kind: 'timeout-after-accept', delayMs: 10_000 }, probability: conditional(nominal['timeout-after-accept']) })],
      [stack.simulator.injectFault({ match, action: { kind: 'connection-reset' }, probability: conditional(nominal['reset-before-accept']) })],
      [stack.simulator.injectFault({ match, action: { kind: 'connection-reset', afterAccept: true }, probability: conditional(nominal['reset-after-accept']) })],
    ].map((group) => new Set(group.map((rule) => rule.id)));
    const conversationIds: string[] = [];
    for (let c = 0; c < conversations; c++) conversationIds.push((await stack.inbound(1, customer(c), 'Merhaba')).conversationId);
    const startSeq = stack.simulator.received().at(-1)?.seq ?? 0;

    // Queue every message through the API (messages of one conversation in order) while the worker runs, and meanwhile
    // kill the worker at random moments (SIGKILL: no cleanup) and restart it. The sweep, run here with short thresholds,
    // queues again what a dead worker held (its queue messages stay invisible for 10 minutes) and settles its sends.
    if (!worker || worker.child.exitCode !== null) await startWorker();
    const ids: string[] = [];
    const started = Date.now();
    let kills = 0;
    let inFlightAtKills = 0;
    let rescued = 0;
    let settledAfterKill = 0;
    let killing = true;
    const inFlight = async () =>
      Number((await stack.database.db.selectFrom('WhatsApp_Messages').select((eb) => eb.fn.countAll().as('n')).where('Status', '=', 'sending').where('Direction', '=', 'outbound').executeTakeFirstOrThrow()).n);
    const killer = (async () => {
      const until = Date.now() + 45_000;
      while (killing && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 2000 + random() * 4000));
        if (!killing) break;
        const sending = await inFlight();
        await worker?.stop('SIGKILL');
        kills++;
        inFlightAtKills += sending;
        await startWorker();
      }
    })();
    await Promise.all(
      Array.from({ length: 16 }, async (_, lane) => {
        for (let c = lane; c < conversations; c += 16) {
          for (let k = 0; k < PER_CONVERSATION; k++) ids.push(await reply(conversationIds[c] ?? '', `q2-${c}-${k}`, `Mesaj ${k + 1} / konuşma ${c}`));
        }
      }),
    );
    expect(ids).toHaveLength(SENDS);
    const unsettled = async () =>
      Number((await stack.database.db.selectFrom('WhatsApp_Messages').select((eb) => eb.fn.countAll().as('n')).where('Id', 'in', ids).where('Status', 'in', ['queued', 'sending']).executeTakeFirstOrThrow()).n);
    const deadline = Date.now() + 420_000;
    let lastProgress = Date.now();
    while ((await unsettled()) > 0) {
      if (Date.now() > deadline) throw new Error(`${await unsettled()} messages still unsettled:\n${await describeUnsettled(ids)}`);
      if (Date.now() - lastProgress > 30_000) {
        lastProgress = Date.now();
        console.log(`Q2 progress at ${((Date.now() - started) / 1000).toFixed(0)} s: ${await unsettled()} unsettled`);
      }
      const swept = await sweepOutbound(services, silent, { neverQueuedAfterMs: 5_000, overdueAfterMs: 20_000 });
      rescued += swept.requeued;
      settledAfterKill += swept.settledUnknown;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    killing = false;
    await killer;
    const elapsed = (Date.now() - started) / 1000;
    await stack.simulator.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const rows = await stack.database.db.selectFrom('WhatsApp_Messages').select(['Id', 'Status', 'WhatsAppMessageId', 'ErrorTitle', 'ErrorDetails', 'ErrorCode']).where('Id', 'in', ids).execute();
    const accepted = stack.simulator.sentMessages().filter((m) => m.bizOpaqueCallbackData !== undefined && ids.includes(m.bizOpaqueCallbackData));
    const acceptedBy = new Map<string, string[]>();
    for (const m of accepted) acceptedBy.set(m.bizOpaqueCallbackData ?? '', [...(acceptedBy.get(m.bizOpaqueCallbackData ?? '') ?? []), m.id]);
    const calls = stack.simulator.received({ sinceSeq: startSeq, method: 'POST', pathIncludes: '/messages' });
    const byState = new Map<string, number>();
    for (const r of rows) byState.set(r.Status, (byState.get(r.Status) ?? 0) + 1);
    const duplicates = [...acceptedBy.values()].filter((list) => list.length > 1).length;
    const lost = SENDS - rows.filter((r) => ['sent', 'delivered', 'read', 'failed', 'unknown'].includes(r.Status)).length;
    const deliveredWithoutWamid = rows.filter((r) => ['sent', 'delivered', 'read'].includes(r.Status) && (acceptedBy.get(r.Id)?.[0] ?? null) !== r.WhatsAppMessageId).length;
    const unknownButAccepted = rows.filter((r) => r.Status === 'unknown' && acceptedBy.has(r.Id)).length;
    const withoutReason = rows.filter((r) => ['failed', 'unknown'].includes(r.Status) && !(r.ErrorDetails ?? '').trim()).length;
    const faultCounts = Object.fromEntries(
      ['130429', '131056', 'http-500', 'timeout-after-accept', 'reset-before-accept', 'reset-after-accept'].map((name, i) => [name, calls.filter((c) => c.faultId !== undefined && rules[i]?.has(c.faultId)).length]),
    );
    const naturalThrottles = calls.filter((c) => c.faultId === undefined && (c.response?.body as { error?: { code?: number } } | undefined)?.error?.code === 130429).length;
    const reasons: Record<string, number> = {};
    for (const r of rows) if (r.Status === 'failed' || r.Status === 'unknown') reasons[`${r.Status}: ${r.ErrorCode ?? ''} ${(r.ErrorTitle ?? '').slice(0, 60)}`] = (reasons[`${r.Status}: ${r.ErrorCode ?? ''} ${(r.ErrorTitle ?? '').slice(0, 60)}`] ?? 0) + 1;
    const injected = Object.values(faultCounts).reduce((a, b) => a + b, 0);
    const reconciled = calls.filter((c) => (c.delivery === 'held' || c.delivery === 'reset' || c.delivery === 'delayed') && c.acceptedMessageId !== undefined).length;

    console.log(
      [
        `Q2 (seed ${SEED}): ${SENDS} sends in ${conversations} conversations, ${calls.length} calls to Meta in ${elapsed.toFixed(1)} s`,
        `  injected faults: ${injected} (${((100 * injected) / calls.length).toFixed(1)} % of calls) ${JSON.stringify(faultCounts)}; throughput 130429 not injected: ${naturalThrottles}`,
        `  worker killed ${kills} times (${inFlightAtKills} sends in flight at the kills); the sweep re-queued ${rescued} overdue messages (held by dead workers, or not yet taken under the backlog: duplicates are harmless) and settled ${settledAfterKill} dead sends as unknown`,
        `  final states: ${JSON.stringify(Object.fromEntries(byState))}; reasons: ${JSON.stringify(reasons)}`,
        `  lost: ${lost}; duplicated among Meta-accepted: ${duplicates}; accepted but answer lost (timeout/reset), settled by webhook: ${reconciled}; unknown yet accepted: ${unknownButAccepted}`,
        `  failed/unknown without a reason: ${withoutReason}; client re-posts after a network error (same clientMessageId): ${clientRetries}`,
      ].join('\n'),
    );
    expect(lost).toBe(0);
    expect(duplicates).toBe(0);
    expect(deliveredWithoutWamid).toBe(0);
    expect(unknownButAccepted).toBe(0);
    expect(withoutReason).toBe(0);
    expect(kills).toBeGreaterThan(0);
    stack.simulator.clearFaults();
  }, 900_000);
});
