import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The fault run (tests/faults) mostly waits out Meta's back-offs (131056: 1, 4, 16, 64 s): it starts first so that it
 * waits while the other files run beside it, instead of adding its minutes at the end.
 */
class LongWaitsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const waits = (file: TestSpecification) => file.moduleId.includes('/tests/faults/');
    return [...sorted.filter(waits), ...sorted.filter((file) => !waits(file))];
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    environment: 'node',
    pool: 'forks',
    // Two files at once even on a 2-core machine (vitest's default there is one): most files wait on sockets, child
    // processes and timers, not on the CPU.
    maxWorkers: 2,
    sequence: { sequencer: LongWaitsFirst },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
