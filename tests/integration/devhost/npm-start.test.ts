// The repository's own app under `npm start` (compiled entry): health within 30 s with Azurite started by the
// host and the SQLite file created under LOCAL_DATA_DIR; SIGTERM leaves no process behind.
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { descendantPids, isAlive, spawnLocalHost } from '../../support/local-host';

test('npm start serves GET /api/health, then stops cleanly', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ustad-npm-start-'));
  const started = Date.now();
  const host = await spawnLocalHost({
    args: ['--azurite-ports', '0'],
    env: {
      LOCAL_DATA_DIR: dataDir,
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      ConnectionStrings__DefaultConnection: undefined,
      Database__SqlitePath: undefined,
      WebPubSubConnectionString: undefined,
    },
    timeoutMs: 30_000,
  });
  try {
    const health = await fetch(`${host.ready.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(host.output()).toMatch(/Azurite\s+started, data in /);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['azurite', 'local-secrets.json']));
    expect(readdirSync(dataDir).some((f) => f.endsWith('.db'))).toBe(true);

    const children = descendantPids(host.pid);
    expect(children).toContain(host.ready.azuritePid);
    expect(await host.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    for (let i = 0; i < 100 && [host.pid, ...children].some(isAlive); i++) await sleep(50);
    expect([host.pid, ...children].filter(isAlive)).toEqual([]);
  } finally {
    await host.stop('SIGKILL');
  }
}, 45_000);
