// Storage-queue triggers on the local host against the run's Azurite: encodings, metadata, retries and
// `<queue>-poison`, batch size — as the Functions queue extension behaves.
import { QueueClient } from '@azure/storage-queue';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { startTestHost, type TestHost } from '../../support/local-host';
import { testStorageConnectionString } from '../../support/test-storage';

const appDir = path.resolve(__dirname, '../../fixtures/devhost/app');

interface WorkEvent {
  type: string;
  message: unknown;
  messageType: string;
  dequeueCount: number;
  id: string;
  insertionTime: string;
  at: number;
}

const hosts: TestHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

function uniqueQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

async function startWorkHost(queueName: string, hostJson?: unknown, functionName = 'work'): Promise<TestHost> {
  const host = await startTestHost({
    appDir,
    hostJson,
    functions: [functionName, 'events'],
    settings: { FIXTURE_WORK_QUEUE: queueName, FIXTURE_SLOW_QUEUE: queueName },
  });
  hosts.push(host);
  return host;
}

async function events(host: TestHost): Promise<{ events: WorkEvent[]; maxActive: number }> {
  const res = await fetch(`${host.baseUrl}/events`);
  return (await res.json()) as { events: WorkEvent[]; maxActive: number };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

function queue(name: string): QueueClient {
  return new QueueClient(testStorageConnectionString(), name);
}

async function visibleMessages(name: string): Promise<string[]> {
  const client = queue(name);
  if (!(await client.exists())) return [];
  return (await client.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageText);
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('base64 message encoding (host.json default)', () => {
  test('a base64 JSON message arrives as an object with the trigger metadata, then is deleted', async () => {
    const name = uniqueQueue('b64');
    const host = await startWorkHost(name);
    const sent = await queue(name).sendMessage(base64(JSON.stringify({ orderId: 42, note: 'çay' })));
    const work = await waitFor('the message', async () => (await events(host)).events.find((e) => e.type === 'work'));
    expect(work).toMatchObject({ message: { orderId: 42, note: 'çay' }, messageType: 'object', dequeueCount: 1, id: sent.messageId });
    expect(new Date(work.insertionTime).toISOString()).toBe(work.insertionTime);
    await waitFor('the delete', async () => (await visibleMessages(name)).length === 0 && (await queue(name).getProperties()).approximateMessagesCount === 0);
  });

  test('a message failing maxDequeueCount (5) times is copied, as sent, to <queue>-poison and removed', async () => {
    const name = uniqueQueue('fails');
    const host = await startWorkHost(name);
    const wire = base64('fail');
    await queue(name).sendMessage(wire);
    const poison = await waitFor('the poison message', async () => {
      const found = await visibleMessages(`${name}-poison`);
      return found.length > 0 ? found : undefined;
    });
    expect(poison).toEqual([wire]);
    const attempts = (await events(host)).events.filter((e) => e.type === 'work');
    expect(attempts.map((a) => a.dequeueCount)).toEqual([1, 2, 3, 4, 5]);
    expect(attempts.every((a) => a.message === 'fail')).toBe(true);
    expect((await queue(name).getProperties()).approximateMessagesCount).toBe(0);
  });

  test('a message that is not base64 goes straight to <queue>-poison without running the function', async () => {
    const name = uniqueQueue('notb64');
    const host = await startWorkHost(name);
    await queue(name).sendMessage('plain text, not base64!');
    const poison = await waitFor('the poison message', async () => {
      const found = await visibleMessages(`${name}-poison`);
      return found.length > 0 ? found : undefined;
    });
    expect(poison).toEqual(['plain text, not base64!']);
    expect((await events(host)).events.filter((e) => e.type === 'work')).toEqual([]);
    expect(host.logText()).toMatch(/not valid base64/);
  });
});

describe('messageEncoding "none"', () => {
  test('plain text is delivered as is: JSON text as an object, other text as a string', async () => {
    const name = uniqueQueue('plain');
    const host = await startWorkHost(name, { version: '2.0', extensions: { queues: { messageEncoding: 'none' } } });
    await queue(name).sendMessage(JSON.stringify({ a: [1, 2] }));
    await queue(name).sendMessage('aGVsbG8=');
    const work = await waitFor('both messages', async () => {
      const list = (await events(host)).events.filter((e) => e.type === 'work');
      return list.length === 2 ? list : undefined;
    });
    const byType = Object.fromEntries(work.map((w) => [w.messageType, w.message]));
    expect(byType).toEqual({ object: { a: [1, 2] }, string: 'aGVsbG8=' });
  });
});

describe('host.json queue settings', () => {
  test('maxDequeueCount and visibilityTimeout from host.json decide retries', async () => {
    const name = uniqueQueue('retry');
    const host = await startWorkHost(name, { version: '2.0', extensions: { queues: { maxDequeueCount: 2, visibilityTimeout: '00:00:01' } } });
    await queue(name).sendMessage(base64(JSON.stringify({ fail: true })));
    await waitFor('the poison message', async () => (await visibleMessages(`${name}-poison`)).length === 1);
    const attempts = (await events(host)).events.filter((e) => e.type === 'work');
    expect(attempts.map((a) => a.dequeueCount)).toEqual([1, 2]);
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  test('batchSize and newBatchThreshold bound how many messages run at once', async () => {
    const name = uniqueQueue('batch');
    const host = await startWorkHost(name, { version: '2.0', extensions: { queues: { batchSize: 2, newBatchThreshold: 0 } } }, 'slow');
    for (let i = 0; i < 6; i++) await queue(name).sendMessage(base64(String(i)));
    const done = await waitFor('six messages', async () => {
      const state = await events(host);
      return state.events.filter((e) => e.type === 'slow').length === 6 ? state : undefined;
    });
    expect(done.maxActive).toBe(2);
    expect(done.events.filter((e) => e.type === 'slow').map((e) => e.message).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('a queue already named -poison gets no poison queue; its failed message stays invisible', async () => {
    const name = uniqueQueue('dead').concat('-poison');
    const host = await startWorkHost(name);
    await queue(name).sendMessage(base64('fail'));
    await waitFor('the attempt', async () => (await events(host)).events.some((e) => e.type === 'work'));
    await sleep(1500);
    expect((await events(host)).events.filter((e) => e.type === 'work')).toHaveLength(1);
    expect(await queue(`${name}-poison`).exists()).toBe(false);
    expect(await visibleMessages(name)).toEqual([]);
  });
});
