// POST /api/uploads (multipart/form-data: `file`, optional `type`): a file to send, checked against WhatsApp's limits.
import { created } from '../http/respond';
import { defineRoute } from '../http/define-route';
import { createUpload, parseUploadForm } from '../uploads/create-upload';
import { MAX_UPLOAD_BYTES } from '../uploads/upload-limits';

defineRoute({
  name: 'uploads-create',
  method: 'POST',
  route: 'uploads',
  access: 'operator',
  // The largest WhatsApp file (a 100 MB document) plus room for the multipart framing.
  maxBodyBytes: MAX_UPLOAD_BYTES + 64 * 1024,
  handle: async ({ services, actor, rawBody, request }) => created(await createUpload(services, actor, await parseUploadForm(rawBody, request.headers.get('content-type')))),
});
