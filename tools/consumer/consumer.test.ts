// The consumer harness in the default suite: the packed packages, installed from their tarballs into a fresh
// npm project outside the workspace, run their README examples, type-check and bundle for the browser. Needs
// the built packages (`pnpm build`) and the npm registry (for tfjs, TypeScript and esbuild).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  bundleForBrowser,
  checkReadmeInstall,
  checkTarball,
  freshDir,
  installConsumer,
  loadShippedModels,
  packAll,
  runExample,
  typecheckConsumer,
} from './harness.mjs';

type Packed = ReturnType<typeof packAll>[number];

const work = freshDir();
const app = join(work, 'app');
let packages: Packed[] = [];

beforeAll(() => {
  packages = packAll(join(work, 'tarballs'));
  installConsumer(app, packages);
}, 900_000);
afterAll(() => rmSync(work, { recursive: true, force: true }), 300_000);

describe('the packages installed from their tarballs in a fresh npm project', () => {
  test('pnpm pack writes every published package with resolved ranges, its exports, sources and models', () => {
    const versions = Object.fromEntries(packages.map((p) => [p.manifest.name, p.manifest.version]));
    expect(packages.map((p) => p.manifest.name).sort()).toEqual([
      '@crys/actions',
      '@crys/egnn',
      '@crys/eval',
      '@crys/graph',
      '@crys/io',
      '@crys/lattice',
      '@crys/model',
    ]);
    expect(packages.flatMap((p) => checkTarball(p, versions))).toEqual([]);
  });

  test('each README names the tarballs and packages its example needs', () => {
    const byName = Object.fromEntries(packages.map((p) => [p.manifest.name, p]));
    expect(packages.flatMap((p) => checkReadmeInstall(p, byName))).toEqual([]);
  });

  test('each README example runs as ESM from the installed tarballs and prints what it prints in the workspace', () => {
    for (const p of packages) {
      const { installed, workspace } = runExample(app, p);
      expect(installed, p.manifest.name).toBe(workspace);
      expect(installed.length, p.manifest.name).toBeGreaterThan(0);
    }
  }, 600_000);

  test('loadShippedModel reads every shipped model from the installed @crys/model', () => {
    const lines = loadShippedModels(app).trim().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual([
      'perov_5',
      'carbon_24',
      'perov_5-denoise',
      'carbon_24-denoise',
      'perov_5-lattice',
      'carbon_24-lattice',
      'perov_5-energy',
      'carbon_24-energy',
    ]);
    for (const l of lines) expect(Number(l.split(' ')[1])).toBeGreaterThan(0);
  }, 300_000);

  test('the README examples type-check in the consumer under bundler and node16 resolution', () => {
    expect(typecheckConsumer(app, packages)).toEqual(['tsconfig.bundler.json', 'tsconfig.node16.json']);
  }, 300_000);

  test('a browser bundle of the main entries builds with esbuild and runs in chromium', () => {
    const { output, result } = bundleForBrowser(app);
    if (!result) {
      console.warn(`consumer browser bundle: ${output}`);
      return;
    }
    expect(result).toEqual({
      volume: '69.93',
      edges: 28,
      match: true,
      deformation: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      egnn: true,
      model: true,
    });
  }, 300_000);
});
