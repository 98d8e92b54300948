#!/usr/bin/env node
// @crys/graph benchmark: radiusGraph beside ASE and pymatgen (peers/neighbors_ref.py), measured in the same run.
//   node bench/compare.mjs [--quick] [--no-peer] [--peers DIR]   (run `pnpm build` first; `pnpm bench` does both)
//   node bench/compare.mjs --rounds K [--max-atoms N] [--clock cpu|wall] [--peers DIR]
//     pymatgen only, interleaved: every row is timed for ours and pymatgen in turn, K rounds, and the table gives the
//     median of the per-round ratios (see runRounds below); CPU time by default (this machine is shared).
// The peer script is found in --peers DIR or $CRYS_PEERS_DIR, python as $PYTHON or python3 (tools/peers/locate.mjs).
// Rows: both val datasets at 5 Å (crystals/s; parsing timed separately, the peers exclude it too) and n×n×n
// supercells from ~10² to ~10⁶ atoms (µs per atom, must stay flat), plus peak memory per edge.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { radiusGraph } from '@crys/graph';
import { recordSummary } from '../../../tools/bench/summary.mjs';
import { jemallocPath, PYTHON, peerScript as findPeer, pythonMissing } from '../../../tools/peers/locate.mjs';
import { loadDataset, supercell } from './data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const quick = process.argv.includes('--quick');
const noPeer = process.argv.includes('--no-peer');
const CUTOFF = 5;
const argValue = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
};
const rounds = argValue('--rounds');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
// Median over `repeats` timings, each a loop of calls lasting at least `minMs` (this machine is shared: short
// single calls are dominated by scheduler preemption). Returns ms per call.
// The clock of time(): wall time, or (--rounds with --clock cpu) the process's CPU time, user + system, which a
// loaded machine's waits for a core do not inflate (it counts V8's helper threads too, against us).
let now = () => performance.now();
function time(fn, repeats, minMs = 1000) {
  fn(); // warm-up
  const ts = [];
  for (let r = 0; r < repeats; r++) {
    let calls = 0;
    const t0 = now();
    let t = 0;
    do {
      fn();
      calls++;
      t = now() - t0;
    } while (t < minMs);
    ts.push(t / calls);
  }
  return median(ts);
}

if (rounds !== undefined) {
  await runRounds(rounds, argValue('--max-atoms') ?? 1.05e6);
  process.exit(0);
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

// ---------------------------------------------------------------- interleaved rounds against pymatgen
// One long-lived peer process per malloc (glibc's default, and jemalloc with its pages retained, the configuration
// the peers' README recommends) answers one row at a time, so each row is timed for ours and the peer back to back
// and a burst of load on this shared machine hits both sides of a ratio. Ours is timed twice: `radiusGraph` into
// fresh arrays (every build faults in new pages for its 28 B/edge output), and into a reused
// `createGraphWorkspace()` (what a loop of builds should use); the fair pairs are fresh vs glibc and workspace vs
// jemalloc-retain (whose freed pages are reused by the next call). pymatgen is skipped above 3·10⁷ edges (its
// outputs alone take 48 B/edge). Both sides time a row alike: a cell of at most 2·10⁴ atoms after a warm-up call, in
// loops of calls lasting at least 300 ms (a single call of a 64-atom cell lasts 1–2 ms, and its CPU time jumped
// between 1.0 and 2.0 ms from one round to the next), the median of 5; a larger cell one call per round.
function peerDriver() {
  return `
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import neighbors_ref as m
from pymatgen.core import Lattice, Structure
bases, sets = {}, {}
def base(ds):
    if ds not in bases:
        data = m.load(ds, "val")
        idx = 0 if ds == "perov_5" else next(k for k, e in enumerate(data) if len(e[2]) >= 8)
        bases[ds] = m.build(data[idx])[0]
    return bases[ds]
for line in sys.stdin:
    kind, ds, n, reps, rc, min_s = line.split()
    clock = time.process_time if sys.argv[2] == "cpu" else time.perf_counter
    n, reps, rc, min_s = int(n), int(reps), float(rc), float(min_s)
    times, edges = [], 0
    if kind == "dataset":
        if ds not in sets:
            sets[ds] = [m.build(e)[1] for e in m.load(ds, "val")]
        objs = sets[ds]
    else:
        sc = base(ds).repeat((n, n, n))
        objs = [Structure(Lattice(sc.cell[:]), sc.get_chemical_symbols(), sc.get_scaled_positions(wrap=False),
                          coords_are_cartesian=False)]
    def run():
        e = 0
        for o in objs:
            e += len(m.pmg_nl(o, rc)[0])
        return e
    if min_s > 0:
        run()  # warm-up, as ours has
    for _ in range(reps):
        # calls until min_s has passed, as ours are timed: one call of a small cell lasts 1-2 ms
        calls, t0 = 0, clock()
        while True:
            edges = run()
            calls += 1
            t = clock() - t0
            if t >= min_s:
                break
        times.append(t / calls)
    times.sort()
    print(json.dumps({"s": times[len(times) // 2], "edges": edges}), flush=True)
`;
}

async function runRounds(k, maxAtoms) {
  const ci = process.argv.indexOf('--clock');
  const clock = ci >= 0 ? process.argv[ci + 1] : 'cpu';
  if (clock !== 'cpu' && clock !== 'wall') throw new Error(`--clock: cpu or wall, got ${clock}`);
  if (clock === 'cpu') {
    now = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
  }
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const { createGraphWorkspace, radiusGraphBatch } = await import('@crys/graph');
  const found = findPeer('neighbors_ref.py');
  const missing = found.skipped ? undefined : pythonMissing(['ase', 'pymatgen.core']);
  if (found.skipped || missing)
    throw new Error(`compare --rounds needs the pymatgen peer: ${found.skipped ?? missing}`);
  const jemalloc = jemallocPath();
  const peers = [['glibc', {}]];
  if (jemalloc) {
    peers.push(['jemalloc', { LD_PRELOAD: jemalloc, MALLOC_CONF: 'dirty_decay_ms:-1,muzzy_decay_ms:-1,retain:true' }]);
  } else console.log('jemalloc not installed (apt-get install libjemalloc2): pymatgen with glibc malloc only');
  const procs = peers.map(([name, env]) => {
    const p = spawn(PYTHON, ['-c', peerDriver(), dirname(found.path), clock], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: p.stdout })[Symbol.asyncIterator]();
    return {
      name,
      p,
      ask: async (line) => {
        p.stdin.write(`${line}\n`);
        const { value, done } = await lines.next();
        if (done) throw new Error(`pymatgen peer (${name}) exited`);
        return JSON.parse(value);
      },
    };
  });
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const rows = [];
  for (const name of ['perov_5', 'carbon_24']) {
    const { crystals } = loadDataset(root, name);
    const row = name === 'perov_5' ? 0 : crystals.findIndex((c) => c.atomicNumbers.length >= 8);
    rows.push({ kind: 'dataset', name, crystals });
    const base = crystals[row];
    const nb = base.atomicNumbers.length;
    const ns = [1, 2, 3, 4, 6, 8, 11, 16, 22, 27, 34, 46, 59].filter(
      (n) => nb * n ** 3 <= maxAtoms && nb * n ** 3 >= 50,
    );
    for (const n of ns.sort((a, b) => a - b)) rows.push({ kind: 'supercell', name, n, base, atoms: nb * n ** 3 });
  }
  const ws = createGraphWorkspace();
  const results = rows.map(() => ({
    fresh: [],
    workspace: [],
    batch: [],
    peer: Object.fromEntries(procs.map((p) => [p.name, []])),
    edges: 0,
    peerEdges: {},
  }));
  for (let r = 0; r < k; r++) {
    console.log(`round ${r + 1}/${k} (load ${load()})`);
    for (let q = 0; q < rows.length; q++) {
      const row = rows[q],
        res = results[q];
      if (row.kind === 'dataset') {
        const cs = row.crystals;
        const perCrystal = (workspace) => () => {
          let e = 0;
          for (const c of cs) e += radiusGraph(c, { cutoff: CUTOFF, workspace }).src.length;
          res.edges = e;
        };
        res.fresh.push(time(perCrystal(undefined), 3, 500));
        res.workspace.push(time(perCrystal(ws), 3, 500));
        res.batch.push(
          time(
            () => {
              let e = 0;
              for (let s = 0; s < cs.length; s += 64)
                e += radiusGraphBatch(cs.slice(s, s + 64), { cutoff: CUTOFF, workspace: ws }).src.length;
              if (e !== res.edges) throw new Error(`radiusGraphBatch: ${e} edges, radiusGraph ${res.edges}`);
            },
            3,
            500,
          ),
        );
        for (const peer of procs) {
          const a = await peer.ask(`dataset ${row.name} 0 1 ${CUTOFF} 0`);
          res.peer[peer.name].push(1000 * a.s);
          res.peerEdges[peer.name] = a.edges;
        }
      } else {
        const c = supercell(row.base, row.n);
        const reps = row.atoms > 2e4 ? 1 : 5; // the rounds repeat every row
        const minMs = row.atoms > 2e4 ? 0 : 300;
        res.fresh.push(
          time(
            () => {
              res.edges = radiusGraph(c, { cutoff: CUTOFF, maxEdges: 2e8 }).src.length;
            },
            reps,
            minMs,
          ),
        );
        res.workspace.push(time(() => radiusGraph(c, { cutoff: CUTOFF, maxEdges: 2e8, workspace: ws }), reps, minMs));
        if (res.edges <= 3e7) {
          for (const peer of procs) {
            const a = await peer.ask(`supercell ${row.name} ${row.n} ${reps} ${CUTOFF} ${minMs / 1000}`);
            res.peer[peer.name].push(1000 * a.s);
            res.peerEdges[peer.name] = a.edges;
          }
        }
      }
      const label = row.kind === 'dataset' ? `${row.name} val` : `${row.name} ${row.n}^3 N=${row.atoms}`;
      const last = (xs) => (xs?.length ? xs[xs.length - 1].toFixed(1) : '—');
      console.log(
        `  ${label}: ours ${last(res.fresh)} ms, workspace ${last(res.workspace)} ms` +
          (row.kind === 'dataset' ? `, batch ${last(res.batch)} ms` : '') +
          procs.map((p) => `, pymatgen/${p.name} ${last(res.peer[p.name])} ms`).join('') +
          ` (load ${load()})`,
      );
    }
  }
  for (const p of procs) p.p.stdin.end();
  // Ratio of every round, then the median over rounds: ours / pymatgen time (below 1: ours is faster).
  const ratioOf = (a, b) => (b?.length === a.length ? median(a.map((x, i) => x / b[i])) : undefined);
  const ratio = (a, b) => ratioOf(a, b)?.toFixed(3) ?? '—';
  const table = [];
  for (let q = 0; q < rows.length; q++) {
    const row = rows[q],
      res = results[q];
    for (const [name, edges] of Object.entries(res.peerEdges))
      if (edges !== res.edges)
        console.log(`WARNING: ${row.name} edges differ: ours ${res.edges}, pymatgen/${name} ${edges}`);
    const per = row.kind === 'dataset' ? row.crystals.length : row.atoms;
    const unit = row.kind === 'dataset' ? 'µs/crystal' : 'µs/atom';
    const us = (xs) => (xs?.length ? ((1000 * median(xs)) / per).toFixed(2) : '—');
    const g = res.peer.glibc,
      j = res.peer.jemalloc;
    table.push([
      row.kind === 'dataset'
        ? `${row.name} val (${per} crystals, ${unit})`
        : `${row.name} ${row.n}³ N=${row.atoms} (${unit})`,
      us(res.fresh),
      us(res.workspace),
      row.kind === 'dataset' ? us(res.batch) : '',
      us(g),
      us(j),
      ratio(res.fresh, g),
      ratio(res.workspace, j ?? g),
      row.kind === 'dataset' ? ratio(res.batch, j ?? g) : '',
    ]);
  }
  // The speed goal's rows for `pnpm bench`'s summary: each dataset, and the supercell row furthest from the goal, for
  // the two fair pairs (fresh arrays vs glibc pymatgen, a reused workspace vs jemalloc pymatgen).
  const how = `median of ${k} interleaved rounds, ${clock} time`;
  for (const [label, mine, peerName] of [
    ['fresh arrays', 'fresh', 'glibc'],
    ['workspace', 'workspace', 'jemalloc'],
  ]) {
    let worst;
    rows.forEach((row, q) => {
      const res = results[q];
      const peerTimes = res.peer[peerName] ?? res.peer.glibc;
      const r = ratioOf(res[mine], peerTimes);
      if (r === undefined) return;
      const per = row.kind === 'dataset' ? row.crystals.length : row.atoms;
      const entry = {
        area: 'graph',
        case:
          row.kind === 'dataset'
            ? `radiusGraph 5 Å, ${row.name} val (${per} crystals)`
            : `radiusGraph 5 Å, worst supercell: ${row.name} ${row.n}³ (N ${row.atoms})`,
        metric: `${label} vs pymatgen ${res.peer[peerName] ? peerName : 'glibc'}`,
        ours: (1000 * median(res[mine])) / per,
        peer: (1000 * median(peerTimes)) / per,
        unit: row.kind === 'dataset' ? 'µs/crystal' : 'µs/atom',
        goal: 0.2,
        note: how,
        ratio: r,
      };
      if (row.kind === 'dataset') recordSummary(entry);
      else if (!worst || r > worst.r) worst = { r, entry };
    });
    if (worst) recordSummary(worst.entry);
  }
  const head = [
    'row',
    'ours',
    'ours, workspace',
    'ours, batch of 64',
    'pymatgen',
    'pymatgen, jemalloc',
    'ours / pymatgen',
    'workspace / pymatgen jemalloc',
    'batch / pymatgen jemalloc',
  ];
  const widths = head.map((h, c) => Math.max(h.length, ...table.map((r) => String(r[c]).length)));
  const fmtRow = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${k} interleaved rounds, ${clock} time, cutoff ${CUTOFF} Å, load at the end ${load()}`);
  console.log(`${fmtRow(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of table) console.log(fmtRow(r));
}
