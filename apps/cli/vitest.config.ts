import { defineProject } from 'vitest/config';

// CLI tests run the built binary as a subprocess, so they need `pnpm build` first (turbo does it).
export default defineProject({
  resolve: { conditions: ['crys-source'] },
  test: {
    include: ['src/**/*.test.ts'],
    exclude: ['src/**/*.slow.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
