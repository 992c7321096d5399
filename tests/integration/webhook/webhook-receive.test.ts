// receiveWebhook / replayInboundWebhook against a real SQLite file and Azurite: several firms' secrets, large kept bodies.
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config';
import { startAzurite, type RunningAzurite } from '../../../src/devhost/azurite';
import { systemClock } from '../../../src/shared/clock';
import { noopRealtimePublisher } from '../../../src/realtime/realtime-publisher';
import { openFirmSecret, sealFirmSecret } from '../../../src/firms/firm-secrets';
import { keepForReplay } from '../../../src/webhook/inbound-webhook-queue';
import { receiveWebhook, replayInboundWebhook, verifyWebhookSubscription, type WebhookServices } from '../../../src/webhook/receive-webhook';
import { signWebhookBody } from '../../../src/webhook/verify-signature';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { messagesBody, seedFirm, textMessage } from '../../support/webhook-fixtures';

let database: TestDatabase;
// Its own Azurite: other suites run hosts whose replay trigger would take messages off a shared `inbound-webhooks`.
let azurite: RunningAzurite;
let services: WebhookServices;
let config: Config;
const log = { warn: () => {}, error: () => {} };

beforeAll(async () => {
  database = await createTestDatabase();
  config = loadConfig({ Jwt__Key: 'webhook-receive-test-jwt-key-0123456789', WhatsApp__AppSecret: 'default-firm-app-secret-123', WhatsApp__VerifyToken: 'default-verify-token', WhatsApp__PhoneNumberId: '111111111111111' });
  azurite = await startAzurite({ inMemory: true, ports: { blob: 0, queue: 0, table: 0 } });
  const storage = azurite.connectionString;
  services = {
    db: database.db,
    config,
    clock: systemClock,
    realtime: noopRealtimePublisher,
    storage: { queues: QueueServiceClient.fromConnectionString(storage), blobs: BlobServiceClient.fromConnectionString(storage) },
  };
  await seedFirm(database.db, 1, ['111111111111111']);
});
afterAll(async () => {
  await database?.cleanup();
  await azurite?.stop();
});

describe('several firms, several Meta apps', () => {
  it('accepts a signature made with any firm’s sealed app secret, including a firm added a moment ago', async () => {
    const body = Buffer.from(messagesBody('222222222222222', { contacts: [{ wa_id: '905550002222' }], messages: [textMessage('wamid.firm2-1', '905550002222', 'merhaba', 1750000000)] }));
    expect((await receiveWebhook(services, { rawBody: body, signatureHeader: signWebhookBody(body, 'second-app-secret-456') }, log)).status).toBe(401);

    await seedFirm(database.db, 2, ['222222222222222']);
    await database.db
      .updateTable('WhatsApp_FirmSettings')
      .set({ AppSecretEncrypted: sealFirmSecret(config, 2, 'AppSecret', 'second-app-secret-456'), VerifyTokenEncrypted: sealFirmSecret(config, 2, 'VerifyToken', 'second-verify-token') })
      .where('FirmId', '=', 2)
      .execute();
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await receiveWebhook(services, { rawBody: body, signatureHeader: signWebhookBody(body, 'second-app-secret-456') }, log)).status).toBe(200);
    expect((await receiveWebhook(services, { rawBody: body, signatureHeader: signWebhookBody(body, 'default-firm-app-secret-123') }, log)).status).toBe(200);
    const stored = await database.db.selectFrom('WhatsApp_Messages').select(['FirmId', 'Text']).where('WhatsAppMessageId', '=', 'wamid.firm2-1').execute();
    expect(stored).toEqual([{ FirmId: 2, Text: 'merhaba' }]);

    for (const token of ['default-verify-token', 'second-verify-token']) {
      expect(await verifyWebhookSubscription(services, { mode: 'subscribe', verifyToken: token, challenge: '42' }, log)).toEqual({ status: 200, text: '42' });
    }
    expect((await verifyWebhookSubscription(services, { mode: 'subscribe', verifyToken: 'nope', challenge: '42' }, log)).status).toBe(403);
  });

  it('seals secrets to their firm and column', () => {
    const sealed = sealFirmSecret(config, 3, 'AppSecret', 'value');
    expect(openFirmSecret(config, 3, 'AppSecret', sealed)).toBe('value');
    expect(() => openFirmSecret(config, 4, 'AppSecret', sealed)).toThrow();
    expect(() => openFirmSecret(config, 3, 'VerifyToken', sealed)).toThrow();
  });
});

describe('bodies kept for replay', () => {
  it('keeps a body too large for a queue message in a blob and replays it from there, once', async () => {
    const messages = Array.from({ length: 400 }, (_, i) => textMessage(`wamid.large-${i}`, '905550003333', `uzun bir mesaj ${'x'.repeat(200)} ${i}`, 1750000000 + i));
    const text = messagesBody('111111111111111', { contacts: [{ wa_id: '905550003333' }], messages });
    expect(Buffer.byteLength(text)).toBeGreaterThan(64 * 1024);
    const queue = services.storage.queues.getQueueClient('inbound-webhooks');
    await queue.createIfNotExists();
    await queue.clearMessages();
    await keepForReplay(services.storage, text, new Date('2026-06-01T00:00:00Z'));
    const [received] = (await queue.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems;
    expect(received).toBeDefined();
    const payload = JSON.parse(Buffer.from(received!.messageText, 'base64').toString('utf8')) as { receivedAt: string; bodyBlob: string };
    expect(payload).not.toHaveProperty('body');
    expect(payload.bodyBlob).toMatch(/^2026-06-01\//);
    await replayInboundWebhook(services, payload, log);
    // A redelivery after the blob was cleaned up is a finished job, not a failure (no poison-queue alarm).
    await replayInboundWebhook(services, payload, log);
    const count = await database.db.selectFrom('WhatsApp_Messages').select((eb) => eb.fn.countAll<number>().as('n')).where('WhatsAppMessageId', 'like', 'wamid.large-%').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(400);
    const blob = services.storage.blobs.getContainerClient('inbound-webhooks').getBlockBlobClient(payload.bodyBlob);
    expect(await blob.exists()).toBe(false);
    await queue.deleteMessage(received!.messageId, received!.popReceipt);
  });
});
