// One error vocabulary: every failure a caller can see has a code, an HTTP status and a message in Turkish and English.

/** Every error code the API returns. Add a code here and the compiler asks for its status and messages. */
export type ErrorCode =
  | 'InvalidRequest'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'Unauthenticated'
  | 'InvalidCredentials'
  | 'TokenExpired'
  | 'Forbidden'
  | 'NotFound'
  | 'RouteNotFound'
  | 'MethodNotAllowed'
  | 'Conflict'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'InternalError'
  | 'PasswordPolicyViolation'
  | 'RefreshTokenInvalid'
  | 'PasswordResetInvalid'
  | 'CurrentPasswordIncorrect'
  | 'UserNameTaken'
  | 'MediaNotReady'
  | 'MediaUnavailable'
  | 'ReplyWindowClosed'
  | 'TemplateInvalid'
  | 'UploadInvalid'
  | 'MessageNotRetryable'
  | 'ConversationAlreadyClaimed';

interface ErrorSpec {
  readonly status: number;
  readonly tr: string;
  readonly en: string;
}

const errorSpecs: Record<ErrorCode, ErrorSpec> = {
  InvalidRequest: { status: 400, tr: 'İstek geçersiz.', en: 'The request is invalid.' },
  PayloadTooLarge: { status: 413, tr: 'İstek gövdesi çok büyük.', en: 'The request body is too large.' },
  UnsupportedMediaType: { status: 415, tr: 'İçerik türü desteklenmiyor.', en: 'The content type is not supported.' },
  Unauthenticated: { status: 401, tr: 'Oturum açmanız gerekiyor.', en: 'You need to sign in.' },
  InvalidCredentials: { status: 401, tr: 'Kullanıcı adı veya parola hatalı.', en: 'The user name or password is wrong.' },
  TokenExpired: { status: 401, tr: 'Oturumun süresi doldu.', en: 'The session has expired.' },
  Forbidden: { status: 403, tr: 'Bu işlem için yetkiniz yok.', en: 'You are not allowed to do this.' },
  NotFound: { status: 404, tr: 'Kayıt bulunamadı.', en: 'Not found.' },
  RouteNotFound: { status: 404, tr: 'Böyle bir adres yok.', en: 'There is no such route.' },
  MethodNotAllowed: { status: 405, tr: 'Bu adres bu yöntemi desteklemiyor.', en: 'This route does not support this method.' },
  Conflict: { status: 409, tr: 'İşlem mevcut durumla çakışıyor.', en: 'The request conflicts with the current state.' },
  TooManyRequests: { status: 429, tr: 'Çok fazla istek. Lütfen biraz sonra yeniden deneyin.', en: 'Too many requests. Please try again later.' },
  ServiceUnavailable: { status: 503, tr: 'Hizmet şu anda kullanılamıyor.', en: 'The service is unavailable.' },
  InternalError: { status: 500, tr: 'Beklenmeyen bir hata oluştu.', en: 'An unexpected error occurred.' },
  UserNameTaken: { status: 409, tr: 'Bu kullanıcı adı zaten kullanılıyor.', en: 'This user name is already taken.' },
  PasswordPolicyViolation: { status: 422, tr: 'Parola kurallara uymuyor.', en: 'The password breaks the password policy.' },
  RefreshTokenInvalid: { status: 401, tr: 'Oturum yenilenemedi; lütfen yeniden giriş yapın.', en: 'The session cannot be renewed; please sign in again.' },
  PasswordResetInvalid: { status: 400, tr: 'Parola sıfırlama bağlantısı veya kodu geçersiz ya da süresi dolmuş.', en: 'The password reset link or code is invalid or has expired.' },
  CurrentPasswordIncorrect: { status: 400, tr: 'Mevcut parola hatalı.', en: 'The current password is wrong.' },
  MediaNotReady: { status: 409, tr: 'Dosya henüz indiriliyor; biraz sonra yeniden deneyin.', en: 'The file is still being downloaded; try again shortly.' },
  MediaUnavailable: { status: 409, tr: 'Dosya WhatsApp\'tan indirilemedi.', en: 'The file could not be downloaded from WhatsApp.' },
  ReplyWindowClosed: {
    status: 409,
    tr: '24 saatlik yanıt penceresi kapalı: müşteriye yalnızca onaylı bir şablon gönderilebilir.',
    en: 'The 24-hour reply window is closed: only an approved template can be sent to this customer.',
  },
  TemplateInvalid: { status: 422, tr: 'Şablon veya parametreleri geçersiz.', en: 'The template or its parameters are invalid.' },
  UploadInvalid: { status: 422, tr: 'Dosya WhatsApp\'ın kabul ettiği türde veya boyutta değil.', en: 'The file is not of a type or size WhatsApp accepts.' },
  MessageNotRetryable: { status: 409, tr: 'Bu mesaj yeniden gönderilemez.', en: 'This message cannot be sent again.' },
  ConversationAlreadyClaimed: { status: 409, tr: 'Bu konuşmayı başka bir temsilci üstlendi.', en: 'Another operator has already claimed this conversation.' },
};

export type Language = 'tr' | 'en';

/** A failure meant for the caller. `detail` overrides the default message; `fields` names bad inputs. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail?: { tr: string; en: string },
    readonly extra?: { fields?: Record<string, string>; retryAfterSeconds?: number; [key: string]: unknown },
  ) {
    super(detail?.en ?? errorSpecs[code].en);
    this.name = 'AppError';
    this.status = errorSpecs[code].status;
  }

  /** The message in the caller's language. */
  messageIn(language: Language): string {
    return this.detail?.[language] ?? errorSpecs[this.code][language];
  }
}

export function statusOf(code: ErrorCode): number {
  return errorSpecs[code].status;
}

export function defaultMessage(code: ErrorCode, language: Language): string {
  return errorSpecs[code][language];
}
