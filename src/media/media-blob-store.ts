// The `media` Blob container: inbound files stored per firm and conversation, read back for operators.
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';

export const MEDIA_CONTAINER = 'media';

const ensured = new WeakMap<BlobServiceClient, Promise<ContainerClient>>();

/** The media container, created on first use (private: files are only served through the API). */
export function mediaContainer(blobs: BlobServiceClient): Promise<ContainerClient> {
  let pending = ensured.get(blobs);
  if (!pending) {
    const container = blobs.getContainerClient(MEDIA_CONTAINER);
    pending = container.createIfNotExists().then(() => container);
    pending.catch(() => ensured.delete(blobs));
    ensured.set(blobs, pending);
  }
  return pending;
}

/**
 * Where a message's file lives: `<firmId>/<conversationId>/<messageId>/<file name>`. The file name is cleaned so it
 * cannot add path segments; the message id keeps two files with the same name apart.
 */
export function mediaBlobPath(input: { firmId: number; conversationId: string; messageId: string; fileName: string }): string {
  return `${input.firmId}/${input.conversationId}/${input.messageId}/${safeFileName(input.fileName)}`;
}

/** A file name without path separators, control characters or leading dots, at most 200 characters. */
export function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f/\\?#%*:|"<>]/g, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(-200);
  return cleaned === '' ? 'file' : cleaned;
}

const extensionByMime: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};

/** The name a file gets when Meta sent none (every type but documents): `<type>-<media id>.<ext>`. */
export function defaultMediaFileName(mediaType: string, mediaId: string, mimeType: string | undefined): string {
  const base = (mimeType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const ext = extensionByMime[base];
  return ext ? `${mediaType}-${mediaId}.${ext}` : `${mediaType}-${mediaId}`;
}
