import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and e2e tests start real servers, databases and child processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
