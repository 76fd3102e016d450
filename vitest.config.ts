// Test runner settings: every test file runs in its own forked process so worker threads,
// file descriptors and temp dirs of one file never leak into another.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
