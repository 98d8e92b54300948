#!/usr/bin/env node
// `pnpm bench`: builds, runs every package's benchmark one after another (`turbo run bench --concurrency=1`: on a
// two-core machine benchmarks running side by side would time each other), then prints the speed goals' rows that
// the benchmarks recorded (tools/bench/summary.mjs) as one table: ours, the peer, ratio ours / peer, the goal, and
// the machine's load when each row was taken. Extra arguments go to turbo (e.g. `pnpm bench --filter @crys/graph`).
// The peers are found as the benchmarks find them (CRYS_PEERS_DIR, PYTHON; see tools/peers/locate.mjs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAverage } from './summary.mjs';

const dir = mkdtempSync(join(tmpdir(), 'crys-bench-'));
const file = join(dir, 'summary.jsonl');
const started = new Date();
const startLoad = loadAverage();
let status = 0;
try {
  for (const args of [
    ['run', 'build'],
    ['run', 'bench', '--concurrency=1', ...process.argv.slice(2)],
  ]) {
    const r = spawnSync('turbo', args, { stdio: 'inherit', env: { ...process.env, CRYS_BENCH_SUMMARY: file } });
    if (r.error) throw r.error;
    if (r.status !== 0) {
      status = r.status ?? 1;
      break;
    }
  }
  let rows = [];
  try {
    rows = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {}
  const minutes = ((Date.now() - started.getTime()) / 60000).toFixed(0);
  console.log(
    `\nSpeed goals, one pnpm bench run: ${started.toISOString()}, ${minutes} min, ${cpus().length} cores, load ${startLoad} at the start, ${loadAverage()} at the end`,
  );
  if (rows.length === 0) console.log('(no rows recorded: no benchmark with a speed goal ran, or its peer was skipped)');
  else {
    const fmt = (x) =>
      x === undefined || x === null ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
    const table = rows.map((r) => [
      r.area,
      r.case,
      r.metric,
      `${fmt(r.ours)} ${r.unit}`,
      r.peer ? `${fmt(r.peer)} ${r.unit}` : '—',
      r.ratio == null ? '—' : r.ratio.toFixed(3),
      `≤ ${r.goal}`,
      r.ratio == null ? 'no peer' : r.ratio <= r.goal ? 'met' : 'OVER',
      r.load,
      r.note,
    ]);
    const head = ['area', 'case', 'metric', 'ours', 'peer', 'ours / peer', 'goal', '', 'load', 'how'];
    const widths = head.map((h, c) => Math.max(h.length, ...table.map((t) => String(t[c]).length)));
    const line = (t) => `| ${t.map((c, k) => String(c).padEnd(widths[k])).join(' | ')} |`;
    console.log(`${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const t of table) console.log(line(t));
    const over = rows.filter((r) => r.ratio != null && r.ratio > r.goal).length;
    console.log(over ? `${over} of ${rows.length} rows over their goal` : `all ${rows.length} rows within their goals`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
