// The compiled `npm start` entry as a child process: it starts its own Azurite, prints what runs where, serves
// the app, streams when the app enables it, fails clearly, and leaves no process behind on SIGTERM / SIGINT.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { descendantPids, isAlive, runLocalHostToExit, spawnLocalHost } from '../../support/local-host';
import { testStorageConnectionString } from '../../support/test-storage';

const fixtures = path.resolve(__dirname, '../../fixtures/devhost');

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'ustad-host-'));
}

function fixtureEnv(id: string): Record<string, string> {
  return {
    FIXTURE_WORK_QUEUE: `proc-work-${id}`,
    FIXTURE_SLOW_QUEUE: `proc-slow-${id}`,
    FIXTURE_OUTPUT_QUEUE: `proc-out-${id}`,
    FIXTURE_TIMER_SCHEDULE: '0 0 0 1 1 *',
  };
}

async function waitUntilGone(pids: readonly number[], timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(50);
    alive = alive.filter(isAlive);
  }
  return alive;
}

function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) && isAlive(Number(pid));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('npm start (child process)', () => {
  test('starts Azurite itself, prints the table, serves the app; SIGTERM stops everything and exits 0', async () => {
    const dataDir = tempDir();
    const eventsFile = path.join(dataDir, 'events.jsonl');
    const host = await spawnLocalHost({
      appDir: path.join(fixtures, 'app'),
      args: ['--azurite-ports', '0', '--azurite-in-memory'],
      env: { ...fixtureEnv('a'), AzureWebJobsStorage: 'UseDevelopmentStorage=true', LOCAL_DATA_DIR: dataDir, FIXTURE_EVENTS_FILE: eventsFile, WhatsApp__AccessToken: undefined, Jwt__Key: undefined },
    });
    try {
      const res = await fetch(`${host.ready.baseUrl}/hello?name=process`);
      expect(await res.json()).toEqual({ greeting: 'hello process', method: 'GET' });
      const secured = await fetch(`${host.ready.baseUrl}/secure`, { headers: { 'x-functions-key': host.ready.hostKey } });
      expect(secured.status).toBe(200);

      const output = host.output();
      expect(output).toContain(host.ready.baseUrl);
      expect(output).toMatch(/Azurite\s+started, in memory/);
      expect(output).toMatch(/work\s+queue\s+proc-work-a \(poison: proc-work-a-poison\)/);
      expect(output).toMatch(/items-by-id\s+GET\s+http:\/\/127\.0\.0\.1:\d+\/api\/items\/\{id:int\}/);
      expect(existsSync(path.join(dataDir, 'local-secrets.json'))).toBe(true);

      const children = descendantPids(host.pid);
      expect(children).toContain(host.ready.azuritePid);
      const ended = await host.stop('SIGTERM');
      expect(ended).toEqual({ code: 0, signal: null });
      expect(await waitUntilGone([host.pid, ...children])).toEqual([]);
      expect(readFileSync(eventsFile, 'utf8')).toContain('"type":"appTerminate"');
    } finally {
      await host.stop('SIGKILL');
    }
  }, 40_000);

  test('a port in use stops start-up with a clear message, exit code 1, and its Azurite stopped', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = tempDir();
    try {
      const result = await runLocalHostToExit({
        appDir: path.join(fixtures, 'app'),
        args: ['--azurite-ports', '0'],
        env: { ...fixtureEnv('b'), AzureWebJobsStorage: 'UseDevelopmentStorage=true', LOCAL_DATA_DIR: dataDir, PORT: String(port) },
      });
      expect(result.code).toBe(1);
      expect(result.output).toContain(`Cannot start: Port ${port} on 127.0.0.1 is already in use`);
      expect(result.output).not.toMatch(/^\s+at /m);
      expect(await waitUntilGone(processesMentioning(dataDir))).toEqual([]);
    } finally {
      blocker.close();
    }
  }, 40_000);

  test('an app whose entry does not exist is refused with the reason', async () => {
    const appDir = tempDir();
    writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ main: 'dist/src/{index.js,functions/*.js}' }));
    const result = await runLocalHostToExit({ appDir, env: { AzureWebJobsStorage: testStorageConnectionString(), LOCAL_DATA_DIR: path.join(appDir, '.data') } });
    expect(result.code).toBe(1);
    expect(result.output).toContain('Worker was unable to load entry point "dist/src/{index.js,functions/*.js}": Found zero files matching the supplied pattern');
  });
});

describe('HTTP streaming (app.setup({ enableHttpStream: true }))', () => {
  test('responses stream chunk by chunk, request bodies stream in, errors stay JSON; SIGINT exits 0', async () => {
    const dataDir = tempDir();
    const host = await spawnLocalHost({
      appDir: path.join(fixtures, 'stream-app'),
      env: { AzureWebJobsStorage: testStorageConnectionString(), LOCAL_DATA_DIR: dataDir },
    });
    try {
      const base = host.ready.baseUrl;
      const started = Date.now();
      const res = await fetch(`${base}/chunks/3`);
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(res.headers.get('x-ms-invocation-id')).toBeNull();
      const reader = res.body!.getReader();
      const arrivals: number[] = [];
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        arrivals.push(Date.now() - started);
        text += Buffer.from(value).toString();
      }
      expect(text).toBe('chunk0\nchunk1\nchunk2\n');
      expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(250);

      const upload = Buffer.alloc(5 * 1024 * 1024, 7);
      const uploaded = await fetch(`${base}/upload`, { method: 'POST', body: upload, headers: { 'content-type': 'application/octet-stream' } });
      expect(await uploaded.json()).toEqual({ bytes: upload.length, contentType: 'application/octet-stream', forwardedHost: null });

      const failed = await fetch(`${base}/fail`);
      expect(failed.status).toBe(500);
      const failure = (await failed.json()) as { error: { code: string; id: string } };
      expect(failure.error.code).toBe('InternalError');
      expect(host.output()).toContain(failure.error.id);

      expect((await fetch(`${base}/secure`)).status).toBe(401);
      const nothing = await fetch(`${base}/nothing`);
      expect(nothing.status).toBe(200);
      expect(await nothing.text()).toBe('');

      const children = descendantPids(host.pid);
      expect(await host.stop('SIGINT')).toEqual({ code: 0, signal: null });
      expect(await waitUntilGone([host.pid, ...children])).toEqual([]);
    } finally {
      await host.stop('SIGKILL');
    }
  }, 40_000);
});
