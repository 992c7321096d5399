// scripts/simulate.ts in-process against a real simulator and a real signed-webhook receiver, plus the /_sim control API.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runSimulateCli } from '../../../scripts/simulate';
import type { GraphSimulator } from '../../../src/devhost/graph-simulator/graph-simulator';
import { accessToken, appSecret, graphGet, graphPost, phone, signatureVerifies, startSimulator, startWebhookReceiver, type WebhookReceiver } from './harness';

type Envelope = { entry: Array<{ changes: Array<{ value: { metadata: Record<string, string>; messages?: Array<Record<string, unknown>>; statuses?: Array<Record<string, unknown>> } }> }> };

let sim: GraphSimulator;
let receiver: WebhookReceiver;
let cwd: string;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  sim = await startSimulator({ webhookUrl: receiver.url, statuses: { auto: false } });
  cwd = mkdtempSync(path.join(tmpdir(), 'simulate-cli-'));
  mkdirSync(path.join(cwd, '.data'));
  writeFileSync(path.join(cwd, '.data', 'local-secrets.json'), JSON.stringify({ WhatsApp__AppSecret: appSecret }));
});
beforeEach(() => {
  receiver.hooks.length = 0;
});
afterAll(async () => {
  await sim.stop();
  await receiver.stop();
  rmSync(cwd, { recursive: true, force: true });
});

async function cli(args: string[], env: NodeJS.ProcessEnv = { GraphSimulator__Url: sim.baseUrl }, dir = cwd): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSimulateCli(args, { cwd: dir, env, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run simulate -- inbound', () => {
  it('posts a signed text message for the simulator’s business number', async () => {
    const run = await cli(['inbound', '--from', '905551234567', '--name', 'Ayşe', '--text', 'Merhaba', '--app', receiver.url]);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain('200');
    const [hook] = await receiver.waitFor(1);
    expect(signatureVerifies(hook!)).toBe(true);
    const value = (hook!.json as Envelope).entry[0]?.changes[0]?.value;
    expect(value?.metadata).toEqual({ display_phone_number: phone.displayPhoneNumber, phone_number_id: phone.phoneNumberId });
    expect(value?.messages?.[0]).toMatchObject({ from: '905551234567', type: 'text', text: { body: 'Merhaba' } });
  });

  it('registers an image with the simulator so the app can fetch it', async () => {
    const file = path.join(cwd, 'photo.jpg');
    const bytes = randomBytes(1024);
    writeFileSync(file, bytes);
    const run = await cli(['inbound', '--from', '905551234567', '--image', file, '--caption', 'Ödev', '--app', receiver.url]);
    expect(run.code).toBe(0);
    const [hook] = await receiver.waitFor(1);
    const image = (hook!.json as Envelope).entry[0]?.changes[0]?.value.messages?.[0]?.image as { id: string; mime_type: string; caption: string };
    expect(image).toMatchObject({ mime_type: 'image/jpeg', caption: 'Ödev' });
    const meta = (await graphGet(sim, `/v21.0/${image.id}`)).json as { url: string };
    const downloaded = Buffer.from(await (await fetch(meta.url, { headers: { Authorization: `Bearer ${accessToken}` } })).arrayBuffer());
    expect(downloaded.equals(bytes)).toBe(true);
  });

  it('reads the secret from the environment first, then local.settings.json', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'simulate-cli-'));
    try {
      writeFileSync(path.join(other, 'local.settings.json'), JSON.stringify({ Values: { WhatsApp__AppSecret: 'from-settings', GraphSimulator__Url: sim.baseUrl } }));
      await cli(['inbound', '--from', '905551234567', '--text', 'a', '--app', receiver.url], {}, other);
      await cli(['inbound', '--from', '905551234567', '--text', 'b', '--app', receiver.url], { WhatsApp__AppSecret: 'from-env' }, other);
      const hooks = await receiver.waitFor(2);
      expect(signatureVerifies(hooks[0]!, 'from-settings')).toBe(true);
      expect(signatureVerifies(hooks[1]!, 'from-env')).toBe(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('says what is missing instead of failing obscurely', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'simulate-cli-'));
    try {
      const noSecret = await cli(['inbound', '--from', '1', '--text', 'x'], {}, empty);
      expect(noSecret).toMatchObject({ code: 1 });
      expect(noSecret.err).toContain('WhatsApp__AppSecret');
      const noSimulator = await cli(['inbound', '--from', '1', '--image', 'x.jpg'], { WhatsApp__AppSecret: 's', GraphSimulator__Url: 'http://127.0.0.1:9' }, empty);
      expect(noSimulator.err).toContain('No Graph simulator answers at http://127.0.0.1:9');
      expect((await cli(['bogus'])).code).toBe(2);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('control commands', () => {
  it('fault, faults, received and status drive the running simulator', async () => {
    const injected = await cli(['fault', '--code', '131047', '--to', '905551234567', '--times', '1']);
    expect(injected.code).toBe(0);
    const body = { messaging_product: 'whatsapp', to: '905551234567', type: 'text', text: { body: 'x' } };
    expect((await graphPost(sim, `/v21.0/${phone.phoneNumberId}/messages`, body)).json).toMatchObject({ error: { code: 131047 } });
    const ok = await graphPost(sim, `/v21.0/${phone.phoneNumberId}/messages`, body);
    const id = (ok.json as { messages: Array<{ id: string }> }).messages[0]?.id ?? '';
    const listed = JSON.parse((await cli(['faults'])).out) as { data: unknown[] };
    expect(listed.data).toHaveLength(1);
    expect(JSON.parse((await cli(['faults', '--clear'])).out)).toEqual({ success: true });
    expect(sim.faults()).toHaveLength(0);

    const received = JSON.parse((await cli(['received'])).out) as { data: Array<{ acceptedMessageId?: string }> };
    expect(received.data.some((r) => r.acceptedMessageId === id)).toBe(true);

    expect((await cli(['status', '--id', id, '--status', 'read'])).code).toBe(0);
    const [hook] = await receiver.waitFor(1);
    expect((hook!.json as Envelope).entry[0]?.changes[0]?.value.statuses?.[0]).toMatchObject({ id, status: 'read', recipient_id: '905551234567' });
  });

  it('the control API answers 400 naming the field for a bad body, 404 for unknown routes', async () => {
    const bad = await fetch(`${sim.baseUrl}/_sim/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: { kind: 'error' } }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('action.code');
    expect((await fetch(`${sim.baseUrl}/_sim/nothing`)).status).toBe(404);
    const inbound = await fetch(`${sim.baseUrl}/_sim/inbound`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: '905551234567', document: { base64: Buffer.from('%PDF').toString('base64'), mimeType: 'application/pdf', filename: 'kayit.pdf' } }),
    });
    expect(inbound.status).toBe(200);
    const result = (await inbound.json()) as { messageId: string; mediaId: string; delivery: { outcome: string } };
    expect(result.delivery.outcome).toBe('delivered');
    expect(sim.media(result.mediaId)).toMatchObject({ mimeType: 'application/pdf', filename: 'kayit.pdf', fileSize: 4 });
  });
});
