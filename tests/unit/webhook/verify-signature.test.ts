// W1 (known answers) and W2 (fuzz) for X-Hub-Signature-256 verification over raw bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from '../../../src/webhook/verify-signature';
import { readCorpusFile } from '../../support/webhook-corpus';

const RUNS = Number(process.env.WEBHOOK_FUZZ_RUNS ?? 10_000);

describe('W1: signature known answers', () => {
  it("matches GitHub's published vector", () => {
    const body = Buffer.from('Hello, World!');
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signWebhookBody(body, "It's a Secret to Everybody")).toBe(header);
    expect(verifyWebhookSignature(body, header, ["It's a Secret to Everybody"])).toBe(true);
  });

  it('matches an openssl HMAC of a Meta fixture, byte for byte', () => {
    // `openssl dgst -sha256 -hmac w1-known-answer-app-secret meta_text_plain.json`
    const { bytes } = readCorpusFile('meta_text_plain.json');
    const header = 'sha256=e25d61bba1380e1aabfdd231f612364416c5cc09256353b2340ae7630598fd20';
    expect(verifyWebhookSignature(bytes, header, ['w1-known-answer-app-secret'])).toBe(true);
    expect(verifyWebhookSignature(Buffer.from(JSON.stringify(JSON.parse(bytes.toString('utf8')))), header, ['w1-known-answer-app-secret'])).toBe(false);
  });

  it('accepts a body signed by any configured secret and refuses malformed headers', () => {
    const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
    const good = signWebhookBody(body, 'second-app-secret-xyz');
    expect(verifyWebhookSignature(body, good, ['first-app-secret-abc', 'second-app-secret-xyz'])).toBe(true);
    expect(verifyWebhookSignature(body, good, ['first-app-secret-abc'])).toBe(false);
    expect(verifyWebhookSignature(body, good, [])).toBe(false);
    expect(verifyWebhookSignature(body, null, ['second-app-secret-xyz'])).toBe(false);
    expect(verifyWebhookSignature(body, good.slice(0, -1), ['second-app-secret-xyz'])).toBe(false);
    expect(verifyWebhookSignature(body, good.replace('sha256=', 'sha1='), ['second-app-secret-xyz'])).toBe(false);
    expect(verifyWebhookSignature(body, good.replace('sha256=', 'SHA256='), ['second-app-secret-xyz'])).toBe(false);
    expect(verifyWebhookSignature(body, good.slice(7), ['second-app-secret-xyz'])).toBe(false);
    expect(verifyWebhookSignature(body, `${good}, ${good}`, ['second-app-secret-xyz'])).toBe(false);
    expect(verifyWebhookSignature(body, ` ${good}`, ['second-app-secret-xyz'])).toBe(false);
  });
});

describe('W2: signature fuzz', () => {
  const secret = 'fuzz-app-secret-0123456789';

  it('accepts every validly signed body', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (body) => verifyWebhookSignature(body, signWebhookBody(body, secret), [secret])),
      { numRuns: RUNS },
    );
  });

  it('refuses any single-bit flip in the body or in the signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 2048 }), fc.nat(), fc.boolean(), fc.nat(7), (body, at, inSignature, bit) => {
        const header = signWebhookBody(body, secret);
        if (inSignature) {
          const digest = Buffer.from(header.slice(7), 'hex');
          const i = at % digest.length;
          digest[i] = (digest[i] ?? 0) ^ (1 << bit);
          return !verifyWebhookSignature(body, `sha256=${digest.toString('hex')}`, [secret]);
        }
        const flipped = Buffer.from(body);
        const i = at % flipped.length;
        flipped[i] = (flipped[i] ?? 0) ^ (1 << bit);
        return !verifyWebhookSignature(flipped, header, [secret]);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on random headers and bodies, and never accepts them', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.oneof(fc.string(), fc.constant(null), fc.stringMatching(/^sha256=[0-9a-f]{0,70}$/), fc.stringMatching(/^sha256=[0-9A-Fa-f]{64}$/)),
        (body, header) => verifyWebhookSignature(body, header, [secret]) === false,
      ),
      { numRuns: RUNS },
    );
  });
});
