// Channel health reaches the firm's admins: a refused token (Graph 190) e-mails each active Admin with an address once
// per incident, through the app's own notifications worker into the local outbox; GET /api/admin/phone-numbers shows
// the state to the firm's admins only. Runs on the test stack: every function of the app, with its own Azurite for the notifications worker.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { outboxDirectory } from '../../../src/notifications/notification-senders';
import { raiseChannelHealthAlert } from '../../../src/outbound/channel-health';
import { createServices, type Services } from '../../../src/services';
import { PHONES, startTestStack, type StackOperator, type TestStack } from '../../support/test-stack';
import { waitUntil } from '../../support/wait-until';

interface OutboxMail {
  readonly channel: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

let stack: TestStack;
let services: Services;
let outbox: string;
let turkishAdmin: StackOperator;
let englishAdmin: StackOperator;
let agent: StackOperator;
let otherFirmAdmin: StackOperator;

async function patchOperator(admin: StackOperator, target: StackOperator, json: Record<string, unknown>): Promise<void> {
  const answer = await stack.api(`/admin/operators/${target.id}`, { method: 'PATCH', token: admin.accessToken, json });
  expect(answer.status, answer.text).toBe(200);
}

function outboxMails(): OutboxMail[] {
  if (!existsSync(outbox)) return [];
  return readdirSync(outbox)
    .filter((file) => file.includes('-email-'))
    .map((file) => JSON.parse(readFileSync(path.join(outbox, file), 'utf8')) as OutboxMail);
}

const alertRows = () => stack.database.db.selectFrom('WhatsApp_Notifications').selectAll().where('Kind', '=', 'channel-health-alert').execute();

beforeAll(async () => {
  stack = await startTestStack();
  services = await createServices(loadConfig(process.env));
  outbox = outboxDirectory(services.config);
  let retiredAdmin: StackOperator;
  [turkishAdmin, englishAdmin, retiredAdmin, agent, otherFirmAdmin] = await stack.createOperators(
    [1, 'Admin', 'Turkish Admin'],
    [1, 'Admin', 'English Admin'],
    [1, 'Admin', 'Retired Admin'],
    [1, 'Agent', 'Mailed Agent'],
    [2, 'Admin', 'Other Firm Admin'],
  );
  await patchOperator(turkishAdmin, turkishAdmin, { email: 'tr.admin@example.com' });
  await patchOperator(turkishAdmin, englishAdmin, { email: 'en.admin@example.com', language: 'en' });
  await patchOperator(turkishAdmin, retiredAdmin, { email: 'retired.admin@example.com', isActive: false });
  await patchOperator(turkishAdmin, agent, { email: 'agent@example.com' });
  await patchOperator(otherFirmAdmin, otherFirmAdmin, { email: 'firm2.admin@example.com' });
  // The bootstrap admin of firm 1 has no e-mail address: it gets nothing.
  await stack.database.db.updateTable('WhatsApp_PhoneNumbers').set({ DisplayPhoneNumber: PHONES[1].displayPhoneNumber }).where('PhoneNumberId', '=', PHONES[1].phoneNumberId).execute();
}, 90_000);

afterAll(async () => {
  await services?.close();
  await stack?.stop();
});

describe('channel-health alert e-mails', () => {
  it('e-mails each active admin with an address once when the token is refused, and not again while it stays refused', async () => {
    const input = { firmId: 1, phoneNumberId: PHONES[1].phoneNumberId, code: 190, messageId: 'first-failed-message' };
    expect(await raiseChannelHealthAlert(services.db, input, services.clock.now(), services)).toBe(true);
    // A row is marked sent after its outbox file is complete.
    await waitUntil('two alert e-mails sent', async () => (await alertRows()).filter((row) => row.Status === 'sent').length >= 2);

    const mails = outboxMails();
    expect(mails.map((m) => m.to).sort()).toEqual(['en.admin@example.com', 'tr.admin@example.com']);
    const turkish = mails.find((m) => m.to === 'tr.admin@example.com');
    const english = mails.find((m) => m.to === 'en.admin@example.com');
    expect(turkish?.subject).toBe(`Ustad WhatsApp Gelen Kutusu: +${PHONES[1].displayPhoneNumber} WhatsApp numarası mesaj gönderemiyor`);
    expect(turkish?.text).toContain(`telefon numarası kimliği ${PHONES[1].phoneNumberId}`);
    expect(turkish?.text).toContain('Graph API hata kodu 190');
    expect(turkish?.text).toContain('erişim anahtarını yenileyin');
    expect(english?.subject).toBe(`Ustad WhatsApp Inbox: WhatsApp number +${PHONES[1].displayPhoneNumber} cannot send messages`);
    expect(english?.text).toContain('Graph API error code 190');
    expect(english?.text).toContain('renew the access token');
    expect((await alertRows()).map((r) => r.Status)).toEqual(['sent', 'sent']);

    // A second 190 in the same incident: no new notification, no new e-mail, no second audit row.
    expect(await raiseChannelHealthAlert(services.db, { ...input, messageId: 'second-failed-message' }, services.clock.now(), services)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await alertRows()).toHaveLength(2);
    expect(outboxMails()).toHaveLength(2);
    const audits = await stack.database.db.selectFrom('WhatsApp_AuditLogs').select('FirmId').where('Action', '=', 'channel.health.alert').execute();
    expect(audits).toEqual([{ FirmId: 1 }]);
    console.log('channel health: 1 incident → 2 e-mails (2 active admins with an address), 0 to the agent, the retired admin, the admin without e-mail and firm 2');
  });
});

describe('GET /api/admin/phone-numbers', () => {
  it("shows the firm's own numbers and their health to its admins only", async () => {
    const mine = await stack.api('/admin/phone-numbers', { token: turkishAdmin.accessToken });
    expect(mine.status, mine.text).toBe(200);
    const items = (mine.body as { items: Record<string, unknown>[] }).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      phoneNumberId: PHONES[1].phoneNumberId,
      displayPhoneNumber: PHONES[1].displayPhoneNumber,
      healthState: 'token-invalid',
      healthErrorCode: 190,
      messagesPerSecond: 80,
    });
    expect(Date.parse(String(items[0]?.['healthChangedAt']))).toBeGreaterThan(Date.now() - 60_000);
    expect(mine.text).not.toContain(PHONES[2].phoneNumberId);

    const theirs = await stack.api('/admin/phone-numbers', { token: otherFirmAdmin.accessToken });
    expect(theirs.status).toBe(200);
    expect((theirs.body as { items: unknown[] }).items).toEqual([expect.objectContaining({ phoneNumberId: PHONES[2].phoneNumberId, healthState: 'ok', healthErrorCode: null, healthChangedAt: null })]);
    expect(theirs.text).not.toContain(PHONES[1].phoneNumberId);

    const refused = await stack.api('/admin/phone-numbers', { token: agent.accessToken });
    expect(refused.status).toBe(403);
    expect((refused.body as { error: { code: string } }).error.code).toBe('Forbidden');
    expect((await stack.api('/admin/phone-numbers')).status).toBe(401);
  });
});
