// Opaque keyset cursors: a position in an ordering (a time and an id, or a search index key), wrapped so clients pass it back untouched.
import { z } from 'zod';
import { AppError } from '../shared/app-error';

/** A position in an ordering by (time, id). */
export interface TimeKey {
  readonly at: Date;
  readonly id: string;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The years SQL Server's datetime2 and the app's SQLite text both hold. */
const MIN_MS = Date.UTC(1, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const CursorSchema = z.union([
  z.tuple([z.string().min(1).max(16), z.number().int().min(MIN_MS).max(MAX_MS), z.string().regex(ID)]),
  z.tuple([z.string().min(1).max(16), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]),
]);

/**
 * Each endpoint tags its cursors with its own `kind` (`conversations`, `messages`, …), so a cursor from one list is
 * refused by another instead of silently meaning something else.
 */
export function encodeTimeCursor(kind: string, key: TimeKey): string {
  return Buffer.from(JSON.stringify([kind, key.at.getTime(), key.id]), 'utf8').toString('base64url');
}

/** A position that is one number (a search index key). */
export function encodeNumberCursor(kind: string, key: number): string {
  return Buffer.from(JSON.stringify([kind, key]), 'utf8').toString('base64url');
}

function decode(kind: string, cursor: string, field: string): z.infer<typeof CursorSchema> {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]+$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  const result = CursorSchema.safeParse(parsed);
  if (!result.success || result.data[0] !== kind) {
    throw new AppError(
      'InvalidRequest',
      { tr: `${field}: bu listenin imleci değil.`, en: `${field}: not a cursor of this list.` },
      { fields: { [field]: 'is not a cursor of this list' } },
    );
  }
  return result.data;
}

/** The position a time cursor names; InvalidRequest naming `field` for anything this endpoint did not issue. */
export function decodeTimeCursor(kind: string, cursor: string, field: string): TimeKey {
  const data = decode(kind, cursor, field);
  if (data.length !== 3) throw new AppError('InvalidRequest', undefined, { fields: { [field]: 'is not a cursor of this list' } });
  return { at: new Date(data[1]), id: data[2] };
}

/** The position a number cursor names; InvalidRequest naming `field` otherwise. */
export function decodeNumberCursor(kind: string, cursor: string, field: string): number {
  const data = decode(kind, cursor, field);
  if (data.length !== 2) throw new AppError('InvalidRequest', undefined, { fields: { [field]: 'is not a cursor of this list' } });
  return data[1];
}
