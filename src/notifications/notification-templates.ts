// The words of every notification, in Turkish (default) and English, for e-mail and SMS.
import type { Language } from '../shared/app-error';
import { isTokenFailure } from '../shared/graph-error';

export type NotificationContent =
  | { readonly kind: 'password-reset-link'; readonly token: string; readonly expiresMinutes: number; readonly resetUrl: string | undefined }
  | { readonly kind: 'password-reset-code'; readonly code: string; readonly expiresMinutes: number }
  | { readonly kind: 'password-changed'; readonly at: string; readonly how: 'reset' | 'change' }
  | {
      readonly kind: 'channel-health-alert';
      readonly at: string;
      readonly phoneNumberId: string;
      readonly displayPhoneNumber: string | null;
      readonly graphErrorCode: number | null;
    };

export type NotificationKind = NotificationContent['kind'];

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const product = { tr: 'Ustad WhatsApp Gelen Kutusu', en: 'Ustad WhatsApp Inbox' } as const;

/** The e-mail for a notification, addressed to `fullName`. */
export function renderEmail(content: NotificationContent, language: Language, fullName: string): RenderedEmail {
  const lines = bodyLines(content, language);
  const greeting = language === 'en' ? `Hello ${fullName},` : `Merhaba ${fullName},`;
  const closing = product[language];
  const text = [greeting, '', ...lines, '', closing].join('\n');
  const html = `<p>${escapeHtml(greeting)}</p>${lines.map((line) => `<p>${linkify(escapeHtml(line))}</p>`).join('')}<p>${escapeHtml(closing)}</p>`;
  return { subject: subjectOf(content, language), text, html };
}

/** The SMS text for a notification: short, one segment where possible. */
export function renderSms(content: NotificationContent, language: Language): string {
  switch (content.kind) {
    case 'password-reset-code':
      return language === 'en'
        ? `${product.en} password reset code: ${content.code}. Valid for ${content.expiresMinutes} minutes. Do not share it.`
        : `${product.tr} parola sıfırlama kodunuz: ${content.code}. ${content.expiresMinutes} dakika geçerlidir. Kimseyle paylaşmayın.`;
    case 'password-changed':
      return language === 'en'
        ? `${product.en}: your password was changed at ${displayTime(content.at)}. If this was not you, contact your administrator.`
        : `${product.tr}: parolanız ${displayTime(content.at)} tarihinde değiştirildi. Bu işlemi siz yapmadıysanız yöneticinize başvurun.`;
    case 'password-reset-link':
      return language === 'en' ? `${product.en}: use the link in your e-mail to reset your password.` : `${product.tr}: parolanızı sıfırlamak için e-postanızdaki bağlantıyı kullanın.`;
    case 'channel-health-alert': {
      const fix = isTokenFailure(content.graphErrorCode)
        ? { en: 'Renew its access token.', tr: 'Erişim anahtarını yenileyin.' }
        : { en: 'Check the number and its account in WhatsApp Manager.', tr: 'Numarayı ve hesabını WhatsApp Yöneticisi\'nde kontrol edin.' };
      return language === 'en'
        ? `${product.en}: WhatsApp number ${numberOf(content)} cannot send (Graph error ${content.graphErrorCode ?? '?'}). ${fix.en}`
        : `${product.tr}: ${numberOf(content)} WhatsApp numarası mesaj gönderemiyor (Graph hata kodu ${content.graphErrorCode ?? '?'}). ${fix.tr}`;
    }
  }
}

function subjectOf(content: NotificationContent, language: Language): string {
  switch (content.kind) {
    case 'password-reset-link':
    case 'password-reset-code':
      return language === 'en' ? `${product.en}: reset your password` : `${product.tr}: parola sıfırlama`;
    case 'password-changed':
      return language === 'en' ? `${product.en}: your password was changed` : `${product.tr}: parolanız değiştirildi`;
    case 'channel-health-alert':
      return language === 'en'
        ? `${product.en}: WhatsApp number ${numberOf(content)} cannot send messages`
        : `${product.tr}: ${numberOf(content)} WhatsApp numarası mesaj gönderemiyor`;
  }
}

function bodyLines(content: NotificationContent, language: Language): string[] {
  const en = language === 'en';
  switch (content.kind) {
    case 'password-reset-link': {
      const enterToken = [en ? 'Enter this reset token in the app to choose a new password:' : 'Yeni parolanızı belirlemek için bu sıfırlama anahtarını uygulamaya girin:', content.token];
      const action = content.resetUrl
        ? [
            en ? 'Open this link to choose a new password:' : 'Yeni parolanızı belirlemek için bu bağlantıyı açın:',
            resetLink(content.resetUrl, content.token),
            en ? 'Or enter this reset token in the app:' : 'Ya da bu sıfırlama anahtarını uygulamaya girin:',
            content.token,
          ]
        : enterToken;
      return [
        en ? 'Someone asked to reset the password of your account.' : 'Hesabınızın parolasını sıfırlamak için bir istek alındı.',
        ...action,
        en
          ? `It works once and expires in ${content.expiresMinutes} minutes. If you did not ask for this, ignore this e-mail.`
          : `Bağlantı bir kez kullanılabilir ve ${content.expiresMinutes} dakika içinde geçersiz olur. Bu isteği siz yapmadıysanız bu e-postayı dikkate almayın.`,
      ];
    }
    case 'password-reset-code':
      return [
        en ? `Your password reset code is ${content.code}.` : `Parola sıfırlama kodunuz: ${content.code}.`,
        en ? `It expires in ${content.expiresMinutes} minutes.` : `Kod ${content.expiresMinutes} dakika geçerlidir.`,
      ];
    case 'password-changed':
      return [
        en
          ? `The password of your account was ${content.how === 'reset' ? 'reset' : 'changed'} at ${displayTime(content.at)}, and every session was signed out.`
          : `Hesabınızın parolası ${displayTime(content.at)} tarihinde ${content.how === 'reset' ? 'sıfırlandı' : 'değiştirildi'} ve tüm oturumlar kapatıldı.`,
        en ? 'If this was not you, contact your administrator at once.' : 'Bu işlemi siz yapmadıysanız hemen yöneticinize başvurun.',
      ];
    case 'channel-health-alert': {
      const code = content.graphErrorCode ?? (en ? 'unknown' : 'bilinmiyor');
      if (!isTokenFailure(content.graphErrorCode)) return accountBlockedLines(content, code, en);
      return [
        en
          ? `Meta refused the access token of WhatsApp number ${numberOf(content)} (phone number id ${content.phoneNumberId}) at ${displayTime(content.at)}, with Graph API error code ${code}: the token has expired or was revoked.`
          : `Meta, ${numberOf(content)} WhatsApp numarasının (telefon numarası kimliği ${content.phoneNumberId}) erişim anahtarını ${displayTime(content.at)} tarihinde Graph API hata kodu ${code} ile reddetti: anahtarın süresi dolmuş ya da anahtar iptal edilmiş.`,
        en ? 'Until the token is renewed, no message can be sent from this number.' : 'Anahtar yenilenene kadar bu numaradan mesaj gönderilemez.',
        en
          ? 'What to do: renew the access token. In Meta Business Settings, create a new system-user access token with the whatsapp_business_messaging and whatsapp_business_management permissions and install it as this number\'s access token (the WhatsApp__AccessToken setting for the default firm).'
          : 'Yapmanız gereken: erişim anahtarını yenileyin. Meta İşletme Ayarları\'nda whatsapp_business_messaging ve whatsapp_business_management izinleriyle yeni bir sistem kullanıcısı erişim anahtarı oluşturun ve bu numaranın erişim anahtarı olarak kurun (varsayılan firma için WhatsApp__AccessToken ayarı).',
        en ? 'Messages that failed meanwhile can be sent again from the inbox once the new token works.' : 'Bu sırada gönderilemeyen mesajlar, yeni anahtar çalışınca gelen kutusundan yeniden gönderilebilir.',
      ];
    }
  }
}

/**
 * The reset page with the token in its fragment (SECURITY.md §3.4: never a query string, which request logs and
 * telemetry record; a fragment never leaves the browser). The URL class keeps any query string the page has.
 */
function resetLink(page: string, token: string): string {
  const url = new URL(page);
  url.hash = new URLSearchParams({ token }).toString();
  return url.toString();
}

/** The alert for a number Meta refuses for a reason other than its token (registration, permissions, restriction, billing). */
function accountBlockedLines(content: Extract<NotificationContent, { kind: 'channel-health-alert' }>, code: number | string, en: boolean): string[] {
  return [
    en
      ? `Meta refused to send from WhatsApp number ${numberOf(content)} (phone number id ${content.phoneNumberId}) at ${displayTime(content.at)}, with Graph API error code ${code}: the number or its business account may not send (registration, permissions, an account restriction or billing).`
      : `Meta, ${numberOf(content)} WhatsApp numarasından (telefon numarası kimliği ${content.phoneNumberId}) ${displayTime(content.at)} tarihinde gönderimi Graph API hata kodu ${code} ile reddetti: numara ya da işletme hesabı gönderim yapamıyor (kayıt, izinler, hesap kısıtlaması ya da faturalama).`,
    en ? 'Until this is fixed at Meta, no message can be sent from this number.' : 'Bu sorun Meta tarafında giderilene kadar bu numaradan mesaj gönderilemez.',
    en
      ? 'What to do: open WhatsApp Manager in Meta Business Suite and check this number\'s registration and status, the app\'s permissions, any restriction on the account, and the payment method. Meta\'s own explanation is shown on the failed message in the inbox.'
      : 'Yapmanız gereken: Meta Business Suite\'te WhatsApp Yöneticisi\'ni açın; bu numaranın kaydını ve durumunu, uygulamanın izinlerini, hesaptaki kısıtlamaları ve ödeme yöntemini kontrol edin. Meta\'nın açıklaması gelen kutusunda gönderilemeyen mesajın üzerinde görünür.',
    en ? 'Messages that failed meanwhile can be sent again from the inbox once the number works.' : 'Bu sırada gönderilemeyen mesajlar, numara çalışınca gelen kutusundan yeniden gönderilebilir.',
  ];
}

/** The number as people know it (`+905551234567`) when it is stored, else Meta's phone number id. */
function numberOf(content: { displayPhoneNumber: string | null; phoneNumberId: string }): string {
  if (!content.displayPhoneNumber) return content.phoneNumberId;
  return content.displayPhoneNumber.startsWith('+') ? content.displayPhoneNumber : `+${content.displayPhoneNumber}`;
}

/** `2026-11-27T03:14:45.642Z` → `2026-11-27 03:14 UTC`: exact, and the same whatever the reader's time zone. */
function displayTime(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function linkify(escaped: string): string {
  return /^https?:\/\/\S+$/.test(escaped) ? `<a href="${escaped}">${escaped}</a>` : escaped;
}
