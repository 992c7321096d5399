// Pure rules of the sending pipeline: error classification by Meta code, back-off, pacing, template parameters.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffSeconds, classifySendError, explainSendFailure } from '../../../src/outbound/classify-send-error';
import { SendPacer, PAIR_LIMIT } from '../../../src/outbound/send-pacer';
import { WhatsAppCloudError } from '../../../src/outbound/whatsapp-cloud.client';
import { checkTemplateParameters, templateComponents, templateParameterSpec } from '../../../src/templates/template-parameters';

const graph = (code: number, httpStatus = 400) => new WhatsAppCloudError('graph', `Graph error ${code}`, { code, httpStatus });

describe('classifySendError', () => {
  it('branches on Meta’s code, not the HTTP status', () => {
    expect(classifySendError(graph(130429))).toMatchObject({ outcome: 'retry', backoff: 'throughput' });
    expect(classifySendError(graph(131056))).toMatchObject({ outcome: 'retry', backoff: 'pair' });
    expect(classifySendError(graph(4))).toMatchObject({ outcome: 'retry', backoff: 'throughput' });
    expect(classifySendError(graph(80007))).toMatchObject({ outcome: 'retry' });
    for (const code of [131047, 131026, 131051, 132000, 132001, 132012, 131053, 100]) expect(classifySendError(graph(code)), String(code)).toEqual({ outcome: 'fail', channelHealth: false });
    expect(classifySendError(graph(190, 401))).toEqual({ outcome: 'fail', channelHealth: true });
    // A permanent code stays permanent even on a 500; an unknown code on a 500 is retried.
    expect(classifySendError(graph(131026, 500))).toMatchObject({ outcome: 'fail' });
    expect(classifySendError(graph(999999, 500))).toMatchObject({ outcome: 'retry', backoff: 'transient' });
    expect(classifySendError(new WhatsAppCloudError('http', '502', { httpStatus: 502 }))).toMatchObject({ outcome: 'retry' });
    expect(classifySendError(new WhatsAppCloudError('not-sent', 'refused', { causeCode: 'ECONNREFUSED' }))).toMatchObject({ outcome: 'retry' });
    expect(classifySendError(new WhatsAppCloudError('unknown', 'timeout'))).toEqual({ outcome: 'unknown' });
    expect(classifySendError(new Error('anything else'))).toEqual({ outcome: 'unknown' });
  });

  it('explains failures in Turkish and English', () => {
    expect(explainSendFailure(131047, 'tr')).toMatch(/şablon/i);
    expect(explainSendFailure(131047, 'en')).toMatch(/template/);
    expect(explainSendFailure(132099, 'en')).toMatch(/template/i);
    expect(explainSendFailure(777, 'tr')).toMatch(/kod 777/);
  });
});

describe('backoffSeconds', () => {
  it('pair limit: 4^X s, X from 0, capped at 4,096 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffSeconds('pair', a))).toEqual([1, 4, 16, 64, 256, 1024, 4096, 4096]);
  });
  it('throughput and transient: full jitter within 1 … min(60, 2^attempt) s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const delay = backoffSeconds('throughput', attempt, () => r);
        return delay >= 1 && delay <= Math.min(60, 2 ** Math.min(attempt, 6));
      }),
    );
  });
});

describe('SendPacer', () => {
  it('spaces a number’s departures so no second holds more than its rate', () => {
    let now = 0;
    const pacer = new SendPacer(() => now);
    const departures: number[] = [];
    for (let i = 0; i < 400; i++) {
      const slot = pacer.reserveNumberSlot('n1', 80);
      departures.push(now + slot.waitMs);
      now += 1; // requests arrive far faster than 80/s
    }
    for (let i = 80; i < departures.length; i++) expect((departures[i] ?? 0) - (departures[i - 80] ?? 0)).toBeGreaterThan(1000);
    expect(400 / (((departures.at(-1) ?? 0) - (departures[0] ?? 0)) / 1000)).toBeGreaterThan(76.5);
  });

  it('widens a number’s margin after a 130429 and narrows it back over minutes', () => {
    let now = 0;
    const pacer = new SendPacer(() => now);
    const spacing = () => {
      const first = pacer.reserveNumberSlot('n1', 80);
      const second = pacer.reserveNumberSlot('n1', 80);
      now += 10_000; // the next measurement starts on an idle number
      return second.waitMs - first.waitMs;
    };
    expect(spacing()).toBeCloseTo(1040 / 80, 6);
    pacer.noteThrottled('n1');
    expect(pacer.guardMs('n1')).toBeCloseTo(80, 0);
    for (let i = 0; i < 5; i++) pacer.noteThrottled('n1');
    expect(pacer.guardMs('n1')).toBe(250);
    expect(pacer.guardMs('n2')).toBe(40);
    expect(spacing()).toBeGreaterThan(1240 / 80);
    now += 50_000; // one minute after the last 130429: half the extra is gone
    expect(pacer.guardMs('n1')).toBeCloseTo(40 + 210 / 2, 0);
    now += 10 * 60_000;
    expect(pacer.guardMs('n1')).toBe(40);
    expect(spacing()).toBeCloseTo(1040 / 80, 6);
  });

  it('holds the sliding second to the widened window too', () => {
    let now = 0;
    const pacer = new SendPacer(() => now);
    pacer.noteThrottled('n1');
    for (let i = 0; i < 80; i++) expect(pacer.departNow('n1', 80)).toBe(0);
    now += 1020;
    expect(pacer.departNow('n1', 80)).toBe(60);
    now += 60;
    expect(pacer.departNow('n1', 80)).toBe(0);
  });

  it('counts what the number received in its second, as Meta does (WHATSAPP.md §10)', () => {
    let now = 0;
    const pacer = new SendPacer(() => now);
    pacer.noteInbound('n1', 50);
    pacer.noteInbound('n2', 500); // another number's traffic takes nothing from n1
    for (let i = 0; i < 30; i++) expect(pacer.departNow('n1', 80)).toBe(0);
    // 50 received + 30 sent fill n1's 80 for this second (plus the 40 ms guard).
    expect(pacer.departNow('n1', 80)).toBe(1040);
    now += 1040;
    expect(pacer.departNow('n1', 80)).toBe(0);
    // Arrivals leave the sliding second as departures do.
    pacer.noteInbound('n3', 80);
    now += 1039;
    expect(pacer.departNow('n3', 80)).toBe(1);
    now += 1;
    expect(pacer.departNow('n3', 80)).toBe(0);
  });

  it('paces one customer at Meta’s pair limit: a burst, then one per 6 s', () => {
    let now = 0;
    const pacer = new SendPacer(() => now);
    for (let i = 0; i < PAIR_LIMIT.burst; i++) expect(pacer.takePairToken('n1', '+90555')).toBe(0);
    expect(pacer.takePairToken('n1', '+90555')).toBe(PAIR_LIMIT.intervalMs);
    expect(pacer.takePairToken('n1', '+90556')).toBe(0);
    now += PAIR_LIMIT.intervalMs;
    expect(pacer.takePairToken('n1', '+90555')).toBe(0);
  });
});

describe('template parameters', () => {
  const positional = JSON.stringify([
    { type: 'HEADER', format: 'TEXT', text: 'Act fast, {{1}}!' },
    { type: 'BODY', text: 'Code {{1}} expires in {{2}} days' },
    { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'See', url: 'https://x.example/{{1}}' }, { type: 'QUICK_REPLY', text: 'Stop' }] },
  ]);

  it('reads what a template needs and builds Meta’s components', () => {
    const spec = templateParameterSpec(positional, 'POSITIONAL');
    expect(spec).toEqual({ header: { type: 'text', name: '1' }, body: ['1', '2'], bodyFormat: 'positional', buttons: [{ index: 0, type: 'url', required: true }, { index: 1, type: 'quick_reply', required: false }] });
    const values = { header: { type: 'text' as const, text: 'Pablo' }, body: ['SUMMER20', '10'], buttons: [{ index: 0, text: 'summer' }, { index: 1, payload: 'STOP' }] };
    expect(checkTemplateParameters(spec, values)).toEqual({});
    expect(templateComponents(spec, values, undefined)).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'Pablo' }] },
      { type: 'body', parameters: [{ type: 'text', text: 'SUMMER20' }, { type: 'text', text: '10' }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'summer' }] },
      { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'STOP' }] },
    ]);
  });

  it('names every problem', () => {
    const spec = templateParameterSpec(positional, 'POSITIONAL');
    expect(checkTemplateParameters(spec, { body: ['only one'], buttons: [{ index: 5, text: 'x' }] })).toEqual({
      'parameters.header': 'a text value for {{1}} is required',
      'parameters.body': 'expects 2 value(s) for {{1}}, {{2}}, got 1',
      'parameters.buttons.0': 'the template has no button 5 that takes a value',
      'parameters.buttons': 'button 0 (URL) needs a value',
    });
    const named = templateParameterSpec(JSON.stringify([{ type: 'BODY', text: 'Hi {{first_name}}, order {{order_id}}' }]), 'NAMED');
    expect(checkTemplateParameters(named, { body: { first_name: 'A' } })).toEqual({ 'parameters.body': 'missing value(s) for {{order_id}}' });
    expect(checkTemplateParameters(named, { body: ['A', 'B'] })).toEqual({ 'parameters.body': 'must name its values: first_name, order_id' });
  });
});
