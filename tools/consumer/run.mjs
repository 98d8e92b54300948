#!/usr/bin/env node
// The consumer harness from the command line (`pnpm consumer`; build first): packs every published package,
// installs the tarballs into a fresh npm project in a temporary folder, runs each README example there as ESM,
// loads every shipped model, type-checks the examples (bundler and node16 resolution) and builds a browser
// bundle. `--keep` keeps the temporary folder and prints its path.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
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

const keep = process.argv.includes('--keep');
const work = freshDir();
const t0 = performance.now();
const step = (label, since) => console.log(`${label} (${((performance.now() - since) / 1000).toFixed(1)} s)`);
let failed = 0;
try {
  let t = performance.now();
  const packages = packAll(join(work, 'tarballs'));
  const versions = Object.fromEntries(packages.map((p) => [p.manifest.name, p.manifest.version]));
  const byName = Object.fromEntries(packages.map((p) => [p.manifest.name, p]));
  const problems = packages.flatMap((p) => [...checkTarball(p, versions), ...checkReadmeInstall(p, byName)]);
  for (const p of problems) console.error(`problem: ${p}`);
  failed += problems.length;
  step(`packed ${packages.map((p) => `${p.manifest.name}@${p.manifest.version}`).join(', ')}`, t);

  t = performance.now();
  const app = join(work, 'app');
  installConsumer(app, packages);
  step(`installed the ${packages.length} tarballs, tfjs and the tools into a fresh npm project`, t);

  for (const p of packages) {
    t = performance.now();
    const { installed, workspace } = runExample(app, p);
    process.stdout.write(installed);
    if (installed !== workspace) {
      console.error(`problem: ${p.manifest.name}'s README example prints otherwise in the workspace:\n${workspace}`);
      failed++;
    }
    step(`--- ${p.manifest.name} README example ran from the tarball`, t);
  }
  t = performance.now();
  process.stdout.write(loadShippedModels(app));
  step('loaded every shipped model from the installed @crys/model', t);
  t = performance.now();
  step(`type-checked the README examples (${typecheckConsumer(app, packages).join(', ')})`, t);
  t = performance.now();
  const bundle = bundleForBrowser(app);
  process.stdout.write(bundle.output);
  step(`browser bundle of the main entries: ${(bundle.bytes / 1e6).toFixed(2)} MB, runs`, t);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  failed++;
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
step(`consumer: ${failed === 0 ? 'passed' : `${failed} problem(s)`}`, t0);
process.exitCode = failed === 0 ? 0 : 1;
