// POST /api/conversations/{id}/messages as a use case: check everything, store the message `queued`, publish, enqueue.
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor';
import type { Database, NewRow } from '../db/tables';
import { isUniqueViolation } from '../db/unique-violation';
import { requireConversation, type AccessibleConversation } from '../inbox/conversation-access';
import { requireOpenWindow } from '../inbox/reply-window';
import { loadMessages } from '../realtime/realtime-views.queries';
import type { MessageView } from '../realtime/realtime-events.schemas';
import type { RealtimeEvent } from '../realtime/realtime-publisher';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { resolveTemplateSend } from '../templates/resolve-template';
import type { TemplateParameters } from '../templates/template-parameters';
import { applyConversationActivity } from '../inbox/conversation-activity';
import { publishInBackground } from '../realtime/background-publish';
import { enqueueOutbound, queuedMessageRow } from './outbound.queries';
import { isMediaType, type SendMessageBody } from './outbound.schemas';

type QueueServices = Pick<Services, 'db' | 'clock' | 'storage' | 'realtime'>;

export interface QueuedReply {
  readonly message: MessageView;
  /** False when the client message id was seen before: the first message is returned and nothing new is sent. */
  readonly created: boolean;
}

interface Logger {
  warn(...args: unknown[]): void;
}

/**
 * Queues an operator's message. Everything that can be known before sending is checked first (the conversation by the
 * inbox rule: NotFound for an unknown or another firm's id, Forbidden for one the rule hides from the caller; the
 * 24-hour window, the upload, the template and its parameters, the quoted or reacted-to message); then the message is
 * committed as `queued` with the conversation's activity, published, and put on `outbound-messages`. A failed enqueue
 * is not an error for the caller: the message is committed and the sweep queues it.
 */
export async function queueReply(services: QueueServices, actor: Actor, conversationId: string, body: SendMessageBody, log: Logger): Promise<QueuedReply> {
  const repeat = await findByClientMessageId(services.db, actor.firmId, body.clientMessageId);
  if (repeat) return repeated(services, actor, repeat, conversationId);
  const { conversation } = await requireConversation(services.db, actor, conversationId, 'act');
  const now = services.clock.now();
  const row = await buildRow(services.db, actor, conversation, body, now);
  return commitAndQueue(services, actor, row, now, log);
}

/**
 * Stores a checked message row (`queued`) and its conversation activity in one transaction, then publishes and
 * enqueues. Shared with starting a conversation by template.
 */
export async function commitAndQueue(services: QueueServices, actor: Actor, row: NewRow<'WhatsApp_Messages'>, now: Date, log: Logger, extraEvents: RealtimeEvent[] = []): Promise<QueuedReply> {
  const conversationId = row.ConversationId;
  try {
    await services.db.transaction().execute(async (trx) => {
      // Recorded as on the queue in the same commit: the enqueue follows at once, and a failed one is undone below.
      await trx.insertInto('WhatsApp_Messages').values({ ...row, EnqueuedAt: now }).execute();
      if (row.Type !== 'reaction') {
        await applyConversationActivity(trx, conversationId, { newestAt: now, preview: previewOf(row), lastInboundAt: undefined, unreadIncrement: 0, reopen: false }, now);
      }
    });
  } catch (error) {
    if (!isUniqueViolation(error) || !row.ClientMessageId) throw error;
    const winner = await findByClientMessageId(services.db, actor.firmId, row.ClientMessageId);
    if (!winner) throw error;
    return repeated(services, actor, winner, conversationId);
  }
  const events: RealtimeEvent[] = [
    ...extraEvents,
    ...(row.Type === 'reaction' ? [] : [{ type: 'conversation.updated', firmId: actor.firmId, conversationId, change: 'activity' } as const]),
    { type: 'message.created', firmId: actor.firmId, conversationId, messageId: row.Id },
  ];
  publishInBackground(services.realtime, events, log);
  try {
    await enqueueOutbound(services, actor.firmId, row.Id, now, 0, true);
  } catch (error) {
    log.warn(`outbound: message ${row.Id} is committed but could not be queued now; the sweep will queue it`, error);
    // Says "never queued" so the sweep takes it within half a minute (else the overdue rule does, within two).
    await services.db.updateTable('WhatsApp_Messages').set({ EnqueuedAt: null }).where('Id', '=', row.Id).where('Status', '=', 'queued').execute().catch(() => undefined);
  }
  return { message: await viewOf(services.db, actor.firmId, row.Id), created: true };
}

/** The message a client message id already made (any conversation of the firm), for idempotent starts. */
export async function queueReplyRepeat(services: Pick<Services, 'db'>, actor: Actor, clientMessageId: string): Promise<QueuedReply | undefined> {
  const existing = await findByClientMessageId(services.db, actor.firmId, clientMessageId);
  return existing ? repeated(services, actor, existing, undefined) : undefined;
}

async function findByClientMessageId(db: Kysely<Database>, firmId: number, clientMessageId: string): Promise<{ Id: string; ConversationId: string } | undefined> {
  return db.selectFrom('WhatsApp_Messages').select(['Id', 'ConversationId']).where('FirmId', '=', firmId).where('ClientMessageId', '=', clientMessageId).executeTakeFirst();
}

async function repeated(services: Pick<Services, 'db'>, actor: Actor, existing: { Id: string; ConversationId: string }, conversationId: string | undefined): Promise<QueuedReply> {
  if (conversationId !== undefined && existing.ConversationId !== conversationId) {
    throw new AppError('Conflict', { tr: 'Bu clientMessageId başka bir mesaj için kullanıldı.', en: 'This clientMessageId was used for another message.' }, { fields: { clientMessageId: 'already used in another conversation' } });
  }
  return { message: await viewOf(services.db, actor.firmId, existing.Id), created: false };
}

async function viewOf(db: Kysely<Database>, firmId: number, messageId: string): Promise<MessageView> {
  const loaded = (await loadMessages(db, firmId, [messageId])).get(messageId);
  if (!loaded) throw new AppError('NotFound');
  return loaded.view;
}

function previewOf(row: NewRow<'WhatsApp_Messages'>): string {
  if (row.Text) return row.Text;
  return row.MediaFileName ?? `[${row.Type}]`;
}

function uploadInvalid(field: string, problem: string): AppError {
  return new AppError('UploadInvalid', { tr: `${field}: ${problem}`, en: `${field}: ${problem}` }, { fields: { [field]: problem } });
}

function invalidField(field: string, problem: string): AppError {
  return new AppError('InvalidRequest', { tr: `Geçersiz alan ${field}: ${problem}`, en: `Invalid field ${field}: ${problem}` }, { fields: { [field]: problem } });
}

/** A message of the conversation that WhatsApp knows (it has a wamid), for quoting or reacting. */
async function knownMessage(db: Kysely<Database>, firmId: number, conversationId: string, messageId: string, field: string): Promise<{ Id: string; WhatsAppMessageId: string }> {
  const row = await db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'WhatsAppMessageId'])
    .where('Id', '=', messageId)
    .where('FirmId', '=', firmId)
    .where('ConversationId', '=', conversationId)
    .executeTakeFirst();
  if (!row) throw invalidField(field, 'no such message in this conversation');
  if (!row.WhatsAppMessageId) throw invalidField(field, 'the message has not reached WhatsApp yet');
  return { Id: row.Id, WhatsAppMessageId: row.WhatsAppMessageId };
}

/** An upload of the firm that can be sent as `type`. */
async function usableUpload(db: Kysely<Database>, firmId: number, uploadId: string, type: string, field: string) {
  const upload = await db.selectFrom('WhatsApp_Uploads').selectAll().where('Id', '=', uploadId).where('FirmId', '=', firmId).executeTakeFirst();
  if (!upload) throw uploadInvalid(field, 'no such upload');
  if (upload.MediaType !== type) throw uploadInvalid(field, `the upload is a ${upload.MediaType}, not a ${type}`);
  return upload;
}

/** Builds the row for a send after checking it; throws the 4xx that names what is wrong. */
async function buildRow(db: Kysely<Database>, actor: Actor, conversation: AccessibleConversation, body: SendMessageBody, now: Date): Promise<NewRow<'WhatsApp_Messages'>> {
  const base = queuedMessageRow(actor, { conversationId: conversation.id, type: body.type, clientMessageId: body.clientMessageId }, now);
  if (body.type !== 'template') requireOpenWindow(conversation, now);
  const quoted = body.replyTo ? await knownMessage(db, actor.firmId, conversation.id, body.replyTo, 'replyTo') : undefined;
  const reply = quoted ? { ReplyToMessageId: quoted.Id, ReplyToWhatsAppMessageId: quoted.WhatsAppMessageId } : {};

  if (body.type === 'text') {
    return { ...base, ...reply, Text: body.text ?? '', ContentJson: body.previewUrl ? JSON.stringify({ previewUrl: true }) : null };
  }
  if (isMediaType(body.type)) {
    const upload = await usableUpload(db, actor.firmId, body.uploadId ?? '', body.type, 'uploadId');
    return {
      ...base,
      ...reply,
      Text: body.caption ?? null,
      UploadId: upload.Id,
      MediaState: 'ready',
      MediaBlobPath: upload.BlobPath,
      MediaMimeType: upload.MimeType,
      MediaSize: upload.Size,
      MediaFileName: body.fileName ?? upload.FileName,
    };
  }
  if (body.type === 'reaction') {
    const reacted = await knownMessage(db, actor.firmId, conversation.id, body.messageId ?? '', 'messageId');
    return { ...base, ReactionEmoji: body.emoji ?? '', ReactionToWhatsAppMessageId: reacted.WhatsAppMessageId, TargetWhatsAppMessageId: reacted.WhatsAppMessageId };
  }
  const template = await checkedTemplate(db, actor.firmId, { name: body.name ?? '', language: body.language ?? '', parameters: body.parameters }, now);
  return { ...base, ...reply, ...template };
}

/** The template fields of a row after the template, its parameters and any header upload are checked. */
export async function checkedTemplate(
  db: Kysely<Database>,
  firmId: number,
  send: { name: string; language: string; parameters?: TemplateParameters | undefined },
  now: Date,
): Promise<Pick<NewRow<'WhatsApp_Messages'>, 'Type' | 'Text' | 'TemplateName' | 'TemplateLanguage' | 'TemplateParametersJson' | 'UploadId'>> {
  const { row } = await resolveTemplateSend(db, firmId, send, now);
  const header = send.parameters?.header;
  let uploadId: string | null = null;
  if (header && header.type !== 'text') uploadId = (await usableUpload(db, firmId, header.uploadId, header.type === 'document' ? 'document' : header.type, 'parameters.header.uploadId')).Id;
  return {
    Type: 'template',
    Text: renderTemplateText(row.ComponentsJson, send.parameters),
    TemplateName: row.Name,
    TemplateLanguage: row.Language,
    TemplateParametersJson: JSON.stringify(send.parameters ?? {}),
    UploadId: uploadId,
  };
}

/** The body text the customer will read, placeholders filled in (for the history and the list preview). */
export function renderTemplateText(componentsJson: string, parameters: TemplateParameters | undefined): string | null {
  let components: unknown;
  try {
    components = JSON.parse(componentsJson);
  } catch {
    return null;
  }
  if (!Array.isArray(components)) return null;
  const body = components.find((c: unknown): c is { type: string; text?: string } => typeof c === 'object' && c !== null && String((c as { type?: unknown }).type).toUpperCase() === 'BODY');
  if (!body?.text) return null;
  const values = parameters?.body;
  return body.text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => {
    if (Array.isArray(values)) return values[Number(name) - 1] ?? whole;
    return values?.[name] ?? whole;
  });
}
