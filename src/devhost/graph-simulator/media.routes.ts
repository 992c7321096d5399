// Media endpoints: multipart upload, GET /{media-id} (URL valid 5 minutes), DELETE, and the authenticated download.
import { createHash } from 'node:crypto';
import { graphError, parameterRequired, unsupportedRequest } from './graph-errors';
import { baseMimeType, supportedMediaTypes } from './media-types';
import type { RouteResult, SimulatorState } from './simulator-state';
import type { SimulatedPhoneNumber } from './webhook-envelope';

/** What received() shows for an upload instead of the bytes. */
export interface UploadSummary {
  fields: Record<string, string>;
  file?: { name: string; type: string; size: number; sha256: string };
}

/** Parses multipart/form-data with the runtime's own (undici) parser rather than a hand-written one. */
async function parseMultipart(raw: Buffer, contentType: string): Promise<FormData | undefined> {
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) return undefined;
  try {
    return await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return undefined;
  }
}

export async function uploadMedia(
  state: SimulatorState,
  phone: SimulatedPhoneNumber,
  raw: Buffer,
  contentType: string,
): Promise<{ result: RouteResult; summary: UploadSummary }> {
  const form = await parseMultipart(raw, contentType);
  const fields: Record<string, string> = {};
  let file: File | undefined;
  for (const [key, value] of form?.entries() ?? []) {
    if (typeof value === 'string') fields[key] = value;
    else if (key === 'file') file = value;
  }
  const bytes = file === undefined ? undefined : Buffer.from(await file.arrayBuffer());
  const summary: UploadSummary = {
    fields,
    ...(file === undefined || bytes === undefined
      ? {}
      : { file: { name: file.name, type: file.type, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } }),
  };
  if (fields.messaging_product !== 'whatsapp') return { result: parameterRequired('messaging_product'), summary };
  if (file === undefined || bytes === undefined) return { result: parameterRequired('file'), summary };

  // The file part's own type wins (curl's `file=@x;type=…`); the `type` field is the fallback.
  const mimeType = file.type && file.type !== 'application/octet-stream' ? file.type : (fields.type ?? file.type);
  const limits = supportedMediaTypes[baseMimeType(mimeType)];
  if (limits === undefined) {
    const allowed = Object.keys(supportedMediaTypes).join(', ');
    return {
      result: graphError(100, { message: `(#100) Param file must be a file with one of the following types: ${allowed}. Received file of type '${mimeType}'.` }),
      summary,
    };
  }
  if (bytes.length > limits.maxBytes) {
    return {
      result: graphError(131053, { details: `File size ${bytes.length} bytes exceeds the ${limits.maxBytes} bytes allowed for ${baseMimeType(mimeType)}.` }),
      summary,
    };
  }
  const stored = state.media.put({ bytes, mimeType, filename: file.name, phoneNumberId: phone.phoneNumberId, origin: 'upload' });
  return { result: { status: 200, body: { id: stored.id } }, summary };
}

/** GET /{media-id}: the metadata and a fresh 5-minute URL; sha256 is hex here (webhooks carry base64). */
export function getMedia(state: SimulatorState, mediaId: string, query: URLSearchParams): RouteResult | undefined {
  const media = state.media.get(mediaId);
  if (media === undefined) return undefined;
  const phoneNumberId = query.get('phone_number_id');
  if (phoneNumberId !== null && media.phoneNumberId !== undefined && phoneNumberId !== media.phoneNumberId) {
    return unsupportedRequest('GET', mediaId);
  }
  return {
    status: 200,
    body: {
      messaging_product: 'whatsapp',
      url: state.media.signedUrl(state.baseUrl, media.id, state.mediaUrlTtlMs),
      mime_type: media.mimeType,
      sha256: media.sha256Hex,
      file_size: media.fileSize,
      id: media.id,
    },
  };
}

export function deleteMedia(state: SimulatorState, mediaId: string, query: URLSearchParams): RouteResult | undefined {
  const media = state.media.get(mediaId);
  if (media === undefined) return undefined;
  const phoneNumberId = query.get('phone_number_id');
  if (phoneNumberId !== null && media.phoneNumberId !== undefined && phoneNumberId !== media.phoneNumberId) {
    return unsupportedRequest('DELETE', mediaId);
  }
  state.media.delete(mediaId);
  return { status: 200, body: { success: true } };
}

/** GET <media url>: the bytes with the media's Content-Type; an expired, forged or deleted URL is a 404, as at Meta. */
export function downloadMedia(state: SimulatorState, query: URLSearchParams): RouteResult {
  const verified = state.media.verifyUrl(query);
  const bytes = 'id' in verified ? state.media.bytes(verified.id) : undefined;
  const media = 'id' in verified ? state.media.get(verified.id) : undefined;
  if (bytes === undefined || media === undefined) {
    return { status: 404, body: 'Not Found', raw: { bytes: Buffer.from('Not Found'), contentType: 'text/plain' } };
  }
  return { status: 200, body: { mediaId: media.id, size: bytes.length }, raw: { bytes, contentType: media.mimeType } };
}
