import { defineConfig } from 'vitest/config';

// Whole-dataset oracles and long training runs: `pnpm test:slow`. Not part of the default suite.
export default defineConfig({
  resolve: { conditions: ['crys-source'] },
  ssr: { resolve: { conditions: ['crys-source'] } },
  test: { include: ['{packages,apps}/*/src/**/*.slow.test.ts'], testTimeout: 3_600_000, hookTimeout: 600_000 },
});
