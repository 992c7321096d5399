// The notification row's `DataJson` contract on its own: what each kind writes reads back unchanged, and a row that
// does not fit its kind (missing or mistyped field, wrong channel, unknown kind, not JSON) is refused, never filled in.
import { describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../../src/notifications/create-notification';
import { dataOf, parseNotificationRow } from '../../../src/notifications/notification-data';

const at = new Date('2031-02-03T04:05:06.789Z');

const iso = at.toISOString();
const alert = { kind: 'channel-health-alert', channel: 'email', at, phoneNumberId: '1098765432' } as const;

/** Each kind (and channel) with the `data` the worker must read back. */
const cases: readonly (readonly [NotificationRequest, Record<string, unknown>])[] = [
  [{ kind: 'password-reset-link', channel: 'email', token: 'link-token-secret', expiresMinutes: 120 }, { expiresMinutes: 120 }],
  [{ kind: 'password-reset-code', channel: 'sms', code: '482913', expiresMinutes: 7 }, { expiresMinutes: 7 }],
  [{ kind: 'password-changed', channel: 'sms', at, how: 'reset' }, { at: iso, how: 'reset' }],
  [{ kind: 'password-changed', channel: 'email', at, how: 'change' }, { at: iso, how: 'change' }],
  [{ ...alert, displayPhoneNumber: '905551234567', graphErrorCode: 190 }, { at: iso, phoneNumberId: '1098765432', displayPhoneNumber: '905551234567', graphErrorCode: 190 }],
  [{ ...alert, displayPhoneNumber: null, graphErrorCode: null }, { at: iso, phoneNumberId: '1098765432', displayPhoneNumber: null, graphErrorCode: null }],
];

/** A row as `createNotification` writes it. */
function rowOf(request: NotificationRequest) {
  return { Kind: request.kind, Channel: request.channel, DataJson: JSON.stringify(dataOf(request)) };
}

describe('notification data', () => {
  it.each(cases.map(([request, data]) => [`${request.kind} by ${request.channel}`, request, data] as const))('round-trips %s', (_name, request, data) => {
    expect(parseNotificationRow(rowOf(request))).toEqual({ kind: request.kind, channel: request.channel, data });
  });

  it('keeps secrets out of DataJson', () => {
    expect(rowOf(cases[0]![0]).DataJson).toBe('{"expiresMinutes":120}');
    expect(rowOf(cases[1]![0]).DataJson).toBe('{"expiresMinutes":7}');
  });

  it('reads rows in the exact JSON the previous writer stored', () => {
    expect(parseNotificationRow({ Kind: 'password-changed', Channel: 'email', DataJson: '{"at":"2026-11-27T03:14:45.642Z","how":"reset"}' }).data).toEqual({
      at: '2026-11-27T03:14:45.642Z',
      how: 'reset',
    });
    const alert = '{"at":"2026-11-27T03:14:45.642Z","phoneNumberId":"123","displayPhoneNumber":null,"graphErrorCode":190}';
    expect(parseNotificationRow({ Kind: 'channel-health-alert', Channel: 'email', DataJson: alert }).data).toMatchObject({ displayPhoneNumber: null, graphErrorCode: 190 });
  });

  it.each([
    ['password-changed', 'email', '{"how":"change"}', /at: Invalid input/],
    ['password-changed', 'email', '{"at":"yesterday","how":"change"}', /data\.at: Invalid ISO datetime/],
    ['password-changed', 'sms', '{"at":"2026-11-27T03:14:45.642Z","how":"forgot"}', /data\.how: Invalid option/],
    ['password-reset-link', 'email', '{}', /data\.expiresMinutes: Invalid input: expected number, received undefined/],
    ['password-reset-code', 'sms', '{"expiresMinutes":"10"}', /data\.expiresMinutes: Invalid input: expected number, received string/],
    ['password-reset-code', 'sms', '{"expiresMinutes":-5}', /data\.expiresMinutes: Too small/],
    ['channel-health-alert', 'email', '{"at":"2026-11-27T03:14:45.642Z","displayPhoneNumber":null,"graphErrorCode":190}', /data\.phoneNumberId/],
    ['channel-health-alert', 'email', '{"at":"2026-11-27T03:14:45.642Z","phoneNumberId":"123","graphErrorCode":190}', /data\.displayPhoneNumber/],
    ['channel-health-alert', 'email', '{"at":"2026-11-27T03:14:45.642Z","phoneNumberId":"123","displayPhoneNumber":null,"graphErrorCode":"190"}', /data\.graphErrorCode/],
    ['password-reset-code', 'email', '{"expiresMinutes":10}', /channel: Invalid input: expected "sms"/],
    ['password-reset-link', 'fax', '{"expiresMinutes":60}', /channel/],
    ['password-changed', 'email', null, /data: Invalid input: expected object, received undefined/],
    ['password-changed', 'email', '[]', /data: Invalid input: expected object, received array/],
    ['password-changed', 'email', '{"at":', /notification data of kind password-changed is not JSON/],
    ['password-expired', 'email', '{"expiresMinutes":60}', /unknown notification kind "password-expired"/],
  ] as const)('refuses kind %s on %s with data %s', (kind, channel, dataJson, message) => {
    expect(() => parseNotificationRow({ Kind: kind, Channel: channel, DataJson: dataJson })).toThrow(message);
  });

  it('refuses to write data the worker would refuse', () => {
    expect(() => dataOf({ kind: 'password-reset-code', channel: 'sms', code: '123456', expiresMinutes: Number.NaN })).toThrow(/expiresMinutes/);
    expect(() => dataOf({ kind: 'channel-health-alert', channel: 'email', at, phoneNumberId: '', displayPhoneNumber: null, graphErrorCode: null })).toThrow(/phoneNumberId/);
  });
});
