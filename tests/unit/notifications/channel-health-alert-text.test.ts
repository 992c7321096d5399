// The channel-health e-mail and SMS tell an admin what to fix: the access token, or the number and its account.
import { describe, expect, it } from 'vitest';
import { renderEmail, renderSms, type NotificationContent } from '../../../src/notifications/notification-templates';

const alert = (graphErrorCode: number | null): NotificationContent => ({ kind: 'channel-health-alert', at: '2026-11-27T09:30:00.000Z', phoneNumberId: '106540352242922', displayPhoneNumber: '+90 555 000 11 22', graphErrorCode });

describe('channel-health alert words', () => {
  it('a refused token (190, 0, or no code) asks for a new access token', () => {
    for (const code of [190, 0, null]) {
      const email = renderEmail(alert(code), 'en', 'Müdür');
      expect(email.text, String(code)).toMatch(/renew the access token/i);
      expect(email.text).not.toMatch(/WhatsApp Manager/);
      expect(renderSms(alert(code), 'tr')).toMatch(/Erişim anahtarını yenileyin/);
    }
  });

  it('a refused number or account (131031, 133010, 10) points at WhatsApp Manager, not at the token', () => {
    for (const code of [131031, 133010, 10]) {
      const email = renderEmail(alert(code), 'en', 'Müdür');
      expect(email.text, String(code)).toMatch(/WhatsApp Manager/);
      expect(email.text).toContain(`error code ${code}`);
      expect(email.text).not.toMatch(/access token/i);
      expect(renderEmail(alert(code), 'tr', 'Müdür').text).toMatch(/WhatsApp Yöneticisi/);
      expect(renderSms(alert(code), 'en')).toMatch(/Check the number and its account/);
    }
  });
});
