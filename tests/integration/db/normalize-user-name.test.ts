// The user-name spelling the unique key compares (case and Turkish i folded).
import { describe, expect, it } from 'vitest';
import { normalizeUserName } from '../../../src/db/normalize-user-name';

describe('normalizeUserName', () => {
  it('folds case and every Turkish i to one spelling', () => {
    for (const name of ['ILKER', 'İlker', 'ilker', 'ılker', 'İLKER', 'Ilker']) expect(normalizeUserName(name)).toBe('ilker');
  });

  it('keeps other letters apart and folds compatibility forms', () => {
    expect(normalizeUserName('IŞIK')).toBe('işik');
    expect(normalizeUserName('ISIK')).toBe('isik');
    expect(normalizeUserName('ÖZGE')).toBe('özge');
    expect(normalizeUserName('Ａｄｍｉｎ')).toBe('admin');
  });
});
