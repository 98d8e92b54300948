#!/usr/bin/env node
// @crys/graph benchmark: radiusGraph beside ASE and pymatgen (peers/neighbors_ref.py), measured in the same run.
//   node bench/compare.mjs [--quick] [--no-peer] [--peers DIR]   (run `pnpm build` first; `pnpm bench` does both)
// The peer script is found in --peers DIR or $CRYS_PEERS_DIR, python as $PYTHON or python3 (tools/peers/locate.mjs).
// Rows: both val datasets at 5 Å (crystals/s; parsing timed separately, the peers exclude it too) and n×n×n
// supercells from ~10² to ~10⁶ atoms (µs per atom, must stay flat), plus peak memory per edge.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { radiusGraph } from '@crys/graph';
import { PYTHON, peerScript as findPeer, pythonMissing } from '../../../tools/peers/locate.mjs';
import { loadDataset, supercell } from './data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const quick = process.argv.includes('--quick');
const noPeer = process.argv.includes('--no-peer');
const CUTOFF = 5;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
// Median over `repeats` timings, each a loop of calls lasting at least `minMs` (this machine is shared: short
// single calls are dominated by scheduler preemption). Returns ms per call.
function time(fn, repeats, minMs = 1000) {
  fn(); // warm-up
  const ts = [];
  for (let r = 0; r < repeats; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t = 0;
    do {
      fn();
      calls++;
      t = performance.now() - t0;
    } while (t < minMs);
    ts.push(t / calls);
  }
  return median(ts);
}

// ---------------------------------------------------------------- ours: datasets
const ours = { datasets: {}, scaling: [] };
const picks = {};
for (const name of ['perov_5', 'carbon_24']) {
  const { crystals, parseMs } = loadDataset(root, name);
  let edges = 0;
  const ms = time(
    () => {
      edges = 0;
      for (const c of crystals) edges += radiusGraph(c, { cutoff: CUTOFF }).src.length;
    },
    quick ? 3 : 7,
  );
  ours.datasets[name] = { structures: crystals.length, edges, ms, parseMs };
  console.log(
    `ours ${name} @${CUTOFF} Å: ${(crystals.length / (ms / 1000)).toFixed(0)} crystals/s, ${(edges / ms / 1000).toFixed(2)} M edges/s (parsing ${(crystals.length / (parseMs / 1000)).toFixed(0)} crystals/s)`,
  );
  // the peer's supercell bases: perov_5 row 0, the first carbon_24 crystal with ≥ 8 atoms
  const row = name === 'perov_5' ? 0 : crystals.findIndex((c) => c.atomicNumbers.length >= 8);
  picks[name] = { row, base: crystals[row] };
}

// ---------------------------------------------------------------- ours: supercells
const PEER_NS = [1, 2, 3, 4, 6, 8, 11, 16, 22, 27, 34];
for (const name of ['perov_5', 'carbon_24']) {
  const { base } = picks[name];
  const nb = base.atomicNumbers.length;
  const maxAtoms = quick ? 1.1e5 : 1.05e6;
  const ns = [...new Set([...PEER_NS, 46, 59, 50])]
    .filter((n) => nb * n ** 3 <= maxAtoms && nb * n ** 3 >= 50)
    .sort((a, b) => a - b);
  for (const n of ns) {
    const c = supercell(base, n);
    const atoms = nb * n ** 3;
    let edges = 0;
    const ms = time(
      () => {
        edges = radiusGraph(c, { cutoff: CUTOFF, maxEdges: 2e8 }).src.length;
      },
      atoms > 2e5 ? 1 : atoms > 2e4 ? 3 : 7,
    );
    let mem = null;
    if (atoms >= 1e4 && atoms <= 2e5) {
      const json = JSON.stringify({
        lattice: [...base.lattice],
        fracCoords: [...base.fracCoords],
        atomicNumbers: [...base.atomicNumbers],
      });
      const out = execFileSync(process.execPath, [
        '--expose-gc',
        join(here, 'memory-child.mjs'),
        json,
        String(n),
        String(CUTOFF),
      ]);
      mem = JSON.parse(out.toString());
    }
    ours.scaling.push({ dataset: name, n, atoms, edges, ms, mem });
    console.log(
      `ours ${name} ${n}^3 N=${atoms}: ${ms.toFixed(1)} ms, ${((1000 * ms) / atoms).toFixed(3)} µs/atom, ${edges} edges` +
        (mem ? `, peak ${mem.peakBytesPerEdge.toFixed(1)} B/edge (output ${mem.outBytesPerEdge} B/edge)` : ''),
    );
  }
}

// ---------------------------------------------------------------- peers
let peer = null;
const found = findPeer('neighbors_ref.py');
const missing = noPeer || found.skipped ? undefined : pythonMissing(['ase', 'pymatgen.core']);
const peerScript = found.path;
if (noPeer) console.log('peer: skipped (--no-peer)');
else if (found.skipped) console.log(`peer: ${found.skipped}`);
else if (missing) console.log(`peer: skipped (${missing})`);
else {
  const out = mkdtempSync(join(tmpdir(), 'crys-graph-peers-'));
  const env = { ...process.env, PEERS_OUT: out };
  console.log('peer: neighbors_ref.py bench + scaling (ASE, pymatgen) ...');
  execFileSync(
    PYTHON,
    [peerScript, 'bench', '--cutoffs', String(CUTOFF), '--repeats', quick ? '1' : '3', '--repeats-ase', '1'],
    { env, stdio: 'inherit' },
  );
  execFileSync(
    PYTHON,
    [
      peerScript,
      'scaling',
      '--cutoff',
      String(CUTOFF),
      '--repeats',
      quick ? '1' : '3',
      '--repeats-large',
      '1',
      '--max-atoms',
      '100000',
    ],
    { env, stdio: 'inherit' },
  );
  peer = {
    bench: JSON.parse(readFileSync(join(out, 'results', 'neighbors_bench.json'), 'utf8')),
    scaling: JSON.parse(readFileSync(join(out, 'results', 'neighbors_scaling.json'), 'utf8')),
  };
  rmSync(out, { recursive: true, force: true });
}

// ---------------------------------------------------------------- table
const rows = [];
const fmt = (x, d = 0) => (x === undefined || x === null ? '—' : x.toFixed(d));
for (const [name, o] of Object.entries(ours.datasets)) {
  const ps = peer?.bench.rows.find((r) => r.dataset === name && r.cutoff === CUTOFF);
  const mine = o.structures / (o.ms / 1000);
  const ase = ps?.ase.structures_per_s,
    pmg = ps?.pymatgen.structures_per_s;
  if (ps && ps.edges !== o.edges)
    console.log(`WARNING: ${name} edge count differs from the peers: ours ${o.edges}, ASE ${ps.edges}`);
  rows.push([
    `${name} val @${CUTOFF} Å (crystals/s)`,
    fmt(mine),
    fmt(ase),
    fmt(pmg),
    pmg ? `${(mine / pmg).toFixed(1)}×` : '—',
    `${(o.edges / o.ms / 1000).toFixed(2)} M edges/s`,
  ]);
}
for (const s of ours.scaling) {
  const ps = peer?.scaling.rows.find((r) => r.dataset === s.dataset && r.n === s.n);
  const mine = (1000 * s.ms) / s.atoms;
  const ase = ps?.ase.us_per_atom,
    pmg = ps?.pymatgen.us_per_atom;
  if (ps && ps.pymatgen.edges !== s.edges)
    console.log(`WARNING: ${s.dataset} ${s.n}^3 edges differ: ours ${s.edges}, pymatgen ${ps.pymatgen.edges}`);
  rows.push([
    `${s.dataset} ${s.n}³ N=${s.atoms} (µs/atom)`,
    fmt(mine, 3),
    fmt(ase, 2),
    fmt(pmg, 2),
    pmg ? `${(pmg / mine).toFixed(1)}×` : '—',
    s.mem ? `peak ${s.mem.peakBytesPerEdge.toFixed(0)} B/edge` : '',
  ]);
}
const head = ['row', 'ours', 'ASE', 'pymatgen', 'ours vs pymatgen', 'notes'];
const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => String(r[k]).length)));
const line = (r) => `| ${r.map((c, k) => String(c).padEnd(widths[k])).join(' | ')} |`;
console.log(`\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
if (!peer) console.log('(peer columns empty: the Python peers did not run)');
