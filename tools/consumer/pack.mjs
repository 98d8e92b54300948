#!/usr/bin/env node
// Packs every published package into a folder of tarballs to install from until the packages are published
// (`pnpm packages:pack [DIR]`, default `tarballs/`; build first). Each tarball is checked as the consumer
// harness checks it; then the npm command that installs them is printed.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkTarball, packAll, root } from './harness.mjs';

const out = resolve(process.argv[2] ?? join(root, 'tarballs'));
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (/^crys-.*\.tgz$/.test(f)) rmSync(join(out, f)); // one version per package
const packages = packAll(out);
const versions = Object.fromEntries(packages.map((p) => [p.manifest.name, p.manifest.version]));
const problems = packages.flatMap((p) => checkTarball(p, versions));
for (const p of packages) console.log(p.tarball);
for (const p of problems) console.error(`problem: ${p}`);
if (problems.length) process.exitCode = 1;
else console.log(`\nin your project:\n  npm install ${join(out, 'crys-*.tgz')} @tensorflow/tfjs`);
