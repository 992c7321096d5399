// GET /api/health's report: each dependency probed on its own, so an outage names itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../../src/health/check-health';
import { createStorageClients } from '../../../src/storage/storage-clients';
import { createTestDatabase } from '../../support/test-database';
import { testStorageConnectionString } from '../../support/test-storage';
import { loadConfig } from '../../../src/config';
import type { Services } from '../../../src/services';
import { systemClock } from '../../../src/shared/clock';

let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.cleanup();
});

describe('checkHealth', () => {
  it('is healthy with every dependency up, and reports parked poison messages per queue', async () => {
    const storage = createStorageClients({ kind: 'connectionString', connectionString: testStorageConnectionString() });
    const poison = storage.queues.getQueueClient('media-downloads-poison');
    await poison.createIfNotExists();
    await poison.clearMessages();
    await poison.sendMessage(Buffer.from('{"firmId":1,"messageId":"x"}').toString('base64'));
    const services = { db: database.db, dialect: 'sqlite', storage, clock: systemClock, config: loadConfig({ Jwt__Key: 'k'.repeat(48) }) } as unknown as Services;
    const report = await checkHealth({ version: '1.2.3', services, startupError: undefined, storage });
    expect(report.status).toBe('healthy');
    expect(report.version).toBe('1.2.3');
    expect(Object.keys(report.dependencies).sort()).toEqual(['blobs', 'database', 'queues', 'tables']);
    expect(report.dependencies.queues).toMatchObject({ status: 'up', detail: { poisoned: { 'media-downloads': 1 } } });
    await poison.clearMessages();
  });

  it('is unhealthy naming the database when the app could not start, and storage when it does not answer', async () => {
    const deadStorage = createStorageClients({
      kind: 'connectionString',
      connectionString:
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;',
    });
    const report = await checkHealth({ version: '1.2.3', services: undefined, startupError: 'Database migrations could not run: connect ECONNREFUSED', storage: deadStorage });
    expect(report.status).toBe('unhealthy');
    expect(report.dependencies.database).toMatchObject({ status: 'down', error: expect.stringContaining('ECONNREFUSED') });
    for (const name of ['queues', 'tables', 'blobs']) expect(report.dependencies[name]?.status, name).toBe('down');
    expect(JSON.stringify(report)).not.toContain('Eby8vdM02x'); // no account key in the report
  });
});
