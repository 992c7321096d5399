// The Kysely types of every table, derived from the schema definition so the two cannot drift apart.
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DatabaseOf } from './schema-definition';
import type { schema } from './schema';

/**
 * The database as Kysely sees it: `Kysely<Database>`. Table and column names are the SQL names
 * (`WhatsApp_Messages`, `FirmId`); times are `Date`, booleans `boolean`, ids and JSON `string`.
 */
export type Database = DatabaseOf<typeof schema>;

export type FirmSettingsRow = Selectable<Database['WhatsApp_FirmSettings']>;
export type PhoneNumberRow = Selectable<Database['WhatsApp_PhoneNumbers']>;
export type OperatorRow = Selectable<Database['WhatsApp_Operators']>;
export type CustomerRow = Selectable<Database['WhatsApp_Customers']>;
export type ConversationRow = Selectable<Database['WhatsApp_Conversations']>;
export type UploadRow = Selectable<Database['WhatsApp_Uploads']>;
export type MessageRow = Selectable<Database['WhatsApp_Messages']>;
export type PendingStatusRow = Selectable<Database['WhatsApp_PendingStatuses']>;
export type WebhookEventRow = Selectable<Database['WhatsApp_WebhookEvents']>;
export type TemplateRow = Selectable<Database['WhatsApp_Templates']>;
export type AuditLogRow = Selectable<Database['WhatsApp_AuditLogs']>;
export type RefreshTokenRow = Selectable<Database['WhatsApp_RefreshTokens']>;
export type PasswordResetTokenRow = Selectable<Database['WhatsApp_PasswordResetTokens']>;

/** The select, insert and update shapes of any table: `Row<'WhatsApp_Messages'>`, `NewRow<…>`, `RowUpdate<…>`. */
export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;
