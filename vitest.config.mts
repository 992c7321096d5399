import { defineConfig } from 'vitest/config';

// tests/faults/ holds the long fault-injection runs (`npm run test:faults`); `npm test` runs everything else.
const faults = process.env['VITEST_FAULTS'] === '1';

export default defineConfig({
  test: {
    include: faults ? ['tests/faults/**/*.test.ts'] : ['tests/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: faults ? [] : ['tests/faults/**', '**/node_modules/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: faults ? 900_000 : 30_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
