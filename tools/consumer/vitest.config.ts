import { defineProject } from 'vitest/config';

// The consumer harness packs the BUILT packages (`pnpm build`) and installs them from the npm registry's peers.
export default defineProject({
  test: { name: 'consumer', include: ['*.test.ts'], testTimeout: 60_000 },
});
