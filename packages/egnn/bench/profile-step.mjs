#!/usr/bin/env node
// Where a training step's time goes: the bench's perov_5 / carbon_24 × 64 training step (4 layers, F = 64) under
// tf.profile, kernel times summed by kernel name, and the step's wall time beside their total (the rest is tfjs's
// JavaScript between kernels; the scopes of custom gradients, "unnamed" and "backward", are listed but not totalled:
// their kernels are listed too). Run after `pnpm build`: node bench/profile-step.mjs [perov_5|carbon_24] [threads]
// FORWARD=1 profiles the forward pass instead (no tape); WALL_ONLY=1 prints the step's median wall time alone.
import { Egnn, initBackend, setKernelThreads, shareWasmClones } from '@crys/egnn';
import { radiusGraphBatch } from '@crys/graph';
import * as tf from '@tensorflow/tfjs';
import { valCrystals } from './data.mjs';
import { networkStep } from './step.mjs';

tf.env().set('PROD', true);
const ds = process.argv[2] ?? 'perov_5';
const threads = Number(process.argv[3] ?? 1);
if ((await initBackend('wasm')) === 'wasm') shareWasmClones();
if (threads > 1) await setKernelThreads(threads);
const batch = radiusGraphBatch(valCrystals(ds, 64), { cutoff: 5 });
const N = batch.atomicNumbers.length;
const B = batch.lattices.length / 9;
const net = new Egnn({ units: 64, basisSize: 16, layers: 4, cutoff: 5, seed: 0 });
const bench = networkStep(net, { N, B, batch });
const step = process.env.FORWARD
  ? () =>
      tf.tidy(() => {
        tf.sum(bench.forward().atomVectors).dataSync();
      })
  : bench.train;
for (let i = 0; i < 15; i++) step();
const walls = [];
for (let i = 0; i < 15; i++) {
  const t0 = performance.now();
  step();
  walls.push(performance.now() - t0);
}
walls.sort((a, b) => a - b);
const wall = walls[7];
if (process.env.WALL_ONLY) {
  console.log(`${ds} threads ${threads}: ${wall.toFixed(1)} ms`);
  process.exit(0);
}
const byName = new Map();
const reps = 5;
for (let k = 0; k < reps; k++) {
  const info = await tf.profile(step);
  for (const kr of info.kernels) {
    const key = `${kr.name} ${JSON.stringify(kr.inputShapes.map((s) => s?.join('x')))}`;
    const e = byName.get(key) ?? { ms: 0, calls: 0 };
    e.ms += (await kr.kernelTimeMs) / reps;
    e.calls += 1 / reps;
    byName.set(key, e);
  }
}
const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
const isScope = (key) => key.startsWith('unnamed') || key.startsWith('backward');
const total = rows.filter(([k]) => !isScope(k)).reduce((s, [, e]) => s + e.ms, 0);
const calls = rows.filter(([k]) => !isScope(k)).reduce((s, [, e]) => s + e.calls, 0);
console.log(
  `${ds} × 64: N ${N}, E ${batch.src.length}, threads ${threads}; step wall (median of 15) ${wall.toFixed(1)} ms; kernels ${total.toFixed(1)} ms in ${calls.toFixed(0)} calls`,
);
const byKernel = new Map();
for (const [k, e] of rows) {
  const n = k.split(' ')[0];
  const x = byKernel.get(n) ?? { ms: 0, calls: 0 };
  x.ms += e.ms;
  x.calls += e.calls;
  byKernel.set(n, x);
}
for (const [n, e] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30))
  console.log(`${n.padEnd(28)} ${e.ms.toFixed(2).padStart(8)} ms ${e.calls.toFixed(0).padStart(5)} calls`);
console.log('--- top shapes');
for (const [k, e] of rows.slice(0, 25))
  console.log(`${e.ms.toFixed(2).padStart(8)} ms ${e.calls.toFixed(0).padStart(4)}× ${k}`);
process.exit(0);
