import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vite's own warnings (e.g. the workflow parser's source maps name files its package does not ship).
  logLevel: 'error',
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
    // Integration and e2e tests start real servers, databases and child processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // GitHub's workflow parser is ESM that imports JSON without import attributes, which Node refuses;
    // Vite bundles it instead (test/integration/workflows.test.ts).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
