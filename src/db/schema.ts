// The database schema, written once: migrations, sql/ (T-SQL for DBAs), the Kysely types and SQLite value conversion all derive from it.
import { checkSchema, col, defineTable } from './schema-definition';

const firmKey = { column: 'FirmId', references: { table: 'WhatsApp_FirmSettings', column: 'FirmId' } } as const;
const desc = (column: string) => ({ column, desc: true }) as const;

/**
 * Every table, in creation order (a table comes after the tables it references).
 * Times are UTC instants to the millisecond, always written by the app (no database clock).
 * Enumerations are text checked by the app (zod), not CHECK constraints: adding a value then needs
 * no table rebuild on SQLite.
 */
export const schema = {
  /** One row per firm (an Ustad company). `FirmId` comes from Ustad, it is not generated. */
  WhatsApp_FirmSettings: defineTable({
    columns: {
      FirmId: col.int(),
      DisplayName: col.text(200),
      /** The WhatsApp Business Account id (`entry[].id` in webhooks). */
      BusinessAccountId: col.text(64).nullable(),
      /** Graph API access token, encrypted by the app; null = taken from settings (the default firm). */
      AccessTokenEncrypted: col.longtext().nullable(),
      AppSecretEncrypted: col.longtext().nullable(),
      VerifyTokenEncrypted: col.longtext().nullable(),
      DefaultLanguage: col.text(10).default('tr'),
      /** `off` | `round-robin` | `least-open`. */
      AssignmentMode: col.text(20).default('off'),
      /** What agents see: `own-and-unassigned` | `all`. */
      InboxVisibility: col.text(20).default('own-and-unassigned'),
      /** An operator offline longer than this hands their open conversations back to the queue. */
      OfflineGraceSeconds: col.int().default(300),
      /** The last operator round-robin assignment chose (no foreign key: a pointer, not a relation). */
      LastAssignedOperatorId: col.id().nullable(),
      /** Business hours as JSON (weekday → opening intervals), read in `TimeZone`. */
      BusinessHoursJson: col.json().nullable(),
      TimeZone: col.text(64).default('Europe/Istanbul'),
      /** Days messages and media are kept; null = kept. */
      RetentionDays: col.int().nullable(),
      CreatedAt: col.datetime(),
      UpdatedAt: col.datetime(),
    },
    primaryKey: ['FirmId'],
  }),

  /** A firm's WhatsApp business numbers; webhooks are routed to a firm by `PhoneNumberId`. */
  WhatsApp_PhoneNumbers: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      /** Meta's phone number id (`metadata.phone_number_id`); unique across firms so routing is unambiguous. */
      PhoneNumberId: col.text(64),
      DisplayPhoneNumber: col.text(32).nullable(),
      VerifiedName: col.text(200).nullable(),
      BusinessAccountId: col.text(64).nullable(),
      IsActive: col.bool().default(true),
      /** Sending pace for this number; null = the app's setting (Meta's default is 80/s). */
      MessagesPerSecond: col.int().nullable(),
      /** `ok` | `token-invalid` | `account-blocked`: lets the app raise one channel-health alert, not one per message. */
      HealthState: col.text(32).default('ok'),
      HealthErrorCode: col.int().nullable(),
      HealthChangedAt: col.datetime().nullable(),
      CreatedAt: col.datetime(),
      UpdatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    foreignKeys: [firmKey],
    indexes: [{ columns: ['PhoneNumberId'], unique: true }, { columns: ['FirmId'] }],
  }),

  WhatsApp_Operators: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      /** As the operator typed it. */
      UserName: col.text(100),
      /** `normalizeUserName(UserName)`: sign-in is by user name alone, so it is unique across firms. */
      UserNameNormalized: col.text(100),
      FullName: col.text(200),
      Email: col.text(320).nullable(),
      /** Lower-cased e-mail, for password-reset look-ups. */
      EmailNormalized: col.text(320).nullable(),
      /** Digits only, with country code (905551234567). */
      Phone: col.text(32).nullable(),
      /** `Admin` | `Agent`. */
      Role: col.text(16),
      /** Self-describing PBKDF2 string (algorithm, iterations, salt, hash). */
      PasswordHash: col.text(512),
      IsActive: col.bool().default(true),
      FailedLoginCount: col.int().default(0),
      LockoutUntil: col.datetime().nullable(),
      LastLoginAt: col.datetime().nullable(),
      LastLoginIp: col.text(45).nullable(),
      /** Bumped to reject every token issued before (password change, reset, deactivation, role change). */
      TokenVersion: col.int().default(0),
      PasswordChangedAt: col.datetime().nullable(),
      /** `tr` | `en`: the language of notifications sent to this operator. */
      PreferredLanguage: col.text(10).default('tr'),
      CreatedAt: col.datetime(),
      UpdatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    foreignKeys: [firmKey],
    indexes: [
      { columns: ['UserNameNormalized'], unique: true },
      { columns: ['FirmId', 'FullName'] },
      { columns: ['EmailNormalized'] },
      { columns: ['Phone'] },
    ],
  }),

  /**
   * A WhatsApp user as a firm knows them. Identity is the BSUID (`user_id`) when Meta sends one and
   * the phone number (`wa_id`) otherwise; both are unique per firm when present, so a customer first
   * seen by phone and later by BSUID (or the reverse) stays one row (WHATSAPP.md §12).
   */
  WhatsApp_Customers: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      /** Phone number digits (`wa_id` / `from`); null while Meta sends only a BSUID. */
      WaId: col.text(32).nullable(),
      /** Business-scoped user id (`user_id` / `from_user_id`), up to 256 characters. */
      Bsuid: col.text(256).nullable(),
      ParentBsuid: col.text(256).nullable(),
      /** `profile.username`. */
      Username: col.text(100).nullable(),
      /** `profile.name`. */
      ProfileName: col.text(256).nullable(),
      CountryCode: col.text(8).nullable(),
      IdentityKeyHash: col.text(128).nullable(),
      CreatedAt: col.datetime(),
      UpdatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    foreignKeys: [firmKey],
    indexes: [
      { columns: ['FirmId', 'WaId'], unique: true, whereNotNull: ['WaId'] },
      { columns: ['FirmId', 'Bsuid'], unique: true, whereNotNull: ['Bsuid'] },
    ],
  }),

  WhatsApp_Conversations: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      /** Meta's id of the business number the customer wrote to. */
      PhoneNumberId: col.text(64),
      CustomerId: col.id(),
      /** `Open` | `Pending` | `Resolved`. */
      Status: col.text(16).default('Open'),
      AssignedOperatorId: col.id().nullable(),
      AssignedAt: col.datetime().nullable(),
      /** The customer's last message: the 24-hour reply window runs from here. */
      LastInboundAt: col.datetime().nullable(),
      /** Newest activity; the inbox list is ordered by (LastMessageAt, Id) descending. */
      LastMessageAt: col.datetime(),
      LastMessagePreview: col.text(200).nullable(),
      UnreadCount: col.int().default(0),
      ResolvedAt: col.datetime().nullable(),
      CreatedAt: col.datetime(),
      UpdatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    foreignKeys: [
      firmKey,
      { column: 'PhoneNumberId', references: { table: 'WhatsApp_PhoneNumbers', column: 'PhoneNumberId' } },
      { column: 'CustomerId', references: { table: 'WhatsApp_Customers', column: 'Id' } },
      { column: 'AssignedOperatorId', references: { table: 'WhatsApp_Operators', column: 'Id' } },
    ],
    indexes: [
      { columns: ['FirmId', 'PhoneNumberId', 'CustomerId'], unique: true },
      { columns: ['FirmId', desc('LastMessageAt'), desc('Id')] },
      { columns: ['FirmId', 'Status', desc('LastMessageAt'), desc('Id')] },
      // Status inside the assignee prefix: agents' lists (unassigned + own), per-status counts and least-open counting are range scans.
      { columns: ['FirmId', 'AssignedOperatorId', 'Status', desc('LastMessageAt'), desc('Id')] },
      { columns: ['CustomerId'] },
    ],
  }),

  /** Files operators uploaded to send (issue 7); `Id` is the `uploadId` the API hands out. */
  WhatsApp_Uploads: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      OperatorId: col.id(),
      /** `image` | `video` | `audio` | `document` | `sticker`. */
      MediaType: col.text(16),
      BlobPath: col.text(1024),
      MimeType: col.text(255),
      Size: col.int(),
      /** Hex SHA-256 of the bytes. */
      Sha256: col.text(64),
      FileName: col.text(512).nullable(),
      /** Meta's media id once uploaded to the Graph API (valid 30 days from `MetaMediaUploadedAt`). */
      MetaMediaId: col.text(128).nullable(),
      MetaMediaUploadedAt: col.datetime().nullable(),
      CreatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    foreignKeys: [firmKey, { column: 'OperatorId', references: { table: 'WhatsApp_Operators', column: 'Id' } }],
    indexes: [{ columns: ['FirmId', 'CreatedAt'] }],
  }),

  WhatsApp_Messages: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      ConversationId: col.id(),
      /** `inbound` | `outbound`. */
      Direction: col.text(8),
      /** Meta's type (`text`, `image`, …, `reaction`, `system`, `unsupported`, or an unknown one as received) or `template`. */
      Type: col.text(32),
      /** `queued` | `sending` | `sent` | `delivered` | `read` | `played` | `failed` | `unknown` | `received`. */
      Status: col.text(16),
      /** Monotonic rank of `Status` so a status update is one conditional UPDATE (`WHERE StatusRank < @rank`). */
      StatusRank: col.int().default(0),
      /** When the message happened in the conversation: WhatsApp's timestamp inbound, creation time outbound. History is ordered by (MessageAt, Id). */
      MessageAt: col.datetime(),
      /** Text body or media caption. */
      Text: col.longtext().nullable(),
      /** Type-specific content in the app's own shape (location, contacts, interactive reply, order, system change, …). */
      ContentJson: col.json().nullable(),
      /** The message object exactly as Meta sent it (inbound) or as the app sent it (outbound). */
      RawJson: col.json().nullable(),
      MediaId: col.text(128).nullable(),
      /** `pending` | `ready` | `failed`; null for messages without media. */
      MediaState: col.text(16).nullable(),
      MediaBlobPath: col.text(1024).nullable(),
      MediaMimeType: col.text(255).nullable(),
      MediaSize: col.int().nullable(),
      /** As Meta gives it (base64 SHA-256). */
      MediaSha256: col.text(128).nullable(),
      MediaFileName: col.text(512).nullable(),
      MediaError: col.text(1000).nullable(),
      UploadId: col.id().nullable(),
      TemplateName: col.text(512).nullable(),
      TemplateLanguage: col.text(16).nullable(),
      TemplateParametersJson: col.json().nullable(),
      /** `context.id`: the WhatsApp id of the quoted message (it may not be stored here). */
      ReplyToWhatsAppMessageId: col.text(256).nullable(),
      ReplyToMessageId: col.id().nullable(),
      /** For reaction messages: the emoji ('' = removed) and the WhatsApp id of the message reacted to. */
      ReactionEmoji: col.text(32).nullable(),
      ReactionToWhatsAppMessageId: col.text(256).nullable(),
      /**
       * For inbound `reaction`, `revoke` and `edit` messages: the WhatsApp id of the message they change. Indexed so
       * an annotation that arrives before its target is applied when the target is stored.
       */
      TargetWhatsAppMessageId: col.text(256).nullable(),
      /** The reactions this message currently carries, one per side. */
      CustomerReaction: col.text(32).nullable(),
      BusinessReaction: col.text(32).nullable(),
      IsForwarded: col.bool().default(false),
      IsFrequentlyForwarded: col.bool().default(false),
      ReferralJson: col.json().nullable(),
      EditedAt: col.datetime().nullable(),
      RevokedAt: col.datetime().nullable(),
      /** Meta's error (failed status, unsupported message): code, title and details. */
      ErrorCode: col.int().nullable(),
      ErrorTitle: col.text(512).nullable(),
      ErrorDetails: col.longtext().nullable(),
      SenderOperatorId: col.id().nullable(),
      /** Meta's `wamid.…`; unique per firm. Null until an outbound message is accepted by Meta. */
      WhatsAppMessageId: col.text(256).nullable(),
      /** The client's idempotency key of a send; unique per firm. */
      ClientMessageId: col.text(100).nullable(),
      BizOpaqueCallbackData: col.text(512).nullable(),
      /** WhatsApp's own timestamp of an inbound message. */
      WhatsAppTimestamp: col.datetime().nullable(),
      SentAt: col.datetime().nullable(),
      DeliveredAt: col.datetime().nullable(),
      ReadAt: col.datetime().nullable(),
      PlayedAt: col.datetime().nullable(),
      FailedAt: col.datetime().nullable(),
      /** Pricing and conversation objects of the status webhooks, as JSON. */
      PricingJson: col.json().nullable(),
      /**
       * When the newest `outbound-messages` queue message for this send becomes visible; null until the first enqueue
       * succeeded. A sweep queues `queued` messages where it stayed null or lies well in the past (a lost enqueue).
       */
      EnqueuedAt: col.datetime().nullable(),
      /** Not before: a retry after Meta's throttling waits until then (duplicate queue messages that come early wait too). */
      NextAttemptAt: col.datetime().nullable(),
      /** While `sending`: the send's deadline; a `sending` message past it had its worker die mid-send and becomes `unknown`. */
      LeaseUntil: col.datetime().nullable(),
      /** Calls to Meta in the current round (an operator's retry starts a new round); drives the back-off. */
      SendAttempts: col.int().default(0),
      /** Meta's pair rate limit (131056) answers in the current round: X of its "retry after 4^X s". */
      PairLimitHits: col.int().default(0),
      LastAttemptAt: col.datetime().nullable(),
      CreatedAt: col.datetime(),
      UpdatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    foreignKeys: [
      firmKey,
      { column: 'ConversationId', references: { table: 'WhatsApp_Conversations', column: 'Id' } },
      { column: 'SenderOperatorId', references: { table: 'WhatsApp_Operators', column: 'Id' } },
      { column: 'UploadId', references: { table: 'WhatsApp_Uploads', column: 'Id' } },
    ],
    indexes: [
      { columns: ['ConversationId', 'MessageAt', 'Id'] },
      { columns: ['FirmId', desc('MessageAt'), desc('Id')] },
      { columns: ['FirmId', 'WhatsAppMessageId'], unique: true, whereNotNull: ['WhatsAppMessageId'] },
      { columns: ['FirmId', 'ClientMessageId'], unique: true, whereNotNull: ['ClientMessageId'] },
      { columns: ['Status', 'CreatedAt'] },
      { columns: ['FirmId', 'TargetWhatsAppMessageId'], whereNotNull: ['TargetWhatsAppMessageId'] },
    ],
  }),

  /** Statuses for messages not stored yet (statuses can arrive first); applied when the message arrives. */
  WhatsApp_PendingStatuses: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      WhatsAppMessageId: col.text(256),
      Status: col.text(16),
      /** The status's own timestamp (Meta's). */
      StatusAt: col.datetime(),
      RecipientId: col.text(256).nullable(),
      RecipientUserId: col.text(256).nullable(),
      BizOpaqueCallbackData: col.text(512).nullable(),
      ErrorCode: col.int().nullable(),
      ErrorTitle: col.text(512).nullable(),
      ErrorDetails: col.longtext().nullable(),
      PricingJson: col.json().nullable(),
      RawJson: col.json(),
      CreatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    foreignKeys: [firmKey],
    indexes: [
      { columns: ['FirmId', 'WhatsAppMessageId', 'Status'], unique: true },
      { columns: ['BizOpaqueCallbackData'], whereNotNull: ['BizOpaqueCallbackData'] },
      { columns: ['CreatedAt'] },
    ],
  }),

  /**
   * Raw webhook changes the app keeps: non-`messages` fields (template status, account updates, …),
   * changes for numbers no firm owns (`FirmId` null: unrouted), and bodies of unknown shape.
   */
  WhatsApp_WebhookEvents: defineTable({
    columns: {
      Id: col.id(),
      /** Null when no firm owns the number (unrouted) or the body could not be routed at all. */
      FirmId: col.int().nullable(),
      /** `changes[].field`, or `unknown` for a body of unknown shape. */
      Field: col.text(64),
      BusinessAccountId: col.text(64).nullable(),
      PhoneNumberId: col.text(64).nullable(),
      /** `pending` | `processed` | `unrouted` | `ignored` | `failed`. */
      State: col.text(16),
      PayloadJson: col.longtext(),
      /** Hex SHA-256 of `PayloadJson`: a replayed change is recognised and not stored twice. */
      PayloadSha256: col.text(64),
      Error: col.longtext().nullable(),
      ReceivedAt: col.datetime(),
      ProcessedAt: col.datetime().nullable(),
    },
    primaryKey: ['Id'],
    indexes: [
      { columns: ['PayloadSha256'], unique: true },
      { columns: ['FirmId', 'Field', 'ReceivedAt'] },
      { columns: ['State', 'ReceivedAt'] },
    ],
  }),

  /** Message templates synced from the WABA. */
  WhatsApp_Templates: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      BusinessAccountId: col.text(64).nullable(),
      /** Meta's template id. */
      MetaTemplateId: col.text(64).nullable(),
      Name: col.text(512),
      /** As Meta lists it (`en_US`, `tr`). */
      Language: col.text(16),
      /** `UTILITY` | `MARKETING` | `AUTHENTICATION`. */
      Category: col.text(32),
      SubCategory: col.text(64).nullable(),
      /** `APPROVED` | `PENDING` | `REJECTED` | `PAUSED` | `DISABLED` | …. */
      Status: col.text(32),
      StatusReason: col.text(256).nullable(),
      /** `POSITIONAL` | `NAMED`. */
      ParameterFormat: col.text(16).nullable(),
      ComponentsJson: col.json(),
      ParameterCount: col.int().default(0),
      LastSyncedAt: col.datetime().nullable(),
      CreatedAt: col.datetime(),
      UpdatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    foreignKeys: [firmKey],
    indexes: [{ columns: ['FirmId', 'Name', 'Language'], unique: true }],
  }),

  /**
   * The audit log. Rows are hash-chained per firm: `Sequence` counts 1, 2, 3… per firm (unique, so two
   * writers cannot both append the same link), `Hash` = SHA-256 over `PrevHash` and the row. No foreign
   * keys: audit rows outlive what they mention. `FirmId` 0 = no firm could be identified (e.g. a sign-in
   * with an unknown user name).
   */
  WhatsApp_AuditLogs: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      Sequence: col.int(),
      /** Hex SHA-256 of the previous row of this firm (64 zeros for the first). */
      PrevHash: col.text(64),
      Hash: col.text(64),
      ActorOperatorId: col.id().nullable(),
      /** The actor's user name at the time (operators can be renamed). */
      ActorUserName: col.text(100).nullable(),
      /** Dotted action name (`auth.login.failed`, `conversation.assigned`, …). */
      Action: col.text(64),
      EntityType: col.text(64).nullable(),
      EntityId: col.text(64).nullable(),
      DetailsJson: col.json().nullable(),
      IpAddress: col.text(45).nullable(),
      UserAgent: col.text(512).nullable(),
      CreatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    indexes: [
      { columns: ['FirmId', 'Sequence'], unique: true },
      { columns: ['FirmId', 'CreatedAt'] },
      { columns: ['FirmId', 'ActorOperatorId', 'CreatedAt'] },
    ],
  }),

  /** Refresh tokens, stored only as hashes; a family is one sign-in, rotated on every refresh. */
  WhatsApp_RefreshTokens: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      OperatorId: col.id(),
      FamilyId: col.id(),
      /** The token this one replaced (null for the first of a family). */
      ParentId: col.id().nullable(),
      ReplacedById: col.id().nullable(),
      /** Hex SHA-256 of the token. */
      TokenHash: col.text(64),
      IssuedAt: col.datetime(),
      UsedAt: col.datetime().nullable(),
      RevokedAt: col.datetime().nullable(),
      /** `logout` | `reuse` | `password-changed` | …. */
      RevokedReason: col.text(32).nullable(),
      IdleExpiresAt: col.datetime(),
      AbsoluteExpiresAt: col.datetime(),
      IpAddress: col.text(45).nullable(),
      UserAgent: col.text(512).nullable(),
    },
    primaryKey: ['Id'],
    foreignKeys: [firmKey, { column: 'OperatorId', references: { table: 'WhatsApp_Operators', column: 'Id' } }],
    indexes: [{ columns: ['TokenHash'], unique: true }, { columns: ['FamilyId'] }, { columns: ['OperatorId'] }],
  }),

  /** Password-reset secrets (e-mail link token or SMS code), stored only as hashes. */
  WhatsApp_PasswordResetTokens: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      OperatorId: col.id(),
      /** `email` | `sms`. */
      Channel: col.text(8),
      /** SHA-256 hex (link token) or a salted hash string (SMS code). */
      TokenHash: col.text(512),
      ExpiresAt: col.datetime(),
      UsedAt: col.datetime().nullable(),
      /** Wrong guesses of an SMS code; the code dies after the limit. */
      FailedAttempts: col.int().default(0),
      RevokedAt: col.datetime().nullable(),
      IpAddress: col.text(45).nullable(),
      CreatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    foreignKeys: [firmKey, { column: 'OperatorId', references: { table: 'WhatsApp_Operators', column: 'Id' } }],
    indexes: [{ columns: ['TokenHash'] }, { columns: ['OperatorId', 'CreatedAt'] }],
  }),

  /**
   * E-mail and SMS to operators (password reset, password changed), sent by the `notifications` queue worker.
   * The queue message carries only (FirmId, Id). A reset link token or SMS code waits here sealed
   * (AES-256-GCM, `SecretSealed`) until sent, then is cleared; the database otherwise holds only its hash.
   */
  WhatsApp_Notifications: defineTable({
    columns: {
      Id: col.id(),
      FirmId: col.int(),
      OperatorId: col.id(),
      /** `password-reset-link` | `password-reset-code` | `password-changed` | `channel-health-alert` (src/notifications/notification-data.ts). */
      Kind: col.text(40),
      /** `email` | `sms`. */
      Channel: col.text(8),
      /** E-mail address or phone digits, as they were when the notification was made. */
      Recipient: col.text(320),
      RecipientName: col.text(200),
      /** `tr` | `en`. */
      Language: col.text(10),
      /** Non-secret template values, one schema per kind (src/notifications/notification-data.ts). */
      DataJson: col.json().nullable(),
      SecretSealed: col.text(1024).nullable(),
      /** `pending` | `sent` | `failed`. */
      Status: col.text(16).default('pending'),
      Attempts: col.int().default(0),
      /** `acs-email` | `netgsm-sms` | `local-outbox`. */
      Provider: col.text(32).nullable(),
      ProviderMessageId: col.text(128).nullable(),
      LastError: col.text(1000).nullable(),
      CreatedAt: col.datetime(),
      SentAt: col.datetime().nullable(),
      UpdatedAt: col.datetime(),
    },
    primaryKey: ['Id'],
    foreignKeys: [firmKey, { column: 'OperatorId', references: { table: 'WhatsApp_Operators', column: 'Id' } }],
    indexes: [{ columns: ['FirmId', 'CreatedAt'] }, { columns: ['Status', 'CreatedAt'] }],
  }),
};

checkSchema(schema);

/** The name of each table. */
export type TableName = keyof typeof schema;

/** Kysely's migration bookkeeping tables (created by Kysely's `Migrator`, and by sql/ for DBAs). */
export const migrationTableName = 'WhatsApp_SchemaMigrations';
export const migrationLockTableName = 'WhatsApp_SchemaMigrationLock';
