// The presence sweep: a connection whose `disconnected` never came is closed once Web PubSub no longer has it;
// a live connection (a real WebPubSubClient on the emulator) stays, and a young row is left alone. The sweep reads
// the whole presence table, so this file has an Azurite of its own (the shared one holds other files' connections).
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../src/devhost/azurite';
import { startWebPubSubEmulator, type WebPubSubEmulator } from '../../../src/devhost/web-pubsub-emulator';
import { recordConnection } from '../../../src/presence/record-connection';
import { listOnlineOperators } from '../../../src/presence/list-online-operators';
import { PRESENCE_SWEEP_MIN_AGE_MS, sweepPresence } from '../../../src/presence/sweep-presence';
import type { RealtimeEvent } from '../../../src/realtime/realtime-publisher';
import { realtimeUserId } from '../../../src/realtime/realtime-identity';
import { webPubSubConnection } from '../../../src/realtime/web-pubsub-service';
import { addOperator, createAuthTestServices, type AuthTestServices } from '../../support/auth-test-services';

let emulator: WebPubSubEmulator;
let azurite: RunningAzurite;
let t: AuthTestServices;
const published: RealtimeEvent[] = [];
const silent = { warn: () => {} };

beforeAll(async () => {
  emulator = await startWebPubSubEmulator();
  azurite = await startAzurite({ inMemory: true, ports: { blob: 0, queue: 0, table: 0 } });
  t = await createAuthTestServices({ WebPubSubConnectionString: emulator.connectionString, WebPubSub__Hub: 'presencesweep', AzureWebJobsStorage: azurite.connectionString });
}, 60_000);

afterAll(async () => {
  await t?.cleanup();
  await emulator?.stop();
  await azurite?.stop();
});

describe('presence sweep', () => {
  it('closes connections the service no longer has, keeps live and young ones', async () => {
    const { clock } = t;
    const services = { ...t.services, realtime: { publish: async (events: readonly RealtimeEvent[]) => void published.push(...events) } };
    const firmId = services.config.bootstrap.firmId;
    const agent = (userName: string) => addOperator(t.services, { firmId, userName, password: 'sweep test passphrase 42' }).then((row) => ({ id: row.Id }));
    const lost = await agent('sweep.lost');
    const live = await agent('sweep.live');
    const young = await agent('sweep.young');

    // A real connection for `live`, through Microsoft's client, with the user id the app gives it.
    const connection = webPubSubConnection(services.config.webPubSub);
    if (!connection) throw new Error('no Web PubSub');
    const client = new WebPubSubClient({ getClientAccessUrl: async () => (await connection.client.getClientAccessToken({ userId: realtimeUserId(firmId, live.id) })).url });
    const connected = new Promise<string>((resolve) => client.on('connected', (e) => resolve(e.connectionId)));
    await client.start();
    const liveConnectionId = await connected;

    await recordConnection(services, { firmId, operatorId: lost.id }, 'gone-connection-id/with+odd=chars', 'connected');
    await recordConnection(services, { firmId, operatorId: live.id }, liveConnectionId, 'connected');
    clock.advance(PRESENCE_SWEEP_MIN_AGE_MS + 1000);
    await recordConnection(services, { firmId, operatorId: young.id }, 'young-connection-id', 'connected');
    const before = (await listOnlineOperators(services, firmId)).operators.map((o) => o.id);
    expect(before).toEqual(expect.arrayContaining([lost.id, live.id, young.id]));
    published.length = 0;

    const result = await sweepPresence(services, silent);
    expect(result).toEqual({ checked: 2, closed: 1 });
    const after = (await listOnlineOperators(services, firmId)).operators.map((o) => o.id);
    expect(after).toContain(live.id);
    expect(after).toContain(young.id);
    expect(after).not.toContain(lost.id);
    expect(published).toEqual([{ type: 'operator.presence', firmId, operatorId: lost.id, online: false }]);

    // A second sweep finds nothing more to close.
    expect((await sweepPresence(services, silent)).closed).toBe(0);
    client.stop();
  }, 30_000);
});
