import { it } from 'vitest';
import { startRealtimeStack } from '/work/main/tests/e2e/realtime/realtime-stack';
it('time', async () => {
  const stack = await startRealtimeStack();
  const op = await stack.createOperator(1, 'Agent', 'Timer');
  for (const n of [1, 1, 1, 10, 25]) {
    const t = performance.now();
    await Promise.all(Array.from({ length: n }, () => stack.negotiate(op).then((r) => r.text())));
    console.log(n, (performance.now() - t).toFixed(1), 'ms');
  }
  const t = performance.now();
  for (let i = 0; i < 20; i++) await stack.api('/health').then((r) => r.text());
  console.log('health x20', (performance.now() - t).toFixed(1));
  const t2 = performance.now();
  for (let i = 0; i < 20; i++) await stack.api('/auth/me', { token: op.accessToken }).then((r) => r.text());
  console.log('me x20', (performance.now() - t2).toFixed(1));
  await stack.stop();
}, 60000);
