// Media held by the simulator (uploads and pre-registered inbound files): bytes, hashes, ids and 5-minute signed URLs.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newNumericId } from './graph-ids';

/** What the simulator knows about one media id. */
export interface StoredMedia {
  id: string;
  mimeType: string;
  /** Hex, as GET /{media-id} answers it. */
  sha256Hex: string;
  /** Base64, as inbound webhooks carry it. */
  sha256Base64: string;
  fileSize: number;
  filename?: string;
  phoneNumberId?: string;
  origin: 'upload' | 'inbound';
  createdAt: number;
  expiresAt: number;
}

export interface PutMediaInput {
  bytes: Uint8Array;
  mimeType: string;
  filename?: string;
  phoneNumberId?: string;
  origin: 'upload' | 'inbound';
}

export interface MediaStore {
  put(input: PutMediaInput): StoredMedia;
  get(id: string): StoredMedia | undefined;
  bytes(id: string): Buffer | undefined;
  delete(id: string): boolean;
  /** A download URL on the simulator, valid for `ttlMs` (Meta: 5 minutes). */
  signedUrl(baseUrl: string, id: string, ttlMs: number): string;
  /** Checks a download URL's query: the media id, or why it is not usable. */
  verifyUrl(query: URLSearchParams): { id: string } | { problem: 'expired' | 'invalid' };
}

const day = 24 * 60 * 60 * 1000;
// Meta: uploaded media ids live 30 days, ids received in webhooks 7 days (WHATSAPP.md §7).
const lifetimeByOrigin = { upload: 30 * day, inbound: 7 * day } as const;

/** Creates a store in memory, or under `dataDir/media` when given (so media survives a restart of `npm start`). */
export function createMediaStore(options: { dataDir?: string; now?: () => number } = {}): MediaStore {
  const now = options.now ?? Date.now;
  const urlKey = randomBytes(32);
  const records = new Map<string, StoredMedia>();
  const contents = new Map<string, Buffer>();
  const dir = options.dataDir === undefined ? undefined : join(options.dataDir, 'media');
  if (dir !== undefined) mkdirSync(dir, { recursive: true });
  const fileOf = (id: string, ext: 'bin' | 'json') => join(dir ?? '', `${id.replace(/\D/g, '')}.${ext}`);

  const load = (id: string): StoredMedia | undefined => {
    const cached = records.get(id);
    if (cached !== undefined || dir === undefined || !/^\d+$/.test(id)) return cached;
    try {
      const record = JSON.parse(readFileSync(fileOf(id, 'json'), 'utf8')) as StoredMedia;
      records.set(id, record);
      return record;
    } catch {
      return undefined;
    }
  };
  const sign = (id: string, expires: number) => createHmac('sha256', urlKey).update(`${id}:${expires}`).digest('base64url');

  return {
    put(input) {
      const bytes = Buffer.from(input.bytes);
      const createdAt = now();
      const digest = createHash('sha256').update(bytes).digest();
      const record: StoredMedia = {
        id: newNumericId(),
        mimeType: input.mimeType,
        sha256Hex: digest.toString('hex'),
        sha256Base64: digest.toString('base64'),
        fileSize: bytes.length,
        ...(input.filename === undefined ? {} : { filename: input.filename }),
        ...(input.phoneNumberId === undefined ? {} : { phoneNumberId: input.phoneNumberId }),
        origin: input.origin,
        createdAt,
        expiresAt: createdAt + lifetimeByOrigin[input.origin],
      };
      records.set(record.id, record);
      if (dir === undefined) contents.set(record.id, bytes);
      else {
        writeFileSync(fileOf(record.id, 'bin'), bytes);
        writeFileSync(fileOf(record.id, 'json'), JSON.stringify(record));
      }
      return { ...record };
    },
    get(id) {
      const record = load(id);
      return record !== undefined && record.expiresAt > now() ? { ...record } : undefined;
    },
    bytes(id) {
      if (this.get(id) === undefined) return undefined;
      if (dir === undefined) return contents.get(id);
      try {
        return readFileSync(fileOf(id, 'bin'));
      } catch {
        return undefined;
      }
    },
    delete(id) {
      const existed = this.get(id) !== undefined;
      records.delete(id);
      contents.delete(id);
      if (dir !== undefined && /^\d+$/.test(id)) {
        rmSync(fileOf(id, 'bin'), { force: true });
        rmSync(fileOf(id, 'json'), { force: true });
      }
      return existed;
    },
    signedUrl(baseUrl, id, ttlMs) {
      // Whole seconds like Meta's `ext`; rounding up so a URL never lives shorter than ttlMs.
      const expires = Math.ceil((now() + ttlMs) / 1000);
      const query = new URLSearchParams({ mid: id, ext: String(expires), hash: sign(id, expires) });
      return `${baseUrl}/whatsapp_business/attachments/?${query.toString()}`;
    },
    verifyUrl(query) {
      const id = query.get('mid') ?? '';
      const expires = Number(query.get('ext'));
      const presented = Buffer.from(query.get('hash') ?? '');
      const expected = Buffer.from(sign(id, expires));
      if (!Number.isFinite(expires) || presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
        return { problem: 'invalid' };
      }
      return expires * 1000 < now() ? { problem: 'expired' } : { id };
    },
  };
}
