// GET /api/media/{messageId} as a use case: the stored file of a message of the caller's firm.
import type { Kysely } from 'kysely';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { Actor } from '../auth/actor';
import type { Database } from '../db/tables';
import { AppError } from '../shared/app-error';
import { requireConversation } from '../inbox/conversation-access';
import { defaultMediaFileName, mediaContainer } from './media-blob-store';

export interface StoredMediaFile {
  readonly bytes: Buffer;
  readonly mimeType: string;
  readonly fileName: string;
}

/**
 * The file of a message in a conversation the caller may see. Another firm's message, or one without media, is NotFound (the
 * caller learns nothing about other firms); a download still running is MediaNotReady, a failed one MediaUnavailable.
 */
export async function getMessageMedia(services: { db: Kysely<Database>; storage: { blobs: BlobServiceClient } }, actor: Pick<Actor, 'firmId' | 'operatorId' | 'role'>, messageId: string): Promise<StoredMediaFile> {
  const message = await services.db
    .selectFrom('WhatsApp_Messages')
    .select(['ConversationId', 'Type', 'MediaId', 'MediaState', 'MediaBlobPath', 'MediaMimeType', 'MediaFileName'])
    .where('Id', '=', messageId)
    .where('FirmId', '=', actor.firmId)
    .executeTakeFirst();
  if (!message?.MediaId) throw new AppError('NotFound');
  // The inbox's visibility rule decides, as for the conversation itself: an agent cannot fetch another agent's files.
  await requireConversation(services.db, actor, message.ConversationId, 'see');
  if (message.MediaState === 'pending') throw new AppError('MediaNotReady', undefined, { retryAfterSeconds: 2 });
  if (message.MediaState !== 'ready' || !message.MediaBlobPath) throw new AppError('MediaUnavailable');
  const container = await mediaContainer(services.storage.blobs);
  const bytes = await container.getBlockBlobClient(message.MediaBlobPath).downloadToBuffer();
  const mimeType = message.MediaMimeType ?? 'application/octet-stream';
  return { bytes, mimeType, fileName: message.MediaFileName ?? defaultMediaFileName(message.Type, message.MediaId, mimeType) };
}
