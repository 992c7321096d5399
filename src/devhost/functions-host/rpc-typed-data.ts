// Converts the worker's RpcTypedData (what getResponse returns) into bytes and message lists for the host side.
import type { RpcTypedData } from './core-types';

/** Bytes of a single value (`string`/`json` as UTF-8, numbers as text); undefined when there is no value. */
export function typedDataToBuffer(data: RpcTypedData | null | undefined): Buffer | undefined {
  if (!data) return undefined;
  if (data.bytes != null) return Buffer.from(data.bytes);
  if (data.stream != null) return Buffer.from(data.stream);
  if (data.string != null) return Buffer.from(data.string, 'utf8');
  if (data.json != null) return Buffer.from(data.json, 'utf8');
  if (data.int != null) return Buffer.from(String(data.int), 'utf8');
  if (data.double != null) return Buffer.from(String(data.double), 'utf8');
  return undefined;
}

/**
 * Message bodies for a queue output value: a JSON array (or collection) becomes one message per element,
 * as the host's queue output binding does for arrays; anything else is one message.
 */
export function typedDataToMessages(data: RpcTypedData | null | undefined): (string | Uint8Array)[] {
  if (!data) return [];
  if (data.json != null) {
    const value: unknown = JSON.parse(data.json);
    if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    return [data.json];
  }
  if (data.collectionString?.string) return data.collectionString.string;
  if (data.collectionBytes?.bytes) return data.collectionBytes.bytes;
  if (data.collectionDouble?.double) return data.collectionDouble.double.map(String);
  if (data.collectionSint64?.sint64) return data.collectionSint64.sint64.map(String);
  if (data.string != null) return [data.string];
  const bytes = typedDataToBuffer(data);
  return bytes ? [bytes] : [];
}
