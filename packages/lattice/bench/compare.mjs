#!/usr/bin/env node
// Times fracToCart, wrapFrac and minimumImage of the BUILT @crys/lattice on 10⁶ atoms and, in the same run,
// their numpy / ASE equivalents (tools/peers/lattice_bench_peer.py) on the very same inputs; prints a table with the
// ratio peer / ours and checks that both sides computed the same sums. `pnpm bench` runs it after `pnpm build`.
// Env: LATTICE_BENCH_N (default 1e6), PEERS_OUT (where the inputs are written; default a temp dir).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, fracToCart, latticeFromParameters, minimumImage, multiply, wrapFrac } from '@crys/lattice';
import { PYTHON, pythonMissing } from '../../../tools/peers/locate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const peerScript = join(here, '..', '..', '..', 'tools', 'peers', 'lattice_bench_peer.py');
const N = Number(process.env.LATTICE_BENCH_N ?? 1e6);
const REPEATS = 7;

const rng = createRng(2024);
const frac = new Float64Array(3 * N);
const delta = new Float64Array(3 * N);
for (let i = 0; i < 3 * N; i++) {
  frac[i] = -0.5 + 2 * rng.next();
  delta[i] = -1 + 2 * rng.next();
}
const triclinic = latticeFromParameters(5.1, 6.3, 7.2, 75, 95, 110);
const skewed = multiply(new Float64Array(9), [1, 0, 0, 3, 1, 0, -2, 4, 1], triclinic); // same lattice, bad basis
const cells = { triclinic, skewed };

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(fn, repeats = REPEATS) {
  fn();
  fn(); // warm up the JIT
  const t = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return median(t);
}
const sum = (a) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

const ours = [];
const out = new Float64Array(3 * N);
for (const [name, l] of Object.entries(cells)) {
  ours.push({
    op: 'fracToCart',
    cell: name,
    seconds: time(() => fracToCart(out, frac, l)),
    checksum: sum(fracToCart(out, frac, l)),
  });
  ours.push({
    op: 'wrapFrac',
    cell: name,
    seconds: time(() => wrapFrac(out, frac)),
    checksum: sum(wrapFrac(out, frac)),
  });
  const lengths = () => {
    minimumImage(out, delta, l);
    let s = 0;
    for (let i = 0; i < 3 * N; i += 3) s += Math.hypot(out[i], out[i + 1], out[i + 2]);
    return s;
  };
  ours.push({ op: 'minimumImage', cell: name, seconds: time(() => minimumImage(out, delta, l)), checksum: lengths() });
}

let peer = [];
let peerNote = '';
const missing = pythonMissing(['numpy', 'ase']);
if (missing) {
  peerNote = `peer skipped: ${missing}`;
} else {
  const base = process.env.PEERS_OUT
    ? join(process.env.PEERS_OUT, 'lattice-bench')
    : mkdtempSync(join(tmpdir(), 'lattice-bench-'));
  mkdirSync(base, { recursive: true });
  try {
    writeFileSync(join(base, 'frac.f64'), Buffer.from(frac.buffer));
    writeFileSync(join(base, 'delta.f64'), Buffer.from(delta.buffer));
    writeFileSync(
      join(base, 'cells.json'),
      JSON.stringify(Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, Array.from(v)]))),
    );
    const run = spawnSync(PYTHON, [peerScript, base, '5'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) peerNote = `peer failed: ${run.stderr.slice(-500)}`;
    else
      peer = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
  } finally {
    if (!process.env.PEERS_OUT) rmSync(base, { recursive: true, force: true });
  }
}

const fmt = (s) => (s === undefined ? '—' : `${(s * 1e3).toFixed(1)} ms`);
const rows = [];
for (const o of ours) {
  const p = peer.find((x) => x.op === o.op && x.cell === o.cell);
  const agree = p ? Math.abs(p.checksum - o.checksum) / Math.max(1, Math.abs(o.checksum)) : undefined;
  rows.push({
    op: o.op,
    cell: o.cell,
    ours: fmt(o.seconds),
    'M atoms/s': (N / o.seconds / 1e6).toFixed(1),
    peer: p ? `${fmt(p.seconds)} (${o.op === 'minimumImage' ? 'ASE find_mic' : 'numpy'})` : '—',
    'peer / ours': p ? (p.seconds / o.seconds).toFixed(2) : '—',
    'checksum rel diff': agree === undefined ? '—' : agree.toExponential(1),
  });
}
for (const p of peer.filter((x) => x.op === 'roundingMIC')) {
  const o = ours.find((x) => x.op === 'minimumImage' && x.cell === p.cell);
  rows.push({
    op: 'numpy rounding MIC (inexact)',
    cell: p.cell,
    ours: '—',
    'M atoms/s': '—',
    peer: fmt(p.seconds),
    'peer / ours': (p.seconds / o.seconds).toFixed(2),
    'checksum rel diff': `${((p.checksum - o.checksum) / o.checksum).toExponential(1)} (longer: not minimal)`,
  });
}
console.log(`@crys/lattice vs numpy/ASE, n = ${N.toLocaleString('en')} atoms, median of ${REPEATS} (ours) / 5 (peer)`);
console.table(rows);
if (peerNote) console.log(peerNote);
const bad = rows.filter(
  (r) =>
    r.op !== 'numpy rounding MIC (inexact)' && r['checksum rel diff'] !== '—' && Number(r['checksum rel diff']) > 1e-9,
);
if (bad.length) {
  console.error('checksums disagree with the peer:', bad);
  process.exitCode = 1;
}
