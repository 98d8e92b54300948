#!/usr/bin/env node
// Benchmark of @crys/model's training step and forward pass against the PyTorch EGNN peer on the same
// machine in the same run. Needs the built package (`pnpm build`). Our side: the action network
// (F = 64, 4 layers, k = 16 nearest-neighbour multigraph) on the first 64 crystals of each val CSV; the peer:
// egnn_ref.py bench from the peers folder (--peers DIR or $CRYS_PEERS_DIR; python is $PYTHON or python3, see
// tools/peers/locate.mjs; F = 64, 4 layers, 5 Å cutoff graph, 2 torch threads) on the same 64 crystals. Graph sizes differ (kNN vs cutoff), so the table also prints time per 1k edges.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  createModel,
  defaultModelConfig,
  fitVolumePrior,
  initModelBackend,
  noiseCrystal,
  readDataset,
} from '@crys/model';
import { buildInputs, disposeInputs } from '@crys/model/internal';
import { createRng } from '@crys/lattice';
import { PYTHON, peerScript, pythonMissing } from '../../../tools/peers/locate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const reps = Number(process.env.BENCH_REPS ?? 5);
const backend = await initModelBackend();
console.log(`@crys/model bench: backend ${backend}, ${reps} repetitions (median)`);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ours = {};
for (const ds of ['perov_5', 'carbon_24']) {
  const rows = readDataset(readFileSync(join(root, 'data', ds, 'val.csv'), 'utf8'), ds, 64);
  const crystals = rows.map((r) => r.crystal);
  const species = [...new Set(crystals.flatMap((c) => [...c.atomicNumbers]))].sort((a, b) => a - b);
  const index = (z) => species.indexOf(z);
  const prior = fitVolumePrior(crystals, index, species.length);
  const model = createModel({ ...defaultModelConfig('structure', species), prior }, 0);
  const rng = createRng(0);
  const samples = crystals.map((c) =>
    noiseCrystal(model.config.task, prior, c, Int32Array.from(c.atomicNumbers, index), 0.3, rng),
  );
  const states = samples.map((s) => ({
    lattice: s.lattice,
    frac: s.frac,
    atomicNumbers: Array.from(s.species, (i) => species[i]),
    level: s.level,
  }));
  const vars = [...model.weights.values()];
  const forward = [],
    step = [],
    graph = [];
  let edges = 0,
    atoms = 0;
  for (let r = 0; r < reps + 1; r++) {
    let t0 = performance.now();
    const inputs = buildInputs(states, model.config.k);
    const tg = performance.now() - t0;
    edges = inputs.vectors.shape[0];
    atoms = inputs.numNodes;
    t0 = performance.now();
    tf.tidy(() => model.network.forward(inputs).atoms.dataSync());
    const tfwd = performance.now() - t0;
    t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => {
      const o = model.network.forward(inputs);
      return tf.add(tf.mean(tf.square(o.atoms)), tf.mean(tf.square(o.lattice)));
    }, vars);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
    const tstep = performance.now() - t0;
    disposeInputs(inputs);
    if (r > 0) {
      forward.push(tfwd);
      step.push(tstep);
      graph.push(tg);
    }
  }
  ours[ds] = { atoms, edges, forward: median(forward), step: median(step), graph: median(graph) };
}

// the peer
let peer = null;
const found = peerScript('egnn_ref.py');
const missing = found.skipped ?? pythonMissing(['torch', 'ase']);
if (missing) {
  console.log(`peer skipped: ${missing}`);
} else {
  try {
    const out = execFileSync(
      PYTHON,
      [
        found.path,
        'bench',
        '--datasets',
        'perov_5',
        'carbon_24',
        '--batch',
        '64',
        '--synthetic',
        '--reps',
        String(reps),
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PEERS_OUT: process.env.PEERS_OUT ?? mkdtempSync(join(tmpdir(), 'peers-')) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    peer = {};
    for (const line of out.split('\n')) {
      const m = /^(\w+) batch64.*N=(\d+) E=(\d+) fwd ([\d.]+) ms.*train ([\d.]+) ms/.exec(line);
      if (m) peer[m[1]] = { atoms: +m[2], edges: +m[3], forward: +m[4], step: +m[5] };
    }
  } catch (e) {
    console.log(`peer skipped: egnn_ref.py failed (${String(e.message ?? e).split('\n')[0]}); needs python3-torch`);
  }
}

console.log(
  '\n| batch of 64 | ours E | ours forward ms | ours fwd+bwd ms | peer E | peer forward ms | peer train ms | fwd+bwd ratio (ours/peer) | per 1k edges ratio |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const ds of Object.keys(ours)) {
  const o = ours[ds],
    p = peer?.[ds];
  const ratio = p ? (o.step / p.step).toFixed(2) : 'n/a';
  const per = p ? (o.step / o.edges / (p.step / p.edges)).toFixed(2) : 'n/a';
  console.log(
    `| ${ds} | ${o.edges} | ${o.forward.toFixed(1)} | ${o.step.toFixed(1)} | ${p?.edges ?? '-'} | ${p?.forward.toFixed(1) ?? '-'} | ${p?.step.toFixed(1) ?? '-'} | ${ratio} | ${per} |`,
  );
}
console.log(
  '(ours: graph building excluded, median',
  Object.values(ours)
    .map((o) => o.graph.toFixed(1))
    .join(' / '),
  'ms; peer train includes Adam)',
);
