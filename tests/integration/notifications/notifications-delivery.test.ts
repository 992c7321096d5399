// The notifications worker's use case against local doubles of Azure Communication Services Email (HMAC-checked,
// driven by the real `@azure/communication-email` client) and NetGSM's REST API, and the local outbox.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPasswordReset } from '../../../src/auth/password-reset';
import { abandonNotification, deliverNotification } from '../../../src/notifications/deliver-notification';
import { addOperator, createAuthTestServices, freshOrigin, type AuthTestServices } from '../../support/auth-test-services';

interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A small HTTP double on a free loopback port; `answer` decides each response. */
async function startDouble(answer: (req: Recorded) => { status: number; headers?: Record<string, string>; body?: unknown }) {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const out = answer(recorded);
      res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { requests, url: `http://127.0.0.1:${port}`, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const accessKey = randomBytes(32).toString('base64');
let acsFailures = 0;
let acs: Awaited<ReturnType<typeof startDouble>>;
let netgsm: Awaited<ReturnType<typeof startDouble>>;
let netgsmCode = '00';
let t: AuthTestServices;

/** Recomputes ACS's HMAC-SHA256 request signature (AZURE.md §4) and refuses a request that does not match. */
function acsSignatureValid(req: Recorded, port: number): boolean {
  const contentHash = createHash('sha256').update(req.body, 'utf8').digest('base64');
  if (req.headers['x-ms-content-sha256'] !== contentHash) return false;
  const stringToSign = `${req.method}\n${req.path}\n${String(req.headers['x-ms-date'])};127.0.0.1:${port};${contentHash}`;
  const signature = createHmac('sha256', Buffer.from(accessKey, 'base64')).update(stringToSign, 'utf8').digest('base64');
  return req.headers['authorization'] === `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`;
}

beforeAll(async () => {
  acs = await startDouble((req) => {
    if (!acsSignatureValid(req, acs.port)) return { status: 401, body: { error: { code: 'Denied', message: 'bad signature' } } };
    if (req.method === 'POST' && req.path.startsWith('/emails:send')) {
      if (acsFailures > 0) {
        acsFailures -= 1;
        return { status: 500, body: { error: { code: 'InternalError', message: 'try later' } } };
      }
      return { status: 202, headers: { 'operation-location': `${acs.url}/emails/operations/op-1?api-version=2025-09-01`, 'retry-after': '0' }, body: { id: 'op-1', status: 'Running' } };
    }
    return { status: 200, body: { id: 'op-1', status: 'Succeeded' } };
  });
  netgsm = await startDouble((req) => {
    const expected = `Basic ${Buffer.from('ustad-user:netgsm-secret-pass').toString('base64')}`;
    if (req.headers['authorization'] !== expected) return { status: 200, body: { code: '30', description: 'invalid credentials' } };
    return netgsmCode === '00' ? { status: 200, body: { code: '00', jobid: '17460001', description: 'queued' } } : { status: 406, body: { code: netgsmCode, description: 'refused' } };
  });
  t = await createAuthTestServices({
    Email__ConnectionString: `endpoint=${acs.url}/;accesskey=${accessKey}`,
    Email__SenderAddress: 'DoNotReply@ustad.example.com',
    Sms__NetGsm__Username: 'ustad-user',
    Sms__NetGsm__Password: 'netgsm-secret-pass',
    Sms__NetGsm__Header: 'USTAD',
    Sms__NetGsm__BaseUrl: netgsm.url,
  });
  await addOperator(t.services, { firmId: 1, userName: 'turkish.mail', password: 'turkish mail passphrase', email: 'tr@example.com' });
  await addOperator(t.services, { firmId: 1, userName: 'english.sms', password: 'english sms passphrase', phone: '905550001122', language: 'en' });
}, 60_000);

afterAll(async () => {
  await t.cleanup();
  await acs.close();
  await netgsm.close();
});

async function pendingFor(recipient: string) {
  return t.services.db.selectFrom('WhatsApp_Notifications').selectAll().where('Recipient', '=', recipient).where('Status', '=', 'pending').execute();
}

describe('notifications', () => {
  it('sends a Turkish reset e-mail through ACS with a valid HMAC signature, once', async () => {
    await requestPasswordReset(t.services, { identifier: { userName: 'turkish.mail' }, channel: 'email', origin: freshOrigin() });
    const [row] = await pendingFor('tr@example.com');
    if (!row) throw new Error('no notification row');
    const outcome = await deliverNotification(t.services, { firmId: 1, notificationId: row.Id });
    expect(outcome).toMatchObject({ status: 'sent', provider: 'acs-email', channel: 'email' });
    const send = acs.requests.find((r) => r.method === 'POST');
    const body = JSON.parse(send?.body ?? '{}') as { senderAddress: string; recipients: { to: { address: string }[] }; content: { subject: string; plainText: string; html: string } };
    expect(body.senderAddress).toBe('DoNotReply@ustad.example.com');
    expect(body.recipients.to[0]?.address).toBe('tr@example.com');
    expect(body.content.subject).toBe('Ustad WhatsApp Gelen Kutusu: parola sıfırlama');
    expect(body.content.plainText).toMatch(/[A-Za-z0-9_-]{43}/);
    const after = await t.services.db.selectFrom('WhatsApp_Notifications').selectAll().where('Id', '=', row.Id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({ Status: 'sent', SecretSealed: null, Provider: 'acs-email', ProviderMessageId: 'op-1', Attempts: 1 });
    const posts = acs.requests.filter((r) => r.method === 'POST').length;
    expect(await deliverNotification(t.services, { firmId: 1, notificationId: row.Id })).toEqual({ status: 'already-done' });
    expect(acs.requests.filter((r) => r.method === 'POST').length).toBe(posts);
  });

  it('sends an English reset code by NetGSM SMS', async () => {
    await requestPasswordReset(t.services, { identifier: { phone: '905550001122' }, channel: 'sms', origin: freshOrigin() });
    const [row] = await pendingFor('905550001122');
    if (!row) throw new Error('no notification row');
    await deliverNotification(t.services, { firmId: 1, notificationId: row.Id });
    const sms = JSON.parse(netgsm.requests.at(-1)?.body ?? '{}') as { msgheader: string; encoding: string; messages: { msg: string; no: string }[] };
    expect(netgsm.requests.at(-1)?.path).toBe('/sms/rest/v2/send');
    expect(sms.msgheader).toBe('USTAD');
    expect(sms.encoding).toBe('TR');
    expect(sms.messages[0]?.no).toBe('905550001122');
    expect(sms.messages[0]?.msg).toMatch(/^Ustad WhatsApp Inbox password reset code: \d{6}\. Valid for 10 minutes\./);
  });

  it('records a provider refusal, lets the queue retry, and gives up cleanly on the last try', async () => {
    await requestPasswordReset(t.services, { identifier: { userName: 'english.sms' }, channel: 'sms', origin: freshOrigin() }).catch(() => undefined);
    t.clock.advance(2 * 3_600_000);
    await requestPasswordReset(t.services, { identifier: { userName: 'english.sms' }, channel: 'sms', origin: freshOrigin() });
    const rows = await pendingFor('905550001122');
    const row = rows.at(-1);
    if (!row) throw new Error('no notification row');
    netgsmCode = '40';
    await expect(deliverNotification(t.services, { firmId: 1, notificationId: row.Id })).rejects.toThrow(/code 40 \(sender name/);
    const failed = await t.services.db.selectFrom('WhatsApp_Notifications').selectAll().where('Id', '=', row.Id).executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ Status: 'pending', Attempts: 1 });
    expect(failed.LastError).toContain('netgsm-sms: NetGSM refused the SMS: code 40');
    expect(failed.LastError).not.toContain('netgsm-secret-pass');
    expect(await abandonNotification(t.services, { firmId: 1, notificationId: row.Id })).toBe(true);
    const given = await t.services.db.selectFrom('WhatsApp_Notifications').selectAll().where('Id', '=', row.Id).executeTakeFirstOrThrow();
    expect(given).toMatchObject({ Status: 'failed', SecretSealed: null });
    netgsmCode = '00';
  });

  it('retries an ACS failure: the second attempt sends', async () => {
    t.clock.advance(2 * 3_600_000);
    await requestPasswordReset(t.services, { identifier: { email: 'TR@example.com' }, channel: 'email', origin: freshOrigin() });
    const row = (await pendingFor('tr@example.com')).at(-1);
    if (!row) throw new Error('no notification row');
    acsFailures = 5;
    await expect(deliverNotification(t.services, { firmId: 1, notificationId: row.Id })).rejects.toThrow();
    acsFailures = 0;
    expect(await deliverNotification(t.services, { firmId: 1, notificationId: row.Id })).toMatchObject({ status: 'sent' });
  }, 60_000);

  it('writes to the local outbox when no provider is configured, and finds nothing for another firm', async () => {
    const local = await createAuthTestServices();
    try {
      await addOperator(local.services, { firmId: 1, userName: 'outbox.user', password: 'outbox user passphrase', email: 'outbox@example.com', language: 'en' });
      await requestPasswordReset(local.services, { identifier: { userName: 'outbox.user' }, channel: 'email', origin: freshOrigin() });
      const row = await local.services.db.selectFrom('WhatsApp_Notifications').selectAll().executeTakeFirstOrThrow();
      expect(await deliverNotification(local.services, { firmId: 2, notificationId: row.Id })).toEqual({ status: 'not-found' });
      const outcome = await deliverNotification(local.services, { firmId: 1, notificationId: row.Id });
      if (outcome.status !== 'sent' || !outcome.receipt.outboxPath) throw new Error('expected an outbox file');
      const mail = JSON.parse(readFileSync(outcome.receipt.outboxPath, 'utf8')) as { to: string; subject: string; text: string };
      expect(outcome.receipt.outboxPath.startsWith(local.dataDir)).toBe(true);
      expect(mail).toMatchObject({ to: 'outbox@example.com', subject: 'Ustad WhatsApp Inbox: reset your password' });
      expect(mail.text).toContain('expires in 60 minutes');
    } finally {
      await local.cleanup();
    }
  });
});
