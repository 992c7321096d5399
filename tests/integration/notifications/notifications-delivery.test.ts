// The notifications worker's use case against local doubles of Azure Communication Services Email (HMAC-checked,
// driven by the real `@azure/communication-email` client) and NetGSM's REST API, and the local outbox.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPasswordReset } from '../../../src/auth/password-reset';
import type { OperatorRow } from '../../../src/db/tables';
import { createNotification, type NotificationRequest } from '../../../src/notifications/create-notification';
import { abandonNotification, deliverNotification } from '../../../src/notifications/deliver-notification';
import { insertNotification } from '../../../src/notifications/notification.queries';
import { outboxDirectory } from '../../../src/notifications/notification-senders';
import { newId } from '../../../src/shared/ids';
import { sealSecret } from '../../../src/shared/secret-box';
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

describe('notification rows and their kinds (local outbox)', () => {
  let local: AuthTestServices;
  let mailUser: OperatorRow;
  let smsUser: OperatorRow;
  // Far from the fake clock's "now", so a time made up at send time would show.
  const at = new Date('2031-02-03T04:05:06.789Z');

  beforeAll(async () => {
    local = await createAuthTestServices();
    mailUser = await addOperator(local.services, { firmId: 1, userName: 'kinds.mail', password: 'kinds mail passphrase', email: 'kinds@example.com', language: 'en' });
    smsUser = await addOperator(local.services, { firmId: 1, userName: 'kinds.sms', password: 'kinds sms passphrase', phone: '905550009988', language: 'en' });
  }, 60_000);

  afterAll(async () => {
    await local.cleanup();
  });

  /** The outbox files written for one notification. */
  function outboxFilesFor(notificationId: string): string[] {
    const directory = outboxDirectory(local.services.config);
    let names: string[];
    try {
      names = readdirSync(directory);
    } catch {
      return [];
    }
    return names.filter((name) => name.includes(notificationId)).map((name) => `${directory}/${name}`);
  }

  async function createAndDeliver(operator: OperatorRow, request: NotificationRequest) {
    const pending = await createNotification(local.services, local.services.db, operator, request, local.clock.now());
    const outcome = await deliverNotification(local.services, pending);
    if (outcome.status !== 'sent' || !outcome.receipt.outboxPath) throw new Error('expected an outbox file');
    expect(outcome).toMatchObject({ kind: request.kind, channel: request.channel, provider: 'local-outbox' });
    expect(outboxFilesFor(pending.notificationId)).toEqual([outcome.receipt.outboxPath]);
    return JSON.parse(readFileSync(outcome.receipt.outboxPath, 'utf8')) as { to: string; subject?: string; text: string };
  }

  it('sends a reset link with its own expiry and token', async () => {
    const token = 'kinds-link-token-0123456789abcdefghijklmnopqrs';
    const mail = await createAndDeliver(mailUser, { kind: 'password-reset-link', channel: 'email', token, expiresMinutes: 45 });
    expect(mail).toMatchObject({ to: 'kinds@example.com', subject: 'Ustad WhatsApp Inbox: reset your password' });
    expect(mail.text).toContain(token);
    expect(mail.text).toContain('expires in 45 minutes');
  });

  it('sends a reset code with its own expiry and code', async () => {
    const sms = await createAndDeliver(smsUser, { kind: 'password-reset-code', channel: 'sms', code: '314159', expiresMinutes: 9 });
    expect(sms).toMatchObject({ to: '905550009988', text: expect.stringMatching(/^Ustad WhatsApp Inbox password reset code: 314159\. Valid for 9 minutes\./) as unknown });
  });

  it('sends "password changed" with the stored time and how, by e-mail and by SMS', async () => {
    const mail = await createAndDeliver(mailUser, { kind: 'password-changed', channel: 'email', at, how: 'reset' });
    expect(mail.subject).toBe('Ustad WhatsApp Inbox: your password was changed');
    expect(mail.text).toContain('was reset at 2031-02-03 04:05 UTC');
    const changed = await createAndDeliver(mailUser, { kind: 'password-changed', channel: 'email', at, how: 'change' });
    expect(changed.text).toContain('was changed at 2031-02-03 04:05 UTC');
    const sms = await createAndDeliver(smsUser, { kind: 'password-changed', channel: 'sms', at, how: 'change' });
    expect(sms.text).toContain('your password was changed at 2031-02-03 04:05 UTC');
  });

  it('sends a channel-health alert with its number, time and Graph code', async () => {
    const request = { kind: 'channel-health-alert', channel: 'email', at, phoneNumberId: '1098765432', displayPhoneNumber: '905551234567', graphErrorCode: 190 } as const;
    const mail = await createAndDeliver(mailUser, request);
    expect(mail.subject).toBe('Ustad WhatsApp Inbox: WhatsApp number +905551234567 cannot send messages');
    expect(mail.text).toContain('(phone number id 1098765432) at 2031-02-03 04:05 UTC, with Graph API error code 190');
    const unknown = await createAndDeliver(mailUser, { ...request, displayPhoneNumber: null, graphErrorCode: null });
    expect(unknown.subject).toBe('Ustad WhatsApp Inbox: WhatsApp number 1098765432 cannot send messages');
    expect(unknown.text).toContain('with Graph API error code unknown');
  });

  /** A row the current writer would never make, inserted as it might sit in the table. */
  async function insertRow(operator: OperatorRow, fields: { kind: string; channel: 'email' | 'sms'; dataJson: string | null; secret?: string }) {
    const now = local.clock.now();
    const id = newId(now.getTime());
    await insertNotification(local.services.db, {
      Id: id,
      FirmId: operator.FirmId,
      OperatorId: operator.Id,
      Kind: fields.kind,
      Channel: fields.channel,
      Recipient: fields.channel === 'email' ? (operator.Email ?? '') : (operator.Phone ?? ''),
      RecipientName: operator.FullName,
      Language: 'en',
      DataJson: fields.dataJson,
      SecretSealed: fields.secret === undefined ? null : sealSecret(local.services.config, 'ustad-notification-secret-v1', fields.secret, id),
      CreatedAt: now,
      UpdatedAt: now,
    });
    return { firmId: operator.FirmId, notificationId: id };
  }

  /** What `notifications-send` does with each try: deliver; on the last failed try (dequeue count 5) abandon. */
  async function runLikeTheWorker(payload: { firmId: number; notificationId: string }): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (let dequeueCount = 1; dequeueCount <= 5; dequeueCount += 1) {
      try {
        await deliverNotification(local.services, payload);
        return errors;
      } catch (error) {
        errors.push(error);
        if (dequeueCount === 5) await abandonNotification(local.services, payload);
      }
    }
    return errors;
  }

  async function rowOf(notificationId: string) {
    return local.services.db.selectFrom('WhatsApp_Notifications').selectAll().where('Id', '=', notificationId).executeTakeFirstOrThrow();
  }

  it.each([
    ['a "password changed" without its time', { kind: 'password-changed', channel: 'email', dataJson: '{"how":"change"}' }, /invalid notification: notification of kind password-changed does not fit its schema: data\.at: /],
    ['a "password changed" with no data at all', { kind: 'password-changed', channel: 'sms', dataJson: null }, /invalid notification: .*data: Invalid input: expected object/],
    ['a reset code whose expiry is a string', { kind: 'password-reset-code', channel: 'sms', dataJson: '{"expiresMinutes":"10"}', secret: '271828' }, /invalid notification: .*data\.expiresMinutes: Invalid input: expected number, received string/],
    ['a reset link sent by SMS', { kind: 'password-reset-link', channel: 'sms', dataJson: '{"expiresMinutes":60}', secret: 'kinds-wrong-channel-token' }, /invalid notification: .*channel: Invalid input: expected "email"/],
    ['a health alert without its phone number id', { kind: 'channel-health-alert', channel: 'email', dataJson: '{"at":"2031-02-03T04:05:06.789Z","displayPhoneNumber":null,"graphErrorCode":190}' }, /invalid notification: .*data\.phoneNumberId: /],
    ['an unknown kind', { kind: 'password-expired', channel: 'email', dataJson: '{"at":"2031-02-03T04:05:06.789Z"}' }, /^invalid notification: unknown notification kind "password-expired"$/],
  ] as const)('does not send %s: each try is recorded, the last marks the row failed', async (_name, fields, lastError) => {
    const operator = fields.channel === 'sms' ? smsUser : mailUser;
    const payload = await insertRow(operator, fields);
    const first = await deliverNotification(local.services, payload).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(first).toBeInstanceOf(Error);
    const afterFirst = await rowOf(payload.notificationId);
    expect(afterFirst).toMatchObject({ Status: 'pending', Attempts: 1, SentAt: null, Provider: null });
    expect(afterFirst.LastError).toMatch(lastError);
    if ('secret' in fields) expect(afterFirst.LastError).not.toContain(fields.secret);
    expect(afterFirst.SecretSealed === null).toBe(!('secret' in fields));

    const errors = await runLikeTheWorker(payload);
    expect(errors).toHaveLength(5);
    const given = await rowOf(payload.notificationId);
    expect(given).toMatchObject({ Status: 'failed', SecretSealed: null, Attempts: 6, SentAt: null, Provider: null });
    expect(given.LastError).toMatch(lastError);
    expect(outboxFilesFor(payload.notificationId)).toEqual([]);
    expect(await deliverNotification(local.services, payload)).toEqual({ status: 'already-done' });
  });
});
