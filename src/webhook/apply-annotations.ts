// Reactions, revokes and edits change another message; applied when both are stored, whichever arrived first.
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import type { RealtimeEvent } from '../realtime/realtime-publisher';
import { preparedQuery } from '../db/prepared-query';

interface Target {
  readonly Id: string;
  readonly ConversationId: string;
  readonly WhatsAppMessageId: string;
}

// Run for every inbound message, so prepared once (see src/db/prepared-query.ts).
const annotationsOf = preparedQuery<{ firmId: number; whatsAppMessageId: string }, { Id: string; Type: string; ReactionEmoji: string | null; Text: string | null; MessageAt: Date }>(
  (db, p) =>
    db
      .selectFrom('WhatsApp_Messages')
      .select(['Id', 'Type', 'ReactionEmoji', 'Text', 'MessageAt'])
      .where('FirmId', '=', p.firmId)
      .where('TargetWhatsAppMessageId', '=', p.whatsAppMessageId)
      .where('Direction', '=', 'inbound'),
);
const messageByWhatsAppId = preparedQuery<
  { firmId: number; whatsAppMessageId: string },
  { Id: string; ConversationId: string; WhatsAppMessageId: string | null; MediaState: string | null }
>((db, p) =>
  db
    .selectFrom('WhatsApp_Messages')
    .select(['Id', 'ConversationId', 'WhatsAppMessageId', 'MediaState'])
    .where('FirmId', '=', p.firmId)
    .where('WhatsAppMessageId', '=', p.whatsAppMessageId),
);

/**
 * Applies the annotations (inbound `reaction`, `revoke`, `edit` rows) that point at `target` through
 * `TargetWhatsAppMessageId`. Recomputed from all of them, so order of arrival and replays do not matter:
 * the customer's reaction is the newest reaction's emoji (an empty one removes it); the first revoke marks
 * the message deleted; the newest edit with text replaces the text.
 */
export async function applyAnnotationsTo(db: Kysely<Database>, firmId: number, target: Target, now: Date, events: RealtimeEvent[]): Promise<void> {
  const annotations = await annotationsOf(db, { firmId, whatsAppMessageId: target.WhatsAppMessageId });
  if (annotations.length === 0) return;
  const newestFirst = annotations.sort((a, b) => b.MessageAt.getTime() - a.MessageAt.getTime() || (a.Id < b.Id ? 1 : -1));
  const changes: string[] = [];

  const reaction = newestFirst.find((a) => a.Type === 'reaction');
  if (reaction) {
    const emoji = reaction.ReactionEmoji === null || reaction.ReactionEmoji === '' ? null : reaction.ReactionEmoji;
    const result = await db
      .updateTable('WhatsApp_Messages')
      .set({ CustomerReaction: emoji, UpdatedAt: now })
      .where('Id', '=', target.Id)
      .where((eb) => (emoji === null ? eb('CustomerReaction', 'is not', null) : eb.or([eb('CustomerReaction', 'is', null), eb('CustomerReaction', '!=', emoji)])))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) changes.push('reaction');
  }

  const revoke = newestFirst.filter((a) => a.Type === 'revoke').at(-1);
  if (revoke) {
    const result = await db
      .updateTable('WhatsApp_Messages')
      .set({ RevokedAt: revoke.MessageAt, UpdatedAt: now })
      .where('Id', '=', target.Id)
      .where('RevokedAt', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) changes.push('revoked');
  }

  const edit = newestFirst.find((a) => a.Type === 'edit' && a.Text !== null);
  if (edit?.Text) {
    const result = await db
      .updateTable('WhatsApp_Messages')
      .set({ Text: edit.Text, EditedAt: edit.MessageAt, UpdatedAt: now })
      .where('Id', '=', target.Id)
      .where((eb) => eb.or([eb('EditedAt', 'is', null), eb('EditedAt', '<', edit.MessageAt)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) changes.push('edited');
  }

  for (const change of changes) events.push({ type: 'message.updated', firmId, conversationId: target.ConversationId, messageId: target.Id, change });
}

/** The stored message a WhatsApp id names, if any, with its media state (a duplicate delivery may still need its file). */
export async function findByWhatsAppId(db: Kysely<Database>, firmId: number, whatsAppMessageId: string): Promise<(Target & { readonly MediaState: string | null }) | undefined> {
  const [row] = await messageByWhatsAppId(db, { firmId, whatsAppMessageId });
  return row && row.WhatsAppMessageId !== null ? { Id: row.Id, ConversationId: row.ConversationId, WhatsAppMessageId: row.WhatsAppMessageId, MediaState: row.MediaState } : undefined;
}
