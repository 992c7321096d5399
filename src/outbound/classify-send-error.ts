// What a failed send means for the message: retry later, fail now, or unknown — by Meta's error code, never by HTTP status.
import type { Language } from '../shared/app-error';
import { isTokenFailure } from '../shared/graph-error';
import { WhatsAppCloudError } from './whatsapp-cloud.client';

/**
 * `retry`: Meta (or the network before Meta) said no for now; `backoff` picks the delay policy.
 * `fail`: retrying cannot help; `channelHealth` marks the failures of the whole number (its token, its account) that
 * raise the firm's alert.
 * `unknown`: the request left and no answer came — Meta may have accepted it, so it is never re-sent automatically.
 */
export type SendErrorClass =
  | { readonly outcome: 'retry'; readonly backoff: 'pair' | 'throughput' | 'transient'; readonly maxAttempts: number }
  | { readonly outcome: 'fail'; readonly channelHealth: boolean }
  | { readonly outcome: 'unknown' };

/** Throttling: Meta says when; the message is kept until it goes. */
const THROTTLE_MAX_ATTEMPTS = 10;
/** Server trouble and codes nobody documents as permanent: a few tries, then failed (SECURITY.md §6.3). */
const TRANSIENT_MAX_ATTEMPTS = 5;

/** Codes Meta documents as temporary (WHATSAPP.md §9): downtime, unknown error, service unavailable, maintenance. */
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016, 131057, 133004]);

/** Classifies a failed send (WHATSAPP.md §9, SECURITY.md §6.2–6.3). */
export function classifySendError(error: unknown): SendErrorClass {
  if (!(error instanceof WhatsAppCloudError)) return { outcome: 'unknown' };
  switch (error.kind) {
    case 'not-sent':
      return { outcome: 'retry', backoff: 'transient', maxAttempts: TRANSIENT_MAX_ATTEMPTS };
    case 'unknown':
    case 'malformed':
      return { outcome: 'unknown' };
    case 'http':
      // A 5xx without Meta's envelope comes from in front of Graph: the request was refused, not processed.
      return (error.details.httpStatus ?? 0) >= 500 || error.details.httpStatus === 429
        ? { outcome: 'retry', backoff: 'transient', maxAttempts: TRANSIENT_MAX_ATTEMPTS }
        : { outcome: 'fail', channelHealth: error.details.httpStatus === 401 };
    case 'graph':
      return classifyGraphCode(error.details.code ?? -1, error.details.httpStatus, error.details.isTransient);
  }
}

function classifyGraphCode(code: number, httpStatus: number | undefined, isTransient: boolean | undefined): SendErrorClass {
  if (code === 131056) return { outcome: 'retry', backoff: 'pair', maxAttempts: THROTTLE_MAX_ATTEMPTS };
  if (code === 130429 || code === 4 || code === 80007) return { outcome: 'retry', backoff: 'throughput', maxAttempts: THROTTLE_MAX_ATTEMPTS };
  if (TRANSIENT_CODES.has(code)) return { outcome: 'retry', backoff: 'transient', maxAttempts: TRANSIENT_MAX_ATTEMPTS };
  if (isTokenFailure(code) || isNumberWide(code)) return { outcome: 'fail', channelHealth: true };
  if (isPermanent(code)) return { outcome: 'fail', channelHealth: false };
  // A code nobody documents is tried a few times, then failed (SECURITY.md §6.3), unless Graph itself says retrying
  // cannot help (`is_transient: false`). A 5xx or `is_transient: true` changes nothing: it is retried either way.
  if (isTransient === false && (httpStatus ?? 0) < 500) return { outcome: 'fail', channelHealth: false };
  return { outcome: 'retry', backoff: 'transient', maxAttempts: TRANSIENT_MAX_ATTEMPTS };
}

/**
 * Permanent codes that stop every send of the number, not just this message (WHATSAPP.md §9): permissions (3, 10,
 * 200–299), an integrity restriction (368, 130497, 131031), billing (131042) and registration (131045, 133010). Like a
 * refused token they raise the number's channel-health alert, so an admin hears of it once.
 */
const NUMBER_WIDE_CODES = new Set([3, 10, 368, 130497, 131031, 131042, 131045, 133010]);

function isNumberWide(code: number): boolean {
  return NUMBER_WIDE_CODES.has(code) || (code >= 200 && code <= 299);
}

/**
 * The other codes WHATSAPP.md §9 documents as final until a person fixes the message or the template, with the
 * template (132xxx) and registration (133000–133016) families; and 131030, a test number's recipient that is not on
 * its allowed list (Meta's error-codes page). Asked after the transient codes, which keep 133004 out of the family.
 */
const PERMANENT_CODES = new Set([
  33, 100, 130403, 130472, 131005, 131008, 131009, 131021, 131026, 131030, 131037, 131047, 131048, 131049, 131050, 131051, 131052, 131053, 131063,
  131064, 135000,
]);

function isPermanent(code: number): boolean {
  return PERMANENT_CODES.has(code) || (code >= 132000 && code <= 133016);
}

/**
 * The delay before retry number `attempt` (1 = after the first failure; for the pair limit, the first 131056), in seconds.
 * Pair limit (131056): Meta's 4^X s, X from 0, capped at 4,096 s. Throughput and transient errors: exponential with
 * full jitter (base 1 s, ×2, cap 60 s) so a burst of throttled messages does not come back at the same instant.
 */
export function backoffSeconds(backoff: 'pair' | 'throughput' | 'transient', attempt: number, random: () => number = Math.random): number {
  const x = Math.max(0, attempt - 1);
  if (backoff === 'pair') return 4 ** Math.min(x, 6);
  const ceiling = Math.min(60, 2 ** Math.min(x + 1, 6));
  return Math.max(1, Math.ceil(random() * ceiling));
}

/** Why a send failed or is in doubt, in words an operator can act on; keyed by Meta's code or by the app's own reason. */
export type SendFailureReason = number | 'unknown-outcome' | 'gave-up' | 'poison' | 'worker-lost' | 'media-missing' | 'no-credentials';

const explanations: Record<string, { tr: string; en: string }> = {
  '0': { tr: 'WhatsApp erişim anahtarı geçersiz. Yöneticiniz anahtarı yenilemeli; ardından mesajı yeniden gönderin.', en: 'The WhatsApp access token is invalid. An admin must renew it; then send the message again.' },
  '190': { tr: 'WhatsApp erişim anahtarının süresi dolmuş veya iptal edilmiş. Yöneticiniz yeni anahtar girmeli; ardından mesajı yeniden gönderin.', en: 'The WhatsApp access token has expired or was revoked. An admin must enter a new one; then send the message again.' },
  '10': { tr: 'Uygulamanın bu numara için izni yok. Yöneticiniz Meta izinlerini kontrol etmeli.', en: 'The app lacks permission for this number. An admin must check the Meta permissions.' },
  '100': { tr: 'Meta isteği geçersiz buldu. Mesajı düzenleyip yeniden deneyin.', en: 'Meta found the request invalid. Edit the message and try again.' },
  '130429': { tr: 'Numaranın gönderim hızı sınırına ulaşıldı; mesaj otomatik olarak yeniden denenecek.', en: 'The number reached its sending rate limit; the message will be retried automatically.' },
  '131056': { tr: 'Bu müşteriye kısa sürede çok fazla mesaj gönderildi; mesaj biraz sonra otomatik olarak yeniden denenecek.', en: 'Too many messages were sent to this customer in a short time; the message will be retried shortly.' },
  '131000': { tr: 'Meta tarafında bilinmeyen bir hata oluştu. Biraz sonra yeniden deneyin.', en: 'Meta reported an unknown error. Try again a little later.' },
  '131008': { tr: 'Mesajda zorunlu bir alan eksik. Mesajı düzenleyip yeniden gönderin.', en: 'A required field is missing from the message. Edit it and send again.' },
  '131009': { tr: 'Mesajdaki bir değer geçersiz (ör. tepki verilen mesaj çok eski). Mesajı düzenleyin.', en: 'A value in the message is invalid (e.g. the message reacted to is too old). Edit the message.' },
  '131016': { tr: 'WhatsApp hizmeti geçici olarak kullanılamıyor; mesaj otomatik olarak yeniden denenecek.', en: 'The WhatsApp service is temporarily unavailable; the message will be retried automatically.' },
  '131021': { tr: 'Alıcı, gönderen işletme numarasıyla aynı.', en: 'The recipient is the business number itself.' },
  '131026': { tr: 'Mesaj iletilemedi: numara WhatsApp kullanmıyor, koşulları kabul etmemiş veya uygulaması çok eski olabilir. Başka bir kanaldan ulaşın.', en: 'The message could not be delivered: the number may not use WhatsApp, may not have accepted the terms, or has an old app. Reach the customer another way.' },
  '131031': { tr: 'İşletme hesabı kısıtlanmış veya kilitlenmiş. Yöneticiniz Meta ile iletişime geçmeli.', en: 'The business account is restricted or locked. An admin must contact Meta.' },
  '131042': { tr: 'Meta ödeme yönteminde sorun var. Yöneticiniz faturalamayı düzeltmeli.', en: 'There is a problem with the Meta payment method. An admin must fix billing.' },
  '131045': { tr: 'İşletme numarasının kaydında sorun var. Yöneticiniz numarayı kaydetmeli.', en: 'The business number is not registered correctly. An admin must register it.' },
  '131047': { tr: 'Müşterinin son mesajının üzerinden 24 saatten fazla geçti. Onaylı bir şablon gönderin.', en: 'More than 24 hours have passed since the customer last wrote. Send an approved template instead.' },
  '131048': { tr: 'Mesajlar engellendiği veya şikâyet edildiği için gönderim kısıtlandı. Bir süre bekleyin ve mesaj kalitesini gözden geçirin.', en: 'Sending is restricted because messages were blocked or reported. Wait and review message quality.' },
  '131049': { tr: 'Meta, müşterinin deneyimini korumak için bu pazarlama mesajını iletmedi. En az 24 saat sonra yeniden deneyin.', en: 'Meta did not deliver this marketing message to protect the customer experience. Try again in 24 hours or more.' },
  '131050': { tr: 'Müşteri pazarlama mesajlarını durdurmuş. Yeniden göndermeyin.', en: 'The customer has stopped marketing messages. Do not resend.' },
  '131051': { tr: 'Bu mesaj türü desteklenmiyor. Başka bir türde gönderin.', en: 'This message type is not supported. Send it as another type.' },
  '131052': { tr: 'Müşterinin gönderdiği dosya indirilemedi. Başka bir yolla göndermesini isteyin.', en: 'The customer\'s file could not be downloaded. Ask them to send it another way.' },
  '131053': { tr: 'Dosya WhatsApp\'a yüklenemedi: tür veya boyut desteklenmiyor. Başka bir dosya deneyin.', en: 'The file could not be uploaded to WhatsApp: its type or size is not supported. Try another file.' },
  '131057': { tr: 'İşletme hesabı bakımda; mesaj otomatik olarak yeniden denenecek.', en: 'The business account is under maintenance; the message will be retried automatically.' },
  '132000': { tr: 'Şablon parametre sayısı şablonla uyuşmuyor. Parametreleri düzeltin.', en: 'The number of template parameters does not match the template. Fix the parameters.' },
  '132001': { tr: 'Şablon bu dilde yok veya onaylanmamış. Şablonları eşitleyip başka bir şablon seçin.', en: 'The template does not exist in this language or is not approved. Sync templates and choose another.' },
  '132005': { tr: 'Şablonun çevrilmiş metni çok uzun. Parametreleri kısaltın.', en: 'The translated template text is too long. Shorten the parameters.' },
  '132007': { tr: 'Şablon içeriği politikaya aykırı. Yöneticiniz şablonu düzenlemeli.', en: 'The template content breaks policy. An admin must edit the template.' },
  '132012': { tr: 'Şablon parametrelerinin biçimi hatalı. Parametreleri düzeltin.', en: 'The template parameters are formatted incorrectly. Fix them.' },
  '132015': { tr: 'Şablon düşük kalite nedeniyle duraklatıldı. Başka bir şablon kullanın.', en: 'The template is paused for low quality. Use another template.' },
  '132016': { tr: 'Şablon kalıcı olarak devre dışı. Yeni bir şablon gerekli.', en: 'The template is permanently disabled. A new template is needed.' },
  '133010': { tr: 'İşletme numarası WhatsApp\'a kayıtlı değil. Yöneticiniz numarayı kaydetmeli.', en: 'The business number is not registered with WhatsApp. An admin must register it.' },
  'unknown-outcome': { tr: 'Gönderimin sonucu bilinmiyor (WhatsApp yanıt vermedi). Mesaj gitmiş olabilir; müşteriye ulaşmadığından eminseniz yeniden gönderin.', en: 'The outcome of the send is unknown (WhatsApp did not answer). It may have been sent; resend only if you are sure it did not arrive.' },
  'worker-lost': { tr: 'Gönderim sırasında sunucu durdu; mesaj gitmiş olabilir. Müşteriye ulaşmadığından eminseniz yeniden gönderin.', en: 'The server stopped during the send; the message may have gone out. Resend only if you are sure it did not arrive.' },
  'gave-up': { tr: 'Mesaj birçok denemeye rağmen gönderilemedi. Biraz sonra yeniden gönderin.', en: 'The message could not be sent after many attempts. Send it again later.' },
  poison: { tr: 'Mesaj işlenirken tekrarlayan bir hata oluştu ve gönderilemedi. Yeniden gönderin; sorun sürerse yöneticinize bildirin.', en: 'A repeated error stopped the message from being sent. Send it again; tell an admin if it persists.' },
  'media-missing': { tr: 'Gönderilecek dosya bulunamadı. Dosyayı yeniden yükleyin.', en: 'The file to send could not be found. Upload it again.' },
  'no-credentials': { tr: 'Bu firma için WhatsApp erişim anahtarı tanımlı değil. Yöneticiniz ayarları tamamlamalı.', en: 'No WhatsApp access token is set for this firm. An admin must complete the settings.' },
};

/** An operator-facing explanation of a failure; Meta codes without their own text fall back to their 13xxxx family. */
export function explainSendFailure(reason: SendFailureReason, language: Language): string {
  const exact = explanations[String(reason)];
  if (exact) return exact[language];
  if (typeof reason === 'number' && reason >= 132000 && reason < 133000) {
    return language === 'en' ? 'The template could not be sent as given. Check the template and its parameters.' : 'Şablon bu haliyle gönderilemedi. Şablonu ve parametrelerini kontrol edin.';
  }
  return language === 'en'
    ? `WhatsApp refused the message (code ${String(reason)}). Check the message and try again.`
    : `WhatsApp mesajı reddetti (kod ${String(reason)}). Mesajı kontrol edip yeniden deneyin.`;
}
