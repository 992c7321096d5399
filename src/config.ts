// Settings: read once from the environment (Azure app settings, `Section__Key` names), validated with zod, frozen.
import path from 'node:path';
import { z } from 'zod';
import { EmailSchema, PhoneSchema } from './shared/contact-address.schemas';

/** Thrown when a setting is missing or unsafe; its message names every offending setting. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const intSetting = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      if (!/^-?\d+$/.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number, got "${v}"` });
        return z.NEVER;
      }
      return Number(v.trim());
    })
    .pipe(z.number().int().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));

const boolSetting = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const t = v.trim().toLowerCase();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      ctx.addIssue({ code: 'custom', message: `must be true or false, got "${v}"` });
      return z.NEVER;
    });

const urlSetting = (def: string) =>
  optionalText
    .transform((v) => v ?? def)
    .pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }))
    .transform((v) => v.replace(/\/+$/, ''));

/** Every setting the app reads, by its Azure app-setting name. One source of truth for names and defaults. */
const SettingsSchema = z.object({
  ConnectionStrings__DefaultConnection: optionalText,
  LOCAL_DATA_DIR: optionalText,
  Database__SqlitePath: optionalText,
  AzureWebJobsStorage: optionalText,
  AzureWebJobsStorage__blobServiceUri: optionalText.pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional()),
  AzureWebJobsStorage__queueServiceUri: optionalText.pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional()),
  AzureWebJobsStorage__tableServiceUri: optionalText.pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional()),
  AzureWebJobsStorage__clientId: optionalText,
  WebPubSubConnectionString: optionalText,
  WebPubSub__Hub: optionalText
    .transform((v) => v ?? 'inbox')
    .pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,127}$/, 'must start with a letter and hold only letters, digits and _')),
  Jwt__Key: z
    .string({ message: 'is required (at least 32 bytes; e.g. 48 random bytes in base64)' })
    .refine((v) => Buffer.byteLength(v, 'utf8') >= 32, 'must be at least 32 bytes long'),
  Jwt__Issuer: optionalText.transform((v) => v ?? 'ustad-whatsapp'),
  Jwt__Audience: optionalText.transform((v) => v ?? 'ustad-whatsapp-clients'),
  Jwt__ExpiresMinutes: intSetting(480, 5, 43_200),
  WhatsApp__PhoneNumberId: optionalText.pipe(z.string().regex(/^\d{5,20}$/, 'must be digits').optional()),
  WhatsApp__BusinessAccountId: optionalText.pipe(z.string().regex(/^\d{5,20}$/, 'must be digits').optional()),
  WhatsApp__AccessToken: optionalText,
  WhatsApp__VerifyToken: optionalText.pipe(z.string().min(8, 'must be at least 8 characters').optional()),
  WhatsApp__AppSecret: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  WhatsApp__GraphBaseUrl: urlSetting('https://graph.facebook.com'),
  WhatsApp__GraphApiVersion: optionalText
    .transform((v) => v ?? 'v21.0')
    .pipe(
      z
        .string()
        .regex(/^v\d+\.\d+$/, 'must look like v21.0')
        .refine((v) => Number(v.slice(1).split('.')[0]) >= 20, 'must be v20.0 or newer'),
    ),
  WhatsApp__MessagesPerSecond: intSetting(80, 1, 1000),
  WhatsApp__SendTimeoutSeconds: intSetting(20, 1, 120),
  Email__ConnectionString: optionalText,
  Email__SenderAddress: optionalText.pipe(EmailSchema.optional()),
  Sms__NetGsm__Username: optionalText,
  Sms__NetGsm__Password: optionalText,
  Sms__NetGsm__Header: optionalText,
  Sms__NetGsm__BaseUrl: urlSetting('https://api.netgsm.com.tr'),
  App__PasswordResetUrl: optionalText.pipe(
    z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .refine((v) => !v.includes('#'), 'must not have a #fragment (the reset token goes there)')
      .optional(),
  ),
  Security__MaxFailedLoginAttempts: intSetting(5, 1, 100),
  Security__LockoutMinutes: intSetting(15, 1, 1440),
  Security__PasswordResetTokenExpiryHours: intSetting(1, 1, 72),
  Security__JwtRefreshIntervalMinutes: intSetting(15, 1, 120),
  Security__PasswordMinLength: intSetting(12, 8, 128),
  Security__PasswordRequireComplexity: boolSetting(false),
  Security__TrustForwardedFor: boolSetting(true),
  Bootstrap__FirmId: intSetting(1, 1, 2_147_483_647),
  Bootstrap__AdminUserName: optionalText.transform((v) => v ?? 'admin'),
  Bootstrap__AdminPassword: optionalText,
  Bootstrap__AdminEmail: optionalText.pipe(EmailSchema.optional()),
  Bootstrap__AdminPhone: optionalText.pipe(PhoneSchema.optional()),
  PORT: intSetting(7071, 0, 65_535),
});

type Settings = z.infer<typeof SettingsSchema>;

/** Storage by connection string (Azurite, account key) or by managed identity (`AzureWebJobsStorage__*ServiceUri`). */
export type StorageConfig =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; blobServiceUri: string; queueServiceUri: string; tableServiceUri: string; clientId: string | undefined };

export type DatabaseConfig = { kind: 'sqlite'; path: string } | { kind: 'mssql'; connectionString: string };

/** The validated, frozen settings the app runs with. */
export interface Config {
  readonly localDataDir: string;
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly storage: StorageConfig;
  readonly webPubSub: { readonly connectionString: string | undefined; readonly hub: string };
  readonly jwt: { readonly key: string; readonly issuer: string; readonly audience: string; readonly sessionMinutes: number };
  readonly whatsApp: {
    readonly phoneNumberId: string | undefined;
    readonly businessAccountId: string | undefined;
    readonly accessToken: string | undefined;
    readonly verifyToken: string | undefined;
    readonly appSecret: string | undefined;
    readonly graphBaseUrl: string;
    readonly graphApiVersion: string;
    /** A number's pace when its row names none (Meta's default tier is 80 messages/s). */
    readonly messagesPerSecond: number;
    /** How long a send waits for Meta before its outcome counts as unknown. */
    readonly sendTimeoutSeconds: number;
  };
  readonly email: { readonly connectionString: string | undefined; readonly senderAddress: string | undefined };
  readonly app: {
    /** The client's page that completes a password reset; reset e-mails link to it with the token. */
    readonly passwordResetUrl: string | undefined;
  };
  readonly sms: {
    readonly netGsm:
      | { readonly username: string; readonly password: string; readonly header: string; readonly baseUrl: string }
      | undefined;
  };
  readonly security: {
    readonly maxFailedLoginAttempts: number;
    readonly lockoutMinutes: number;
    readonly passwordResetTokenExpiryHours: number;
    readonly accessTokenMinutes: number;
    readonly passwordMinLength: number;
    readonly passwordRequireComplexity: boolean;
    readonly trustForwardedFor: boolean;
  };
  readonly bootstrap: {
    readonly firmId: number;
    readonly adminUserName: string;
    readonly adminPassword: string | undefined;
    /** Where the first admin receives password resets (e-mail first, then SMS), as any other operator does. */
    readonly adminEmail: string | undefined;
    readonly adminPhone: string | undefined;
  };
}

/** The names of every setting, for documentation checks and the local host. */
export const settingNames = Object.keys(SettingsSchema.shape) as (keyof Settings)[];

/**
 * Parses settings from an environment map. Throws ConfigError naming each bad setting.
 * @param env usually `process.env`
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = SettingsSchema.safeParse(pickSettings(env));
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '(settings)')} ${issue.message}`);
  if (!parsed.success) throw new ConfigError(problems);
  const s = parsed.data;
  problems.push(...crossFieldProblems(s));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(toConfig(s));
}

function pickSettings(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const picked: Record<string, string | undefined> = {};
  for (const name of settingNames) picked[name] = env[name];
  return picked;
}

function crossFieldProblems(s: Settings): string[] {
  const problems: string[] = [];
  const sms = [s.Sms__NetGsm__Username, s.Sms__NetGsm__Password, s.Sms__NetGsm__Header];
  if (sms.some(Boolean) && !sms.every(Boolean)) {
    problems.push('Sms__NetGsm__Username, Sms__NetGsm__Password and Sms__NetGsm__Header must be set together');
  }
  if (s.Email__ConnectionString && !s.Email__SenderAddress) {
    problems.push('Email__SenderAddress is required when Email__ConnectionString is set');
  }
  if (s.ConnectionStrings__DefaultConnection && !/(server|data source|address)\s*=/i.test(s.ConnectionStrings__DefaultConnection)) {
    problems.push('ConnectionStrings__DefaultConnection must be a SQL Server connection string (Server=…;Database=…;…)');
  }
  const identityUris = [s.AzureWebJobsStorage__blobServiceUri, s.AzureWebJobsStorage__queueServiceUri, s.AzureWebJobsStorage__tableServiceUri];
  if (!s.AzureWebJobsStorage && identityUris.some(Boolean) && !identityUris.every(Boolean)) {
    problems.push('AzureWebJobsStorage__blobServiceUri, AzureWebJobsStorage__queueServiceUri and AzureWebJobsStorage__tableServiceUri must be set together');
  }
  if (s.WhatsApp__AccessToken && !s.WhatsApp__PhoneNumberId) {
    problems.push('WhatsApp__PhoneNumberId is required when WhatsApp__AccessToken is set');
  }
  if (s.Bootstrap__AdminPassword !== undefined && [...s.Bootstrap__AdminPassword].length < s.Security__PasswordMinLength) {
    problems.push(`Bootstrap__AdminPassword must be at least ${s.Security__PasswordMinLength} characters`);
  }
  return problems;
}

function toConfig(s: Settings): Config {
  const localDataDir = path.resolve(s.LOCAL_DATA_DIR ?? '.data');
  const database: DatabaseConfig = s.ConnectionStrings__DefaultConnection
    ? { kind: 'mssql', connectionString: s.ConnectionStrings__DefaultConnection }
    : { kind: 'sqlite', path: path.resolve(s.Database__SqlitePath ?? path.join(localDataDir, 'inbox.db')) };
  return {
    localDataDir,
    port: s.PORT,
    database,
    storage: toStorageConfig(s),
    webPubSub: { connectionString: s.WebPubSubConnectionString, hub: s.WebPubSub__Hub },
    jwt: { key: s.Jwt__Key, issuer: s.Jwt__Issuer, audience: s.Jwt__Audience, sessionMinutes: s.Jwt__ExpiresMinutes },
    whatsApp: {
      phoneNumberId: s.WhatsApp__PhoneNumberId,
      businessAccountId: s.WhatsApp__BusinessAccountId,
      accessToken: s.WhatsApp__AccessToken,
      verifyToken: s.WhatsApp__VerifyToken,
      appSecret: s.WhatsApp__AppSecret,
      graphBaseUrl: s.WhatsApp__GraphBaseUrl,
      graphApiVersion: s.WhatsApp__GraphApiVersion,
      messagesPerSecond: s.WhatsApp__MessagesPerSecond,
      sendTimeoutSeconds: s.WhatsApp__SendTimeoutSeconds,
    },
    email: { connectionString: s.Email__ConnectionString, senderAddress: s.Email__SenderAddress },
    app: { passwordResetUrl: s.App__PasswordResetUrl },
    sms: {
      netGsm:
        s.Sms__NetGsm__Username && s.Sms__NetGsm__Password && s.Sms__NetGsm__Header
          ? { username: s.Sms__NetGsm__Username, password: s.Sms__NetGsm__Password, header: s.Sms__NetGsm__Header, baseUrl: s.Sms__NetGsm__BaseUrl }
          : undefined,
    },
    security: {
      maxFailedLoginAttempts: s.Security__MaxFailedLoginAttempts,
      lockoutMinutes: s.Security__LockoutMinutes,
      passwordResetTokenExpiryHours: s.Security__PasswordResetTokenExpiryHours,
      accessTokenMinutes: s.Security__JwtRefreshIntervalMinutes,
      passwordMinLength: s.Security__PasswordMinLength,
      passwordRequireComplexity: s.Security__PasswordRequireComplexity,
      trustForwardedFor: s.Security__TrustForwardedFor,
    },
    bootstrap: {
      firmId: s.Bootstrap__FirmId,
      adminUserName: s.Bootstrap__AdminUserName,
      adminPassword: s.Bootstrap__AdminPassword,
      adminEmail: s.Bootstrap__AdminEmail,
      adminPhone: s.Bootstrap__AdminPhone,
    },
  };
}

function toStorageConfig(s: Settings): StorageConfig {
  const { AzureWebJobsStorage__blobServiceUri: blob, AzureWebJobsStorage__queueServiceUri: queue, AzureWebJobsStorage__tableServiceUri: table } = s;
  if (!s.AzureWebJobsStorage && blob && queue && table) {
    return { kind: 'identity', blobServiceUri: blob, queueServiceUri: queue, tableServiceUri: table, clientId: s.AzureWebJobsStorage__clientId };
  }
  return { kind: 'connectionString', connectionString: s.AzureWebJobsStorage ?? 'UseDevelopmentStorage=true' };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
