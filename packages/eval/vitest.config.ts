import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['crys-source'] },
  ssr: { resolve: { conditions: ['crys-source'] } },
  test: { include: ['src/**/*.test.ts'], exclude: ['src/**/*.slow.test.ts'], testTimeout: 60_000 },
});
