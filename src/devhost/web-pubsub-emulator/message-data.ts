// Message payloads as Web PubSub carries them: a data type plus bytes, and the content-type and JSON field mappings.

/** The data types of the JSON subprotocols (`protobuf` is not supported here). */
export type DataType = 'json' | 'text' | 'binary';

/** A payload on its way through the emulator: for `json` the bytes are UTF-8 JSON text. */
export interface MessageData {
  readonly dataType: DataType;
  readonly bytes: Buffer;
}

/**
 * Maps a REST or upstream Content-Type to a data type as the service does: JSON, plain text,
 * and octet-stream (also when no type is given). Any other type is unsupported (undefined).
 */
export function dataTypeFromContentType(contentType: string | undefined): DataType | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === '' || mediaType === 'application/octet-stream') return 'binary';
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'text/plain') return 'text';
  return undefined;
}

/** The Content-Type the service uses when it forwards a payload upstream. */
export function contentTypeOf(dataType: DataType): string {
  switch (dataType) {
    case 'json':
      return 'application/json';
    case 'text':
      return 'text/plain';
    case 'binary':
      return 'application/octet-stream';
  }
}

/** The `"dataType":…,"data":…` members of a downstream JSON message (binary as base64, JSON inlined). */
export function dataMembers(data: MessageData): string {
  const dataType = JSON.stringify(data.dataType);
  switch (data.dataType) {
    case 'json':
      return `"dataType":${dataType},"data":${data.bytes.toString('utf8')}`;
    case 'text':
      return `"dataType":${dataType},"data":${JSON.stringify(data.bytes.toString('utf8'))}`;
    case 'binary':
      return `"dataType":${dataType},"data":${JSON.stringify(data.bytes.toString('base64'))}`;
  }
}

/** True when the bytes are one well-formed JSON value (REST bodies sent as application/json must be). */
export function isWellFormedJson(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
