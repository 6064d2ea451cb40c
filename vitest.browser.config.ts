import { defineConfig } from 'vitest/config';

/** Browser tests (`npm run test:browser`): the HTML report in Debian's chromium via playwright-core. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One chromium at a time: the machine has two cores and the timing test must not compete.
    fileParallelism: false,
  },
});
