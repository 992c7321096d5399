// Azurite as the local stack runs it: the run's instance answers, data persists across restarts in a data
// directory, and a port in use is a clear error with no process left behind.
import { QueueClient } from '@azure/storage-queue';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { azuriteAnswers, startAzurite } from '../../../src/devhost/azurite';
import { descendantPids } from '../../support/local-host';
import { testStorageConnectionString } from '../../support/test-storage';

function portsOf(connectionString: string) {
  const port = (name: string) => Number(new RegExp(`${name}Endpoint=http://[^:]+:(\\d+)`).exec(connectionString)?.[1]);
  return { blob: port('Blob'), queue: port('Queue'), table: port('Table') };
}

function azuriteChildren(): number[] {
  return descendantPids(process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('azurite');
    } catch {
      return false;
    }
  });
}

describe('azurite', () => {
  test("the test run's Azurite answers on its three ports", async () => {
    expect(await azuriteAnswers(portsOf(testStorageConnectionString()))).toBe(true);
  });

  test('with a data directory, queued messages survive a restart', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ustad-azurite-'));
    const first = await startAzurite({ dataDir, ports: { blob: 0, queue: 0, table: 0 } });
    const queue = new QueueClient(first.connectionString, 'survives');
    await queue.createIfNotExists();
    await queue.sendMessage('still here');
    await first.stop();
    const second = await startAzurite({ dataDir, ports: { blob: 0, queue: 0, table: 0 } });
    try {
      const peeked = await new QueueClient(second.connectionString, 'survives').peekMessages();
      expect(peeked.peekedMessageItems.map((m) => m.messageText)).toEqual(['still here']);
    } finally {
      await second.stop();
    }
    expect(azuriteChildren()).toEqual([]);
  }, 40_000);

  test('a port in use is a clear start-up error and leaves no Azurite process', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startAzurite({ inMemory: true, ports: { blob: 0, queue: taken, table: 0 } })).rejects.toThrow(
        expect.objectContaining({ name: 'DevHostError', message: expect.stringMatching(/Azurite exited during start-up[\s\S]*EADDRINUSE/) }),
      );
      expect(azuriteChildren()).toEqual([]);
    } finally {
      blocker.close();
    }
  });
});
