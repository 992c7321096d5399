// The emulator through Microsoft's SDKs: REST deliveries, filters, groups, roles, recovery and token checks.
import { odata } from '@azure/web-pubsub';
import type { WebPubSubServiceClient } from '@azure/web-pubsub';
import { SendMessageError } from '@azure/web-pubsub-client';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebPubSubEmulator } from '../../../src/devhost/web-pubsub-emulator';
import type { WebPubSubEmulator } from '../../../src/devhost/web-pubsub-emulator';
import { bytesOf, serverData, serviceClient, startRecordingClient, stopAllClients, waitFor } from './sdk-harness';
import type { RecordingClient } from './sdk-harness';

let emulator: WebPubSubEmulator;
let barrierCount = 0;

beforeAll(async () => {
  emulator = await startWebPubSubEmulator();
});
afterEach(() => stopAllClients());
afterAll(async () => {
  await emulator.stop();
});

const hubClient = (hub: string) => serviceClient(emulator.connectionString, hub);

/**
 * Sends a marker to everyone and waits until all got it: deliveries to one connection keep their order,
 * so anything sent before the marker that has not arrived by then never will.
 */
async function barrier(service: WebPubSubServiceClient, clients: RecordingClient[]): Promise<void> {
  barrierCount += 1;
  const marker = { barrier: barrierCount };
  await service.sendToAll(marker);
  await waitFor(`barrier ${barrierCount}`, () => clients.every((c) => serverData(c).some((d) => JSON.stringify(d) === JSON.stringify(marker))));
}

/** What a client received, in arrival order, apart from barrier markers (group messages as `{group, data}`). */
function received(client: RecordingClient): unknown[] {
  return client.arrivals
    .map((m) => (m.kind === 'groupData' ? { group: m.group, data: m.data } : m.data))
    .filter((data) => !(typeof data === 'object' && data !== null && 'barrier' in data));
}

async function expectAckError(promise: Promise<unknown>, name: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(SendMessageError);
  expect((error as SendMessageError).errorDetail?.name).toBe(name);
}

describe('REST deliveries reach WebPubSubClient as the service delivers them', () => {
  it('sends to all, a group, a user and a connection with json, text and binary data', async () => {
    const service = hubClient('delivery');
    const alice = await startRecordingClient(service, { userId: 'alice', groups: ['ops'] });
    const bob = await startRecordingClient(service, { userId: 'bob' });
    const carol = await startRecordingClient(service, { userId: 'carol' }, { reliable: false });

    await service.sendToAll({ hello: 'all' });
    await service.sendToAll('plain text', { contentType: 'text/plain' });
    await service.sendToAll(new Uint8Array([1, 2, 250]));
    await service.group('ops').sendToAll({ to: 'ops' });
    await service.sendToUser('bob', 'hi bob', { contentType: 'text/plain' });
    await service.sendToConnection(carol.connectionId, { to: 'carol' });
    await barrier(service, [alice, bob, carol]);

    for (const client of [alice, bob, carol]) {
      const [json, text, binary] = client.serverMessages;
      expect(json).toMatchObject({ kind: 'serverData', dataType: 'json', data: { hello: 'all' } });
      expect(text).toMatchObject({ dataType: 'text', data: 'plain text' });
      expect(binary?.dataType).toBe('binary');
      expect(bytesOf(binary?.data)).toEqual([1, 2, 250]);
    }
    expect(alice.groupMessages).toEqual([expect.objectContaining({ kind: 'groupData', group: 'ops', dataType: 'json', data: { to: 'ops' } })]);
    expect(received(alice)).toHaveLength(4);
    expect(received(bob)).toEqual([{ hello: 'all' }, 'plain text', expect.anything(), 'hi bob']);
    expect(received(carol)).toEqual([{ hello: 'all' }, 'plain text', expect.anything(), { to: 'carol' }]);
    // Reliable connections number their data messages; json.webpubsub.azure.v1 does not.
    expect(alice.serverMessages.map((m) => m.sequenceId)).toEqual([1, 2, 3, 5]);
    expect(alice.groupMessages[0]?.sequenceId).toBe(4);
    expect(carol.serverMessages.every((m) => m.sequenceId === undefined)).toBe(true);
  });

  it('honours excluded connections and OData filters', async () => {
    const service = hubClient('filters');
    const alice = await startRecordingClient(service, { userId: 'alice', groups: ['ops'] });
    const bob = await startRecordingClient(service, { userId: 'bob' });
    const carol = await startRecordingClient(service, { userId: "carol's" }, { reliable: false });
    await service.group('ops').addConnection(bob.connectionId);

    await service.sendToAll({ n: 1 }, { excludedConnections: [alice.connectionId, carol.connectionId] });
    await service.sendToAll({ n: 2 }, { filter: odata`userId eq ${"carol's"}` });
    await service.sendToAll({ n: 3 }, { filter: odata`connectionId eq ${alice.connectionId} or userId eq 'bob'` });
    await service.group('ops').sendToAll({ n: 4 }, { filter: "'ops' in groups and not(userId eq 'alice')" });
    await service.group('ops').sendToAll({ n: 5 }, { excludedConnections: [bob.connectionId] });
    await service.sendToUser('bob', { n: 6 }, { filter: "length(userId) gt 5" });
    await service.sendToAll({ n: 7 }, { filter: "userId in ('alice', 'bob') and protocol eq 'json.reliable.webpubsub.azure.v1'" });
    await barrier(service, [alice, bob, carol]);

    const numbers = (client: RecordingClient) => received(client).map((item) => ((item as { data?: { n: number } }).data ?? (item as { n: number })).n);
    expect(numbers(alice)).toEqual([3, 5, 7]);
    expect(numbers(bob)).toEqual([1, 3, 4, 7]);
    expect(numbers(carol)).toEqual([2]);
    await expect(service.sendToAll({ n: 8 }, { filter: 'userId eq' })).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('group membership through REST', () => {
  it('adds and removes users (also for their later connections) and connections, and answers exists and list', async () => {
    const service = hubClient('membership');
    await service.group('team').addUser('dave');
    const dave = await startRecordingClient(service, { userId: 'dave' });
    const erin = await startRecordingClient(service, { userId: 'erin' }, { reliable: false });

    await service.group('team').sendToAll('to team', { contentType: 'text/plain' });
    expect(await service.userExists('dave')).toBe(true);
    expect(await service.userExists('nobody')).toBe(false);
    expect(await service.groupExists('team')).toBe(true);
    expect(await service.connectionExists(erin.connectionId)).toBe(true);
    const members = [];
    for await (const member of await service.group('team').listConnections()) members.push(member);
    expect(members).toEqual([{ connectionId: dave.connectionId, userId: 'dave' }]);

    await service.group('team').removeUser('dave');
    expect(await service.groupExists('team')).toBe(false);
    await service.group('pair').addConnection(erin.connectionId);
    await service.group('pair').sendToAll('to pair', { contentType: 'text/plain' });
    await service.group('pair').removeConnection(erin.connectionId);
    await service.group('pair').sendToAll('after removal', { contentType: 'text/plain' });
    await expect(service.group('pair').addConnection('no-such-connection')).rejects.toMatchObject({ statusCode: 404 });

    await service.addConnectionsToGroups(['bulk'], odata`userId eq ${'dave'}`);
    await service.group('bulk').sendToAll('to bulk', { contentType: 'text/plain' });
    await service.removeConnectionsFromGroups(['bulk'], "userId eq 'dave'");
    await service.group('bulk').sendToAll('bulk after removal', { contentType: 'text/plain' });
    await service.group('solo').addConnection(erin.connectionId);
    await service.removeConnectionFromAllGroups(erin.connectionId);
    await service.group('solo').sendToAll('solo after removal', { contentType: 'text/plain' });
    await service.removeUserFromAllGroups('dave');
    await barrier(service, [dave, erin]);

    expect(received(dave)).toEqual([{ group: 'team', data: 'to team' }, { group: 'bulk', data: 'to bulk' }]);
    expect(received(erin)).toEqual([{ group: 'pair', data: 'to pair' }]);
  });

  it('closes connections by id, user, group and hub, telling subprotocol clients why', async () => {
    const service = hubClient('closing');
    const frank = await startRecordingClient(service, { userId: 'frank' });
    const gina = await startRecordingClient(service, { userId: 'gina' }, { reliable: false });
    const hank = await startRecordingClient(service, { userId: 'hank', groups: ['night'] }, { reliable: false });
    const ivy = await startRecordingClient(service, { userId: 'ivy' }, { reliable: false });

    await service.closeConnection(frank.connectionId, { reason: 'bye frank' });
    await service.closeUserConnections('gina', { reason: 'bye gina' });
    await service.group('night').closeAllConnections({ reason: 'bye night' });
    await service.closeAllConnections({ reason: 'bye all' });

    await waitFor('all four stopped', () => [frank, gina, hank, ivy].every((c) => c.stopped));
    expect([frank, gina, hank, ivy].map((c) => c.disconnectedEvents[0]?.message?.message)).toEqual(['bye frank', 'bye gina', 'bye night', 'bye all']);
    expect(await service.connectionExists(frank.connectionId)).toBe(false);
    expect(await service.userExists('ivy')).toBe(false);
  });
});

describe('client permissions come from role claims only', () => {
  it('refuses joins and publishes without roles and allows exactly what the roles grant', async () => {
    const service = hubClient('roles');
    const plain = await startRecordingClient(service, { userId: 'plain', groups: ['claimed'] });
    await expectAckError(plain.client.joinGroup('g1'), 'Forbidden');
    await expectAckError(plain.client.sendToGroup('claimed', 'nope', 'text'), 'Forbidden');
    await expectAckError(plain.client.leaveGroup('claimed'), 'Forbidden');

    const scoped = await startRecordingClient(service, {
      userId: 'scoped',
      roles: ['webpubsub.joinLeaveGroup.g1', 'webpubsub.sendToGroup.g1', 'webpubsub.joinLeaveGroups.team-*'],
    });
    await scoped.client.joinGroup('g1');
    await scoped.client.joinGroup('team-blue');
    await expectAckError(scoped.client.joinGroup('g2'), 'Forbidden');
    await expectAckError(scoped.client.joinGroup('team.blue'), 'Forbidden');
    await expectAckError(scoped.client.sendToGroup('claimed', 'nope', 'text'), 'Forbidden');
    await scoped.client.sendToGroup('g1', { from: 'scoped' }, 'json');

    const admin = await startRecordingClient(service, { userId: 'admin', roles: ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'] });
    await admin.client.joinGroup('g1');
    await admin.client.sendToGroup('claimed', 'to claimed', 'text');
    await admin.client.sendToGroup('g1', new Uint8Array([7, 8]).buffer, 'binary', { noEcho: true });
    const first = await admin.client.sendToGroup('g1', 'once', 'text', { ackId: 4242 });
    const again = await admin.client.sendToGroup('g1', 'once', 'text', { ackId: 4242 });
    expect([first.isDuplicated, again.isDuplicated]).toEqual([false, true]);
    await barrier(service, [plain, scoped, admin]);

    expect(plain.groupMessages.map((m) => [m.group, m.fromUserId, m.data])).toEqual([['claimed', 'admin', 'to claimed']]);
    expect(scoped.groupMessages.map((m) => [m.fromUserId, m.dataType])).toEqual([
      ['scoped', 'json'],
      ['admin', 'binary'],
      ['admin', 'text'],
    ]);
    expect(bytesOf(scoped.groupMessages[1]?.data)).toEqual([7, 8]);
    expect(admin.groupMessages.map((m) => m.data)).toEqual(['once']);
  });
});

describe('reliable connections', () => {
  it('recover after a dropped socket without losing or duplicating a message', async () => {
    const service = hubClient('recovery');
    const rita = await startRecordingClient(service, { userId: 'rita', roles: ['webpubsub.joinLeaveGroup'] });
    await rita.client.joinGroup('room');
    const sendNumbers = async (from: number, to: number) => {
      for (let n = from; n <= to; n += 1) await service.sendToUser('rita', { n });
    };

    await sendNumbers(1, 10);
    await waitFor('first ten', () => rita.serverMessages.length === 10);
    expect(emulator.dropConnection(rita.connectionId)).toBe(true);
    await sendNumbers(11, 20);
    await service.group('room').sendToAll({ n: 21 });
    await waitFor('all 21 after recovery', () => rita.serverMessages.length + rita.groupMessages.length >= 21);
    await service.sendToUser('rita', { n: 22 });
    await waitFor('the one after', () => rita.serverMessages.length === 21);

    const numbers = [...rita.serverMessages, ...rita.groupMessages]
      .sort((a, b) => (a.sequenceId ?? 0) - (b.sequenceId ?? 0))
      .map((m) => (m.data as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(rita.connectedEvents).toEqual([rita.connectionId]);
    expect(rita.disconnectedEvents).toEqual([]);
    expect(await service.connectionExists(rita.connectionId)).toBe(true);
  });
});

describe('tokens', () => {
  it('answers 401 to REST calls signed with another key', async () => {
    const wrongKey = `Endpoint=${emulator.endpoint};AccessKey=${'W'.repeat(44)};Version=1.0;`;
    const service = serviceClient(wrongKey, 'tokens');
    const error: unknown = await service.sendToAll({ x: 1 }).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ name: 'RestError', statusCode: 401 });
    await expect(service.userExists('anyone')).rejects.toMatchObject({ statusCode: 401 });
    expect(await hubClient('tokens').userExists('anyone')).toBe(false);
  });

  it('rejects expired, wrong-audience and wrongly signed client tokens at connect', async () => {
    const service = hubClient('tokens');
    const expired = await service.getClientAccessToken({ userId: 'late', expirationTimeInMinutes: -1 });
    const otherHub = await hubClient('elsewhere').getClientAccessToken({ userId: 'lost' });
    const forged = await serviceClient(`Endpoint=${emulator.endpoint};AccessKey=${'F'.repeat(44)};Version=1.0;`, 'tokens').getClientAccessToken({ userId: 'forger' });
    const base = (await service.getClientAccessToken()).baseUrl;

    for (const url of [expired.url, `${base}?access_token=${otherHub.token}`, forged.url, base]) {
      const { WebPubSubClient } = await import('@azure/web-pubsub-client');
      const client = new WebPubSubClient(url, { autoReconnect: false });
      await expect(client.start()).rejects.toThrow(/401/);
    }
    const good = await startRecordingClient(service, { userId: 'ok' });
    expect(good.userId).toBe('ok');
  });
});

describe('plain WebSocket clients', () => {
  it('receive raw frames: JSON and text as text frames, binary as binary frames', async () => {
    const service = hubClient('plain');
    const { url } = await service.getClientAccessToken({ userId: 'raw', groups: ['g'] });
    const socket = new WebSocket(url);
    const frames: Array<{ text?: string; bytes?: number[] }> = [];
    socket.on('message', (data: Buffer, isBinary) => frames.push(isBinary ? { bytes: [...data] } : { text: data.toString('utf8') }));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    expect(socket.protocol).toBe('');

    await service.sendToAll({ a: 1 });
    await service.group('g').sendToAll('group text', { contentType: 'text/plain' });
    await service.sendToUser('raw', new Uint8Array([9, 0, 9]));
    await waitFor('three frames', () => frames.length === 3);
    expect(frames).toEqual([{ text: '{"a":1}' }, { text: 'group text' }, { bytes: [9, 0, 9] }]);
    socket.close();
  });
});
