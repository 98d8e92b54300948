#!/usr/bin/env node
// CIF throughput of @crys/io on both val CSVs beside pymatgen's CifParser and ASE's reader, timed on the
// same run (parse_bench.py in the peers folder: --peers DIR or $CRYS_PEERS_DIR; python is $PYTHON or python3, see
// tools/peers/locate.mjs). Needs `pnpm build` first. Prints a table with the ratio to the faster peer.
// Usage: node bench/cif-throughput.mjs [--repeats 5] [--peers DIR]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCif, readDatasetCsv } from '@crys/io';
import { PYTHON, peerScript, pythonMissing } from '../../../tools/peers/locate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const repeats = Number(process.argv[process.argv.indexOf('--repeats') + 1]) || 5;
const datasets = ['perov_5', 'carbon_24'];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ours = {};
for (const ds of datasets) {
  const text = readFileSync(join(root, 'data', ds, 'val.csv'), 'utf8');
  // CIF strings extracted once (CSV reading excluded, as in the peer script).
  const cifs = [];
  const { CsvRecordReader } = await import('../dist/csv.js');
  const r = new CsvRecordReader(ds);
  r.push(text);
  r.end();
  const col = r.next().fields.indexOf('cif');
  for (let rec = r.next(); rec; rec = r.next()) cifs.push(rec.fields[col]);
  for (let w = 0; w < 2; w++) for (const c of cifs) readCif(c, { labels: false }); // warm-up
  const times = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    for (const c of cifs) readCif(c, { labels: false });
    times.push((performance.now() - t0) / 1e3);
  }
  const csvTimes = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    let n = 0;
    for (const _ of readDatasetCsv(text)) n++;
    csvTimes.push((performance.now() - t0) / 1e3);
    if (n !== cifs.length) throw new Error(`readDatasetCsv gave ${n} rows, expected ${cifs.length}`);
  }
  ours[ds] = { n: cifs.length, cif: cifs.length / median(times), csv: cifs.length / median(csvTimes) };
  console.log(
    `${ds} @crys/io readCif: ${ours[ds].cif.toFixed(0)} structures/s; readDatasetCsv (CSV + CIF): ${ours[ds].csv.toFixed(0)} rows/s`,
  );
}

const peer = peerScript('parse_bench.py');
const missing = peer.skipped ?? pythonMissing(['pymatgen.io.cif', 'ase.io']);
let peers;
if (missing) {
  console.log(`peer skipped: ${missing}`);
} else {
  const out = mkdtempSync(join(tmpdir(), 'crys-peers-'));
  execFileSync(PYTHON, [peer.path, '--repeats', '3'], { stdio: 'inherit', env: { ...process.env, PEERS_OUT: out } });
  peers = JSON.parse(readFileSync(join(out, 'results', 'parse_bench.json'), 'utf8'));
}

const rows = [];
for (const ds of datasets) {
  const get = (name) => peers?.rows.find((r) => r.dataset === ds && r.parser === name)?.structures_per_s;
  const pmg = get('pymatgen_CifParser');
  const ase = get('ase_read_cif');
  const best = Math.max(pmg ?? 0, ase ?? 0);
  rows.push({
    dataset: ds,
    structures: ours[ds].n,
    'crys readCif /s': Math.round(ours[ds].cif),
    'crys CSV rows /s': Math.round(ours[ds].csv),
    'pymatgen /s': pmg ? Math.round(pmg) : 'n/a',
    'ASE /s': ase ? Math.round(ase) : 'n/a',
    'ratio vs faster peer': best ? `${(ours[ds].cif / best).toFixed(1)}×` : 'n/a',
  });
}
console.table(rows);
