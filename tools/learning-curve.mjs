#!/usr/bin/env node
// The learning curve of a training run: `crys eval` on every snapshot a run kept (`crys train --snapshot-every N`
// writes OUT/snapshots/model-<step>.json), one row per snapshot with the training time it had, as a Markdown table
// (stdout) and JSON lines (--json FILE). Every argument after the run folder goes to `crys eval` unchanged.
//
//   node tools/learning-curve.mjs runs/perov_5 --data data/perov_5/val.csv --split valid --json curve.jsonl
//
// Needs the built CLI (`pnpm build`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'apps', 'cli', 'dist', 'bin.js');
const args = process.argv.slice(2);
const usage = 'usage: node tools/learning-curve.mjs RUN_DIR [--json FILE] [crys eval options…]';
if (args.length === 0 || args[0].startsWith('-')) {
  console.error(usage);
  process.exit(2);
}
const run = args.shift();
let jsonFile;
const j = args.indexOf('--json');
if (j >= 0) {
  jsonFile = args[j + 1];
  if (!jsonFile || jsonFile.startsWith('-')) {
    console.error(`learning-curve: --json needs a file\n${usage}`);
    process.exit(2);
  }
  args.splice(j, 2);
}
const snapshots = join(run, 'snapshots');
if (!existsSync(cli)) {
  console.error(`learning-curve: ${cli} is missing: run \`pnpm build\` first`);
  process.exit(2);
}
if (!existsSync(snapshots)) {
  console.error(`learning-curve: ${snapshots} does not exist (train with --snapshot-every N)`);
  process.exit(2);
}
const steps = readdirSync(snapshots)
  .map((f) => /^model-(\d+)\.json$/.exec(f))
  .filter((m) => m !== null)
  .map((m) => Number(m[1]))
  .sort((a, b) => a - b);
if (steps.length === 0) {
  console.error(`learning-curve: no model-<step>.json in ${snapshots}`);
  process.exit(1);
}
// training time at each step, from the run's metrics stream (elapsed seconds are counted across resumes)
const elapsed = new Map();
const metrics = join(run, 'metrics.jsonl');
if (existsSync(metrics)) {
  for (const line of readFileSync(metrics, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line);
      if (r.type === 'valid' || r.type === 'train') elapsed.set(r.step, r.elapsedSec);
    } catch {
      // a line cut by a kill: the resumed run drops it
    }
  }
}
const pct = (x) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)} %`);
const num = (x) => (x === null || x === undefined ? '–' : x.toFixed(4));
const rows = [];
console.log('| step | training time | match | RMSE | RMS < 0.1 | space group |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const step of steps) {
  const file = join(snapshots, `model-${step}.json`);
  const out = execFileSync(process.execPath, [cli, 'eval', '--model', file, ...args, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
  });
  const r = JSON.parse(out);
  const sec = elapsed.get(step);
  const row = {
    step,
    elapsedSec: sec ?? null,
    matchRate: r.match.after.matchRate,
    rmse: r.match.after.rmse,
    tightMatchRate: r.match.after.tightMatchRate,
    spaceGroupRate: r.spaceGroup.after.rate,
    rows: r.rows,
  };
  rows.push(row);
  const time = sec === undefined ? '–' : `${(sec / 3600).toFixed(2)} h`;
  console.log(
    `| ${step} | ${time} | ${pct(row.matchRate)} | ${num(row.rmse)} | ${pct(row.tightMatchRate)} | ${pct(row.spaceGroupRate)} |`,
  );
}
if (jsonFile) writeFileSync(jsonFile, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
