// UUIDv7 ids: format, embedded time, text order, uniqueness.
import { describe, expect, it } from 'vitest';
import { idTimeMs, newId } from '../../../src/shared/ids';

describe('newId', () => {
  it('makes RFC 9562 version 7 UUIDs carrying the time', () => {
    const at = Date.UTC(2026, 4, 17, 10, 20, 30, 456);
    const id = newId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idTimeMs(id)).toBe(at);
  });

  it('sorts as text in creation order across milliseconds, and does not repeat', () => {
    const start = Date.now();
    const ids = Array.from({ length: 2000 }, (_, i) => newId(start + i));
    expect([...ids].sort()).toEqual(ids);
    const many = new Set(Array.from({ length: 20_000 }, () => newId()));
    expect(many.size).toBe(20_000);
  });
});
