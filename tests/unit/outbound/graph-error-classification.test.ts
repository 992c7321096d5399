// Classification of Graph errors by the fields a real Graph answer carries beyond `code`: `is_transient`, the HTTP status.
import { describe, expect, it } from 'vitest';
import { classifySendError } from '../../../src/outbound/classify-send-error';
import { WhatsAppCloudError } from '../../../src/outbound/whatsapp-cloud.client';

const graph = (code: number, httpStatus: number, isTransient?: boolean) =>
  new WhatsAppCloudError('graph', `Graph error ${code}`, { code, httpStatus, ...(isTransient === undefined ? {} : { isTransient }) });

describe('classifySendError with is_transient', () => {
  it('tries a code nobody documents a few times (SECURITY.md §6.3), unless Graph says retrying cannot help', () => {
    expect(classifySendError(graph(555, 400, true))).toEqual({ outcome: 'retry', backoff: 'transient', maxAttempts: 5 });
    expect(classifySendError(graph(555, 400))).toEqual({ outcome: 'retry', backoff: 'transient', maxAttempts: 5 });
    expect(classifySendError(graph(555, 500, false))).toEqual({ outcome: 'retry', backoff: 'transient', maxAttempts: 5 });
    expect(classifySendError(graph(555, 400, false))).toEqual({ outcome: 'fail', channelHealth: false });
  });

  it('fails at once every code and family WHATSAPP.md §9 documents as needing a person', () => {
    for (const code of [33, 131052, 132005, 132015, 132016, 132068, 133000, 133016, 135000]) {
      expect(classifySendError(graph(code, 400)), String(code)).toEqual({ outcome: 'fail', channelHealth: false });
    }
    // Those that stop every send of the number (permissions, restriction, billing, registration) also raise its alert.
    for (const code of [3, 10, 200, 250, 299, 368, 130497, 131031, 131042, 131045, 133010]) {
      expect(classifySendError(graph(code, 403)), String(code)).toEqual({ outcome: 'fail', channelHealth: true });
    }
    // 133004 (registration server temporarily unavailable) sits in the registration family but is documented as transient.
    expect(classifySendError(graph(133004, 400))).toMatchObject({ outcome: 'retry', backoff: 'transient' });
  });

  it('never lets is_transient override a documented permanent code or a token failure', () => {
    for (const code of [100, 131026, 131047, 131049, 131050]) expect(classifySendError(graph(code, 400, true)), String(code)).toEqual({ outcome: 'fail', channelHealth: false });
    expect(classifySendError(graph(190, 400, true))).toEqual({ outcome: 'fail', channelHealth: true });
  });

  it('keeps throttles and documented transient codes as they were, whatever the flag', () => {
    expect(classifySendError(graph(2, 500, true))).toMatchObject({ outcome: 'retry', backoff: 'transient' });
    expect(classifySendError(graph(131000, 400, false))).toMatchObject({ outcome: 'retry', backoff: 'transient' });
    expect(classifySendError(graph(4, 400, true))).toMatchObject({ outcome: 'retry', backoff: 'throughput' });
    expect(classifySendError(graph(131056, 400, false))).toMatchObject({ outcome: 'retry', backoff: 'pair' });
  });
});
