// Gives an upload a Meta media id (uploading the file from Blob storage when it has none or it is near expiry).
import type { Kysely } from 'kysely';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { Database } from '../db/tables';
import { mediaContainer } from '../media/media-blob-store';
import type { WhatsAppCloudClient } from '../outbound/whatsapp-cloud.client';

/** Meta keeps uploaded media 30 days; a day's margin so a queued message never refers to an expired id. */
const MEDIA_ID_LIFETIME_MS = 29 * 24 * 60 * 60 * 1000;

/** Raised when the upload row or its bytes are gone: nothing can be sent. */
export class UploadMissingError extends Error {
  constructor(uploadId: string) {
    super(`upload ${uploadId} or its file no longer exists`);
    this.name = 'UploadMissingError';
  }
}

/**
 * The Meta media id of an upload of the firm. Uploading twice (two workers at once) only leaves an unused copy at
 * Meta, so no lock is taken; the newer id wins.
 */
export async function ensureMetaMedia(
  services: { db: Kysely<Database>; storage: { blobs: BlobServiceClient } },
  client: WhatsAppCloudClient,
  firmId: number,
  uploadId: string,
  now: Date,
): Promise<string> {
  const upload = await services.db.selectFrom('WhatsApp_Uploads').selectAll().where('Id', '=', uploadId).where('FirmId', '=', firmId).executeTakeFirst();
  if (!upload) throw new UploadMissingError(uploadId);
  if (upload.MetaMediaId && upload.MetaMediaUploadedAt && now.getTime() - upload.MetaMediaUploadedAt.getTime() < MEDIA_ID_LIFETIME_MS) return upload.MetaMediaId;
  const container = await mediaContainer(services.storage.blobs);
  let bytes: Buffer;
  try {
    bytes = await container.getBlockBlobClient(upload.BlobPath).downloadToBuffer();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) throw new UploadMissingError(uploadId);
    throw error;
  }
  const { mediaId } = await client.uploadMedia({ bytes, mimeType: upload.MimeType, fileName: upload.FileName ?? 'file' });
  await services.db.updateTable('WhatsApp_Uploads').set({ MetaMediaId: mediaId, MetaMediaUploadedAt: now }).where('Id', '=', upload.Id).execute();
  return mediaId;
}
