import { defineProject } from 'vitest/config';

// The browser test drives the BUILT page (apps/demo/dist, made by `pnpm build`) in Debian's chromium.
export default defineProject({
  test: { include: ['test/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 },
});
