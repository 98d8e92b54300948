#!/usr/bin/env node
// Benchmark: the space group of supercells of perov_5 and carbon_24 crystals (135 to 21,952 atoms; 97,336 with
// --max-atoms 100000) with @crys/eval's spaceGroup (built dist: the primitive reduction, then moyo; what `crys info`
// runs) and with pymatgen's SpacegroupAnalyzer (tools/peers/space_group_peer.py; spglib on the cell as given) on
// the same cells in the same run, rounds interleaved (ours, pymatgen, ours, …); prints the medians and the median
// of the per-round ratios. pymatgen is skipped with a message when PYTHON cannot import it.
// Usage: pnpm bench (after pnpm build), or
//   node bench/space-group.mjs [--rounds 3] [--symprec 0.1] [--max-atoms 25000] [--peer-max-atoms 25000]
//                              [--primitive-max-atoms 200]
// --primitive-max-atoms: also time pymatgen's get_primitive_structure on cells up to that size (it builds n × n
// tables: minutes on 2,560 atoms). PEERS_OUT: where the cells and the peer's answer are written (default a temp dir).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSpaceGroup, spaceGroup } from '@crys/eval';
import { readDatasetCsv } from '@crys/io';
import { makeSupercell, perturb } from '@crys/lattice';
import { PYTHON, pythonMissing } from '../../../tools/peers/locate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!(v > 0)) throw new Error(`--${name}: expected a positive number, got ${args[i + 1]}`);
  return v;
};
const rounds = opt('rounds', 3);
const symprec = opt('symprec', 0.1);
const maxAtoms = opt('max-atoms', 25_000);
const peerMaxAtoms = opt('peer-max-atoms', 25_000);
const primitiveMaxAtoms = opt('primitive-max-atoms', 200);

const firstRow = (set) => {
  for (const row of readDatasetCsv(readFileSync(join(root, 'data', set, 'val.csv'), 'utf8'))) return row.crystal;
  throw new Error(`no rows in data/${set}/val.csv`);
};
const perov = firstRow('perov_5'); // CdCuN3, 5 atoms, Pm-3m
const carbon = firstRow('carbon_24'); // 8 carbon atoms
const cells = [
  ['perov_5 3×3×3', makeSupercell(perov, [3, 3, 3])],
  ['perov_5 8×8×8', makeSupercell(perov, [8, 8, 8])],
  ['carbon_24 7×7×7', makeSupercell(carbon, [7, 7, 7])],
  ['carbon_24 7×7×7 + 0.05 Å noise', perturb(makeSupercell(carbon, [7, 7, 7]), { displacement: 0.05, seed: 1 })],
  ['carbon_24 14×14×14', makeSupercell(carbon, [14, 14, 14])],
  ['carbon_24 23×23×23', makeSupercell(carbon, [23, 23, 23])],
]
  .map(([name, crystal]) => ({ name, crystal, atoms: crystal.atomicNumbers.length }))
  .filter((c) => c.atoms <= maxAtoms);

const why = pythonMissing(['pymatgen.symmetry.analyzer', 'spglib']);
const peerCells = why ? [] : cells.filter((c) => c.atoms <= peerMaxAtoms);
let out = null;
if (peerCells.length > 0) {
  out = process.env.PEERS_OUT ?? mkdtempSync(join(tmpdir(), 'crys-space-group-bench-'));
  mkdirSync(out, { recursive: true });
  const enc = ({ name, crystal: c }) => ({
    name,
    l: Array.from(c.lattice),
    f: Array.from(c.fracCoords),
    z: Array.from(c.atomicNumbers),
  });
  writeFileSync(join(out, 'cells.json'), JSON.stringify({ symprec, primitiveMaxAtoms, cells: peerCells.map(enc) }));
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loads = [load()];
await initSpaceGroup();
await spaceGroup(perov, { symprec }); // warm up moyo and the JIT
const ours = new Map(cells.map((c) => [c.name, { seconds: [], number: 0 }]));
const peer = new Map(peerCells.map((c) => [c.name, { seconds: [], primitive: [], number: 0, primAtoms: 0 }]));
let versions = '';
for (let r = 0; r < rounds; r++) {
  for (const c of cells) {
    const t = performance.now();
    const sg = await spaceGroup(c.crystal, { symprec });
    const o = ours.get(c.name);
    o.seconds.push((performance.now() - t) / 1000);
    o.number = sg.number;
    console.error(`  round ${r + 1}/${rounds} crys ${c.name}: ${o.seconds.at(-1).toFixed(2)} s`);
  }
  if (peerCells.length > 0) {
    const resultFile = join(out, 'space_group_peer.json');
    execFileSync(PYTHON, [join(root, 'tools', 'peers', 'space_group_peer.py'), join(out, 'cells.json'), resultFile], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const res = JSON.parse(readFileSync(resultFile, 'utf8'));
    versions = `pymatgen ${res.pymatgen}, spglib ${res.spglib}`;
    for (const row of res.cells) {
      const p = peer.get(row.name);
      p.seconds.push(row.seconds);
      p.number = row.number;
      if (row.primitive) {
        p.primitive.push(row.primitive.seconds);
        p.primAtoms = row.primitive.atoms;
      }
    }
  }
  loads.push(load());
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (s) => (s < 10 ? s.toFixed(2) : s.toFixed(1));
console.log(
  `\nspace group at symprec ${symprec} Å: @crys/eval spaceGroup (primitive cell, then moyo) vs ${versions || 'pymatgen'} SpacegroupAnalyzer; median of ${rounds} interleaved round(s); load average ${loads.join(' → ')}`,
);
console.log(
  '| cell | atoms | crys (s) | pymatgen (s) | pymatgen / crys | space group crys / pymatgen | pymatgen get_primitive_structure (s) |',
);
console.log('|---|---:|---:|---:|---:|---|---:|');
for (const c of cells) {
  const o = ours.get(c.name);
  const p = peer.get(c.name);
  const ratio = p ? median(p.seconds.map((s, i) => s / o.seconds[i])) : null;
  console.log(
    `| ${c.name} | ${c.atoms} | ${fmt(median(o.seconds))} | ${p ? fmt(median(p.seconds)) : '–'} | ${ratio ? `${ratio.toFixed(1)}×` : '–'} | ${o.number} / ${p ? p.number : '–'} | ${p?.primitive.length ? `${fmt(median(p.primitive))} (${p.primAtoms} atoms)` : '–'} |`,
  );
}
if (why) console.log(`\npymatgen skipped: ${why}`);
else if (peerCells.length < cells.length)
  console.log(`\npymatgen skipped above ${peerMaxAtoms} atoms (--peer-max-atoms)`);
