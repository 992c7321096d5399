// GET /api/media/{messageId}: streams a stored inbound file to a signed-in operator of the message's firm.
import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { getMessageMedia } from '../media/get-message-media';

const ParamsSchema = z.object({ messageId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a message id') });

/** Types a browser may show in place; anything else downloads, so a hostile file cannot run as a page. */
const INLINE_TYPES = /^(image\/(jpeg|png|webp)|audio\/|video\/)/i;

defineRoute({
  name: 'media-get',
  method: 'GET',
  route: 'media/{messageId}',
  access: 'operator',
  params: ParamsSchema,
  handle: async ({ services, actor, params }) => {
    const file = await getMessageMedia(services, actor, params.messageId);
    const disposition = INLINE_TYPES.test(file.mimeType) ? 'inline' : 'attachment';
    return {
      status: 200,
      raw: file.bytes,
      headers: {
        'content-type': file.mimeType,
        'content-length': String(file.bytes.length),
        'content-disposition': contentDisposition(disposition, file.fileName),
        'cache-control': 'private, max-age=300',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
      },
    };
  },
});

/** RFC 6266: an ASCII fallback name plus the exact UTF-8 name in `filename*` (RFC 8187). */
function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
