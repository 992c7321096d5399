// The emulator's REST bearer check remembers tokens it verified; what it remembers must never let through a token the
// service would refuse: expired, not yet valid, for another URL, or signed with another key.
import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isRestRequestAuthorized } from '../../src/devhost/web-pubsub-emulator/access-key-token';
import { hmacKey } from '../../src/shared/hmac-key';

const ACCESS_KEY = 'ZW11bGF0b3Itb25seS1rZXktZm9yLXRoZS10ZXN0cy0wMTIzNDU2Nzg5';
const URL_SENT = 'http://127.0.0.1:8080/api/hubs/inbox/:send?api-version=2024-01-01&filter=%27firm-1%27%20in%20groups';

const bearer = (token: string) => `Bearer ${token}`;
const sign = (options: jwt.SignOptions, key = ACCESS_KEY) => jwt.sign({}, hmacKey(key), { algorithm: 'HS256', audience: URL_SENT, ...options });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-06-01T12:00:00.000Z'));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('REST bearer tokens, verified once per token and URL', () => {
  it('accepts a reused token until it expires, then refuses it (clock tolerance applied as jsonwebtoken does)', () => {
    const token = sign({ expiresIn: 60 });
    expect(isRestRequestAuthorized(bearer(token), URL_SENT, ACCESS_KEY, 0)).toBe(true);
    vi.setSystemTime(new Date('2026-06-01T12:00:59.000Z'));
    expect(isRestRequestAuthorized(bearer(token), URL_SENT, ACCESS_KEY, 0)).toBe(true);
    vi.setSystemTime(new Date('2026-06-01T12:01:00.000Z'));
    expect(isRestRequestAuthorized(bearer(token), URL_SENT, ACCESS_KEY, 0)).toBe(false);
    expect(isRestRequestAuthorized(bearer(token), URL_SENT, ACCESS_KEY, 5)).toBe(true);
    vi.setSystemTime(new Date('2026-06-01T12:01:05.000Z'));
    expect(isRestRequestAuthorized(bearer(token), URL_SENT, ACCESS_KEY, 5)).toBe(false);
  });

  it('refuses a remembered token before its not-before time', () => {
    const token = sign({ expiresIn: 600 });
    const early = sign({ expiresIn: 600, notBefore: 30 });
    expect(isRestRequestAuthorized(bearer(token), URL_SENT, ACCESS_KEY, 0)).toBe(true);
    expect(isRestRequestAuthorized(bearer(early), URL_SENT, ACCESS_KEY, 0)).toBe(false);
    vi.setSystemTime(new Date('2026-06-01T12:00:30.000Z'));
    expect(isRestRequestAuthorized(bearer(early), URL_SENT, ACCESS_KEY, 0)).toBe(true);
    vi.setSystemTime(new Date('2026-06-01T12:00:10.000Z'));
    expect(isRestRequestAuthorized(bearer(early), URL_SENT, ACCESS_KEY, 0)).toBe(false);
  });

  it('does not carry a verification over to another URL or another access key', () => {
    const token = sign({ expiresIn: 600 });
    expect(isRestRequestAuthorized(bearer(token), URL_SENT, ACCESS_KEY, 0)).toBe(true);
    expect(isRestRequestAuthorized(bearer(token), URL_SENT.replace('inbox', 'other'), ACCESS_KEY, 0)).toBe(false);
    expect(isRestRequestAuthorized(bearer(token), URL_SENT, 'another-access-key-0123456789abcdef', 0)).toBe(false);
    const forged = sign({ expiresIn: 600 }, 'another-access-key-0123456789abcdef');
    expect(isRestRequestAuthorized(bearer(forged), URL_SENT, ACCESS_KEY, 0)).toBe(false);
    expect(isRestRequestAuthorized(bearer(forged), URL_SENT, ACCESS_KEY, 0)).toBe(false);
  });
});
