// Graph API calls for inbound media: look up a media id's short-lived URL, then download it with the bearer token.
import { z } from 'zod';
import { readGraphError } from '../shared/graph-error';
import { parseJson } from '../shared/parse-json';

/** `GET /{version}/{media-id}` answer (WHATSAPP.md §7). `sha256` is hex here, base64 in webhooks. */
const MediaInfoSchema = z.looseObject({
  url: z.url(),
  mime_type: z.string().nullish(),
  sha256: z.string().nullish(),
  file_size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
  id: z.string().nullish(),
});

export interface MediaInfo {
  readonly url: string;
  readonly mimeType: string | undefined;
  readonly sha256: string | undefined;
  readonly fileSize: number | undefined;
}

/** A failed Graph call. `permanent` means retrying cannot help (the media id is unknown or expired). */
export class WhatsAppMediaError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly httpStatus?: number,
    readonly graphCode?: number,
  ) {
    super(message);
    this.name = 'WhatsAppMediaError';
  }
}

export interface WhatsAppMediaClientOptions {
  /** `https://graph.facebook.com` or the simulator's base URL. */
  readonly baseUrl: string;
  /** `v21.0`. */
  readonly apiVersion: string;
  readonly timeoutInMs?: number;
}

/** Inbound files over 100 MB are never delivered by Meta (WHATSAPP.md §7); refuse anything bigger. */
export const MAX_MEDIA_BYTES = 100 * 1024 * 1024;

/** The two media calls the inbound pipeline makes, named and shaped as the Azure SDK guidelines suggest. */
export class WhatsAppMediaClient {
  private readonly timeoutInMs: number;

  constructor(private readonly options: WhatsAppMediaClientOptions) {
    this.timeoutInMs = options.timeoutInMs ?? 30_000;
  }

  /** Fetches the media's download URL (valid five minutes) and its size, type and hash. */
  async getMediaInfo(mediaId: string, accessToken: string, options: { phoneNumberId?: string } = {}): Promise<MediaInfo> {
    const url = new URL(`${this.options.baseUrl}/${this.options.apiVersion}/${encodeURIComponent(mediaId)}`);
    if (options.phoneNumberId) url.searchParams.set('phone_number_id', options.phoneNumberId);
    const response = await this.call(url, accessToken);
    const text = await response.text();
    if (!response.ok) {
      const code = readGraphError(parseJson(text))?.code;
      // 100 = "object does not exist / unsupported get": the id is wrong or older than Meta keeps it (7 days).
      const permanent = response.status === 404 || (response.status === 400 && code === 100);
      throw new WhatsAppMediaError(`media lookup answered ${response.status}${code ? ` (code ${code})` : ''}`, permanent, response.status, code);
    }
    const info = MediaInfoSchema.safeParse(parseJson(text));
    if (!info.success) throw new WhatsAppMediaError('media lookup answered an unexpected body', false, response.status);
    return {
      url: info.data.url,
      mimeType: info.data.mime_type ?? undefined,
      sha256: info.data.sha256 ?? undefined,
      fileSize: info.data.file_size ?? undefined,
    };
  }

  /** Downloads the bytes behind a media URL; an expired URL (404) is a retryable failure: the next try gets a new one. */
  async downloadMedia(mediaUrl: string, accessToken: string, maxBytes: number = MAX_MEDIA_BYTES): Promise<{ bytes: Buffer; contentType: string | undefined }> {
    const response = await this.call(new URL(mediaUrl), accessToken);
    if (!response.ok) {
      await response.body?.cancel();
      throw new WhatsAppMediaError(`media download answered ${response.status}`, false, response.status);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw new WhatsAppMediaError(`media is ${declared} bytes, over the ${maxBytes} limit`, true, response.status);
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > maxBytes) throw new WhatsAppMediaError(`media is over the ${maxBytes} byte limit`, true, response.status);
    return { bytes, contentType: response.headers.get('content-type') ?? undefined };
  }

  private async call(url: URL, accessToken: string): Promise<Response> {
    try {
      return await fetch(url, {
        headers: { authorization: `Bearer ${accessToken}` },
        signal: AbortSignal.timeout(this.timeoutInMs),
        redirect: 'follow',
      });
    } catch (error) {
      throw new WhatsAppMediaError(`media request to ${url.host} failed: ${error instanceof Error ? error.message : String(error)}`, false);
    }
  }
}
