import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'core/**/*.test.ts',
      'sidecar-agent/**/*.test.ts',
      'worker/**/*.test.ts',
      'ui/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: integration suites start real processes (Prometheus, workerd, s3rver).
    maxWorkers: 2,
    minWorkers: 1,
  },
});
