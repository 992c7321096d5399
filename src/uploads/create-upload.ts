// POST /api/uploads as a use case: a file an operator will send, checked against WhatsApp's limits and kept in Blob storage.
import { createHash } from 'node:crypto';
import type { Actor } from '../auth/actor';
import { mediaContainer, safeFileName } from '../media/media-blob-store';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { newId } from '../shared/ids';
import { baseMimeType, matchesSignature, mediaTypeOf, uploadProblem, type UploadMediaType } from './upload-limits';

export interface UploadInput {
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  readonly fileName: string;
  /** How the file will be sent; inferred from the MIME type when absent. */
  readonly type: UploadMediaType | undefined;
}

export interface UploadView {
  readonly uploadId: string;
  readonly type: UploadMediaType;
  readonly mimeType: string;
  readonly size: number;
  readonly fileName: string;
  readonly sha256: string;
}

function refused(problem: string, field = 'file'): AppError {
  return new AppError('UploadInvalid', { tr: `Dosya gönderilemez: ${problem}`, en: `The file cannot be sent: ${problem}` }, { fields: { [field]: problem } });
}

/** Where an upload's bytes live in the `media` container. */
export function uploadBlobPath(firmId: number, uploadId: string, fileName: string): string {
  return `uploads/${firmId}/${uploadId}/${safeFileName(fileName)}`;
}

/** Checks the file (type, size, signature), stores it and records it for the caller's firm. */
export async function createUpload(services: Pick<Services, 'db' | 'clock' | 'storage'>, actor: Actor, input: UploadInput): Promise<UploadView> {
  const mimeType = baseMimeType(input.mimeType);
  const type = input.type ?? mediaTypeOf(mimeType);
  if (!type) throw refused(`WhatsApp does not accept files of type ${mimeType || 'unknown'}`);
  const problem = uploadProblem(type, mimeType, input.bytes.length);
  if (problem) throw refused(problem);
  if (!matchesSignature(mimeType, input.bytes)) throw refused(`the file's content is not ${mimeType}`);

  const now = services.clock.now();
  const uploadId = newId(now.getTime());
  const fileName = safeFileName(input.fileName || `${type}`);
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const blobPath = uploadBlobPath(actor.firmId, uploadId, fileName);
  const container = await mediaContainer(services.storage.blobs);
  await container.getBlockBlobClient(blobPath).uploadData(input.bytes, { blobHTTPHeaders: { blobContentType: mimeType }, metadata: { sha256 } });
  await services.db
    .insertInto('WhatsApp_Uploads')
    .values({
      Id: uploadId,
      FirmId: actor.firmId,
      OperatorId: actor.operatorId,
      MediaType: type,
      BlobPath: blobPath,
      MimeType: mimeType,
      Size: input.bytes.length,
      Sha256: sha256,
      FileName: fileName,
      CreatedAt: now,
    })
    .execute();
  return { uploadId, type, mimeType, size: input.bytes.length, fileName, sha256 };
}

/**
 * Reads a multipart/form-data body (`file`, optional `type`) with the runtime's own parser (undici's `FormData`,
 * the one `fetch` uses) rather than a hand-written one.
 */
export async function parseUploadForm(raw: Buffer, contentType: string | null): Promise<UploadInput> {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new AppError('UnsupportedMediaType', { tr: 'Dosya multipart/form-data ile gönderilmeli.', en: 'Send the file as multipart/form-data.' });
  }
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new AppError('InvalidRequest', { tr: 'Çok parçalı gövde okunamadı.', en: 'The multipart body could not be read.' }, { fields: { body: 'malformed multipart/form-data' } });
  }
  const file = form.get('file');
  if (file === null || typeof file === 'string') throw new AppError('InvalidRequest', { tr: '`file` alanı gerekli.', en: 'The `file` field is required.' }, { fields: { file: 'required' } });
  const typeField = form.get('type');
  const type = typeof typeField === 'string' && typeField !== '' ? typeField : undefined;
  if (type !== undefined && !['image', 'video', 'audio', 'document', 'sticker'].includes(type)) {
    throw new AppError('InvalidRequest', { tr: '`type` image, video, audio, document veya sticker olmalı.', en: '`type` must be image, video, audio, document or sticker.' }, { fields: { type: 'must be image, video, audio, document or sticker' } });
  }
  return { bytes: new Uint8Array(await file.arrayBuffer()), mimeType: file.type, fileName: file.name, type: type as UploadMediaType | undefined };
}
