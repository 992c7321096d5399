// What WhatsApp accepts for each media message type (WHATSAPP.md §7): MIME types, maximum sizes, file signatures.

export type UploadMediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

const KB = 1024;
const MB = 1024 * KB;

/** MIME type (lower case, no parameters) → the types it may be sent as, and the largest file WhatsApp takes. */
const limits: Readonly<Record<UploadMediaType, { readonly mimeTypes: readonly string[]; readonly maxBytes: number }>> = {
  image: { mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
  video: { mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
  audio: { mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * MB },
  document: {
    mimeTypes: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB,
  },
  // Animated stickers may be 500 KB, static ones 100 KB; telling them apart needs a WebP decoder, so the larger holds.
  sticker: { mimeTypes: ['image/webp'], maxBytes: 500 * KB },
};

/** The largest file any type allows (the upload route's body limit adds room for the multipart framing). */
export const MAX_UPLOAD_BYTES = 100 * MB;

/** `audio/ogg; codecs=opus` → `audio/ogg`. */
export function baseMimeType(mimeType: string): string {
  return (mimeType.split(';')[0] ?? '').trim().toLowerCase();
}

/** The type a MIME type is sent as when the client does not say (documents for anything document-like). */
export function mediaTypeOf(mimeType: string): UploadMediaType | undefined {
  const base = baseMimeType(mimeType);
  return (Object.keys(limits) as UploadMediaType[]).find((type) => limits[type].mimeTypes.includes(base));
}

/** Why a file cannot be sent as `type`, or undefined when it can. */
export function uploadProblem(type: UploadMediaType, mimeType: string, size: number): string | undefined {
  const spec = limits[type];
  const base = baseMimeType(mimeType);
  if (!spec.mimeTypes.includes(base)) return `a ${type} must be one of ${spec.mimeTypes.join(', ')}; got ${base || 'no type'}`;
  if (size === 0) return 'the file is empty';
  if (size > spec.maxBytes) return `a ${type} may be at most ${spec.maxBytes} bytes; this file has ${size}`;
  return undefined;
}

/** Leading bytes of formats whose signature is cheap to check, so a renamed file is refused before Meta refuses it (131053). */
const signatures: Readonly<Record<string, (bytes: Uint8Array) => boolean>> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v),
  'image/webp': (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP',
  'application/pdf': (b) => ascii(b, 0, 5) === '%PDF-',
  'video/mp4': (b) => ascii(b, 4, 8) === 'ftyp',
};

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

/** False when the bytes clearly are not what the MIME type claims (only checked for types with a known signature). */
export function matchesSignature(mimeType: string, bytes: Uint8Array): boolean {
  const check = signatures[baseMimeType(mimeType)];
  return check === undefined || check(bytes);
}
