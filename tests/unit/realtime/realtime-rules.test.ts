// Pure rules of the real-time layer: ce-signature checks, user ids, groups, the inbox visibility rule and its filters.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canSeeConversation, conversationAudienceFilter, inboxVisibilityOf, lostAudienceFilter } from '../../../src/realtime/conversation-audience';
import { groupsFor, parseRealtimeUserId, realtimeUserId } from '../../../src/realtime/realtime-identity';
import { isSignedByService } from '../../../src/realtime/verify-event-signature';
import { connectWebPubSub } from '../../../src/realtime/web-pubsub-service';

const KEY = 'primary-access-key-0123456789abcdefghijklmn';
const sign = (key: string, connectionId: string) => `sha256=${createHmac('sha256', Buffer.from(key, 'utf8')).update(connectionId, 'utf8').digest('hex')}`;
const OPERATOR = '0199abcd-0000-7000-8000-00000000000f';

describe('isSignedByService', () => {
  it('accepts the HMAC of the connection id with the AccessKey among comma-separated values, in any hex case', () => {
    expect(isSignedByService('conn-1', sign(KEY, 'conn-1'), [KEY])).toBe(true);
    expect(isSignedByService('conn-1', `sha256=${'0'.repeat(64)},${sign(KEY, 'conn-1')}`, [KEY])).toBe(true);
    expect(isSignedByService('conn-1', sign(KEY, 'conn-1').toUpperCase(), [KEY])).toBe(true);
    expect(isSignedByService('conn-1', sign('secondary-key-0123456789abcdefghijklmnopq', 'conn-1'), [KEY, 'secondary-key-0123456789abcdefghijklmnopq'])).toBe(true);
  });

  it('refuses missing, malformed, other-key and other-connection signatures', () => {
    expect(isSignedByService('conn-1', null, [KEY])).toBe(false);
    expect(isSignedByService(null, sign(KEY, 'conn-1'), [KEY])).toBe(false);
    expect(isSignedByService('conn-1', sign(KEY, 'conn-2'), [KEY])).toBe(false);
    expect(isSignedByService('conn-1', sign('another-key-0123456789abcdefghijklmnopqrs', 'conn-1'), [KEY])).toBe(false);
    expect(isSignedByService('conn-1', sign(KEY, 'conn-1').slice(7), [KEY])).toBe(false);
    expect(isSignedByService('conn-1', sign(KEY, 'conn-1').slice(0, -2), [KEY])).toBe(false);
    expect(isSignedByService('conn-1', sign(KEY, 'conn-1'), [])).toBe(false);
  });

  it('never accepts an arbitrary header (property)', () => {
    fc.assert(fc.property(fc.string(), fc.string({ minLength: 1 }), (header, connectionId) => !isSignedByService(connectionId, header, [KEY]) || header.toLowerCase().includes(sign(KEY, connectionId))));
  });
});

describe('user ids and groups', () => {
  it('round-trips firm and operator and refuses anything else', () => {
    expect(parseRealtimeUserId(realtimeUserId(12, OPERATOR))).toEqual({ firmId: 12, operatorId: OPERATOR });
    for (const bad of [undefined, null, '', 'x', `0:${OPERATOR}`, `-1:${OPERATOR}`, `1:${OPERATOR}:x`, `1 :${OPERATOR}`, '1:not-a-uuid', `99999999999:${OPERATOR}`, `1:${OPERATOR.toUpperCase()}`]) {
      expect(parseRealtimeUserId(bad)).toBeUndefined();
    }
  });

  it('puts an operator in its firm and role groups only', () => {
    expect(groupsFor({ firmId: 3, role: 'Admin' })).toEqual(['firm.3', 'firm.3.admins']);
    expect(groupsFor({ firmId: 3, role: 'Agent' })).toEqual(['firm.3', 'firm.3.agents']);
  });
});

describe('the inbox visibility rule', () => {
  const agent = { role: 'Agent' as const, operatorId: 'a' };
  it('matches issue 6: agents see unassigned and their own, or all when the firm says so; admins see all', () => {
    expect(inboxVisibilityOf('all')).toBe('all');
    expect(inboxVisibilityOf('own-and-unassigned')).toBe('own-and-unassigned');
    expect(inboxVisibilityOf(null)).toBe('own-and-unassigned');
    expect(inboxVisibilityOf('ALL')).toBe('own-and-unassigned');
    expect(canSeeConversation('own-and-unassigned', agent, null)).toBe(true);
    expect(canSeeConversation('own-and-unassigned', agent, 'a')).toBe(true);
    expect(canSeeConversation('own-and-unassigned', agent, 'b')).toBe(false);
    expect(canSeeConversation('all', agent, 'b')).toBe(true);
    expect(canSeeConversation('own-and-unassigned', { role: 'Admin', operatorId: 'z' }, 'b')).toBe(true);
  });

  it('becomes OData filters that always start with the firm group', () => {
    expect(conversationAudienceFilter(1, 'own-and-unassigned', null)).toBe("'firm.1' in groups");
    expect(conversationAudienceFilter(1, 'all', OPERATOR)).toBe("'firm.1' in groups");
    expect(conversationAudienceFilter(1, 'own-and-unassigned', OPERATOR)).toBe(`'firm.1' in groups and ('firm.1.admins' in groups or userId eq '1:${OPERATOR}')`);
    expect(lostAudienceFilter(1, 'own-and-unassigned', null, OPERATOR)).toBe(`'firm.1' in groups and 'firm.1.agents' in groups and userId ne '1:${OPERATOR}'`);
    expect(lostAudienceFilter(1, 'own-and-unassigned', 'p', OPERATOR)).toBe("'firm.1' in groups and 'firm.1.agents' in groups and userId eq '1:p'");
    expect(lostAudienceFilter(1, 'own-and-unassigned', OPERATOR, null)).toBeUndefined();
    expect(lostAudienceFilter(1, 'all', null, OPERATOR)).toBeUndefined();
    expect(lostAudienceFilter(1, 'own-and-unassigned', OPERATOR, OPERATOR)).toBeUndefined();
  });

  it("escapes quotes in ids, so an id cannot widen a filter", () => {
    expect(conversationAudienceFilter(1, 'own-and-unassigned', "x' or '1' eq '1")).toBe("'firm.1' in groups and ('firm.1.admins' in groups or userId eq '1:x'' or ''1'' eq ''1')");
  });
});

describe('connectWebPubSub', () => {
  it('reads the connection string as the SDK does and allows http only for an http endpoint', async () => {
    const local = connectWebPubSub({ connectionString: `endpoint=http://127.0.0.1:1234;accesskey=${KEY};Version=1.0;`, hub: 'inbox' });
    expect(local).toMatchObject({ endpoint: 'http://127.0.0.1:1234', accessKey: KEY, hub: 'inbox' });
    const azure = connectWebPubSub({ connectionString: `Endpoint=https://demo.webpubsub.azure.com;AccessKey=${KEY}=;Port=8443;Version=1.0;`, hub: 'inbox' });
    expect(azure).toMatchObject({ endpoint: 'https://demo.webpubsub.azure.com:8443', accessKey: `${KEY}=` });
    const { url } = await azure.client.getClientAccessToken({ userId: '1:x', expirationTimeInMinutes: 15 });
    expect(url.startsWith('wss://demo.webpubsub.azure.com:8443/client/hubs/inbox?access_token=')).toBe(true);
    expect(() => connectWebPubSub({ connectionString: 'Endpoint=https://x', hub: 'inbox' })).toThrow(/AccessKey/);
  });
});
