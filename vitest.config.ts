import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most suites wait on agent processes, sockets and files rather than the CPU: more files at
    // once than cores (vitest's default on 2 cores is one at a time).
    maxWorkers: 3,
  },
});
