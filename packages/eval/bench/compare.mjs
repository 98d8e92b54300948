#!/usr/bin/env node
// Benchmark: match the val crystals of a dataset against perturbed copies with @crys/eval (built dist) and with
// pymatgen's StructureMatcher (tools/peers/eval_bench_peer.py) on the same pairs in the same run; prints the ratio.
// Usage: pnpm bench (after pnpm build), or
//   node bench/compare.mjs [--dataset perov_5|carbon_24] [--limit N] [--sigma 0.05] [--rounds K] [--clock wall|cpu]
// With --rounds K both sides are timed K times in turn (ours, pymatgen, ours, …) and the median of the per-round
// ratios is printed: this machine is shared, and a burst of load then hits both sides of a ratio.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmsDistance, structuresMatch } from '@crys/eval';
import { readDatasetCsv } from '@crys/io';
import { createRng } from '@crys/lattice';
import { recordSummary } from '../../../tools/bench/summary.mjs';
import { PYTHON, pythonMissing } from '../../../tools/peers/locate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const limit = opt('limit', Number.POSITIVE_INFINITY);
const sigma = opt('sigma', 0.05);
const rounds = opt('rounds', 1);
// --clock cpu: both sides in CPU time (user + system), which waiting for a core on a loaded machine does not inflate
const ci = args.indexOf('--clock');
const clock = ci >= 0 ? args[ci + 1] : 'wall';
if (clock !== 'cpu' && clock !== 'wall') throw new Error(`--clock: cpu or wall, got ${clock}`);
const now =
  clock === 'cpu'
    ? () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      }
    : () => performance.now();
const di = args.indexOf('--dataset');
const dataset = di >= 0 ? args[di + 1] : 'perov_5';
if (dataset !== 'perov_5' && dataset !== 'carbon_24')
  throw new Error(`--dataset: perov_5 or carbon_24, got ${dataset}`);

// inputs: every val crystal of the dataset and a copy with Gaussian Cartesian noise (σ Å) and 1 % random strain
const rng = createRng(2024);
const pairs = [];
for (const row of readDatasetCsv(readFileSync(join(root, 'data', dataset, 'val.csv'), 'utf8'))) {
  if (pairs.length >= limit) break;
  const a = row.crystal;
  const L = Float64Array.from(a.lattice);
  const e = [0, 0, 0, 0, 0, 0, 0, 0, 0].map(() => rng.normal() * 0.01);
  const S = [
    1 + e[0],
    (e[1] + e[3]) / 2,
    (e[2] + e[6]) / 2,
    (e[1] + e[3]) / 2,
    1 + e[4],
    (e[5] + e[7]) / 2,
    (e[2] + e[6]) / 2,
    (e[5] + e[7]) / 2,
    1 + e[8],
  ];
  const L2 = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) L2[3 * i + j] = L[3 * i] * S[j] + L[3 * i + 1] * S[3 + j] + L[3 * i + 2] * S[6 + j];
  // cart noise → frac: Δf = Δcart · L2⁻¹ (small, so solve with the inverse)
  const inv = invert3(L2);
  const f = Float64Array.from(a.fracCoords);
  for (let p = 0; p < f.length; p += 3) {
    const d = [rng.normal() * sigma, rng.normal() * sigma, rng.normal() * sigma];
    for (let c = 0; c < 3; c++) f[p + c] += d[0] * inv[c] + d[1] * inv[3 + c] + d[2] * inv[6 + c];
  }
  pairs.push([a, { lattice: L2, fracCoords: f, atomicNumbers: a.atomicNumbers }]);
}

function invert3(m) {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h,
    B = f * g - d * i,
    C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    (c * h - b * i) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    (c * d - a * f) / det,
    C / det,
    (b * g - a * h) / det,
    (a * e - b * d) / det,
  ];
}

const FIELD = { stol: 0.5, ltol: 0.3, angleTol: 10 };
// warm up the JIT on a few pairs, then time each workload over all pairs
for (const [a, b] of pairs.slice(0, 50)) {
  structuresMatch(a, b);
  rmsDistance(a, b, FIELD);
}
const why = pythonMissing(['pymatgen.analysis.structure_matcher']);
let pairsFile = null;
let out = null;
if (!why) {
  out = process.env.PEERS_OUT ?? mkdtempSync(join(tmpdir(), 'crys-eval-bench-'));
  mkdirSync(out, { recursive: true });
  pairsFile = join(out, 'eval_bench_pairs.json');
  const enc = (c) => ({ l: Array.from(c.lattice), f: Array.from(c.fracCoords), z: Array.from(c.atomicNumbers) });
  writeFileSync(pairsFile, JSON.stringify({ pairs: pairs.map(([a, b]) => ({ a: enc(a), b: enc(b) })) }));
}
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const times = { fit: [], rms: [], peerFit: [], peerRms: [] };
let ourFit = [];
let ourRms = [];
let peer = null;
for (let r = 0; r < rounds; r++) {
  let t = now();
  ourFit = pairs.map(([a, b]) => structuresMatch(a, b));
  times.fit.push((now() - t) / 1000);
  t = now();
  ourRms = pairs.map(([a, b]) => rmsDistance(a, b, FIELD));
  times.rms.push((now() - t) / 1000);
  if (pairsFile) {
    const resultFile = join(out, 'eval_bench_peer.json');
    execFileSync(PYTHON, [join(root, 'tools', 'peers', 'eval_bench_peer.py'), pairsFile, resultFile], {
      stdio: 'inherit',
    });
    peer = JSON.parse(readFileSync(resultFile, 'utf8'));
    times.peerFit.push(clock === 'cpu' ? peer.fit.cpu_seconds : peer.fit.seconds);
    times.peerRms.push(clock === 'cpu' ? peer.rms.cpu_seconds : peer.rms.seconds);
  }
  console.log(
    `round ${r + 1}/${rounds}: fit ${times.fit[r].toFixed(2)} s, rms ${times.rms[r].toFixed(2)} s` +
      (peer ? `; pymatgen fit ${times.peerFit[r].toFixed(2)} s, rms ${times.peerRms[r].toFixed(2)} s` : '') +
      ` (load ${load()})`,
  );
}
if (out && !process.env.PEERS_OUT) rmSync(out, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const n = pairs.length;
console.log(
  `\n@crys/eval matching: ${n} ${dataset} val crystals vs perturbed copies (σ = ${sigma} Å, 1 % strain), ${rounds} round(s), ${clock} time, load ${load()}`,
);
console.log('| workload | @crys/eval | pairs/s | pymatgen | pairs/s | ours / pymatgen |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, ours, theirs] of [
  ['fit (defaults)', times.fit, times.peerFit],
  ['get_rms_dist (stol 0.5, ltol 0.3, angle 10)', times.rms, times.peerRms],
]) {
  const s = median(ours);
  const p = theirs.length ? median(theirs) : null;
  // the median of the per-round ratios (each round times both sides back to back)
  const r = p ? median(ours.map((x, k) => x / theirs[k])) : undefined;
  const ratio = p ? `${r.toFixed(3)}×` : 'n/a';
  if (p)
    recordSummary({
      area: 'eval',
      case: `StructureMatcher, ${n} ${dataset} val pairs (σ ${sigma} Å, 1 % strain)`,
      metric: name,
      ours: (1000 * s) / n,
      peer: (1000 * p) / n,
      unit: 'ms/pair',
      goal: 0.1,
      note: `${rounds} round(s), ${clock} time`,
      ratio: r,
    });
  console.log(
    `| ${name} | ${s.toFixed(2)} s | ${(n / s).toFixed(0)} | ${p ? `${p.toFixed(2)} s` : 'skipped'} | ${p ? (n / p).toFixed(0) : '-'} | ${ratio} |`,
  );
}
if (peer) {
  let sameFit = 0;
  let sameNull = 0;
  let within = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    if (ourFit[i] === peer.fit.results[i]) sameFit++;
    const r = peer.rms.results[i];
    if ((r === null) === (ourRms[i] === null)) sameNull++;
    if (r && ourRms[i]) {
      both++;
      if (Math.abs(r[0] - ourRms[i].rms) <= 1e-4) within++;
    }
  }
  console.log(`agreement: fit ${sameFit}/${n}, rms found ${sameNull}/${n}, |Δrms| ≤ 1e-4 on ${within}/${both}`);
} else {
  console.log(`peer skipped: ${why}`);
}
