import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Crystal } from '@crys/lattice';
import { read } from '../src/formats.js';
import { cellOf, FIXTURES, matchCell, matchSites, readGzipJson } from './helpers.js';

interface PmgRecord {
  n: number;
  cell: number[];
  frac: number[];
  species: Record<string, number>[];
  error?: string;
}
interface AseRecord {
  n: number;
  cell: number[];
  frac: number[];
  numbers: number[];
  error?: string;
}
export interface RealRecord {
  pymatgen: PmgRecord;
  ase: AseRecord;
}

export function realOracle(): Record<string, RealRecord> {
  return readGzipJson(join(FIXTURES, 'oracle', 'real.json.gz'));
}

export function realFiles(): string[] {
  const out: string[] = [];
  for (const sub of ['cif', 'xyz', 'generated']) {
    for (const name of readdirSync(join(FIXTURES, 'real', sub))) out.push(`${sub}/${name}`);
  }
  return out.sort();
}

/** Collapses coincident sites (disorder) into one position each, keeping the first species. */
function collapse(c: Crystal): { frac: number[]; z: number[] } {
  const frac: number[] = [];
  const z: number[] = [];
  const n = c.atomicNumbers.length;
  for (let i = 0; i < n; i++) {
    let dup = false;
    for (let j = 0; j < z.length && !dup; j++) {
      let same = true;
      for (let k = 0; k < 3; k++) {
        const d = c.fracCoords[3 * i + k] - frac[3 * j + k];
        if (Math.abs(d - Math.round(d)) > 1e-4) same = false;
      }
      dup = same;
    }
    if (!dup) {
      frac.push(c.fracCoords[3 * i], c.fracCoords[3 * i + 1], c.fracCoords[3 * i + 2]);
      z.push(c.atomicNumbers[i]);
    }
  }
  return { frac, z };
}

/**
 * Reads one real fixture with @crys/io and compares it with pymatgen (or ASE when pymatgen failed): site
 * count after symmetry expansion, cell parameters, fractional coordinates up to atom order and lattice
 * translations. Returns `null` on agreement, else what differs.
 */
export function compareReal(file: string, rec: RealRecord): string | null {
  const text = readFileSync(join(FIXTURES, 'real', file), 'utf8');
  const all = read(text, { fileName: file }).crystals;
  const usePmg = !rec.pymatgen.error;
  // ASE's read() returns the last frame of a trajectory; pymatgen reads single structures.
  const ours = usePmg ? all[0] : all[all.length - 1];
  const ref = usePmg ? rec.pymatgen : rec.ase;
  if (ref.error) return `no reference: ${ref.error}`;
  const cell = matchCell(cellOf(ours), ref.cell, 1e-6);
  if (cell) return `cell: ${cell}`;
  const ordered = usePmg
    ? rec.pymatgen.species.every((s) => Object.keys(s).length === 1 && Object.values(s)[0] === 1)
    : true;
  if (ordered) {
    const z = usePmg ? rec.pymatgen.species.map((s) => Number(Object.keys(s)[0])) : rec.ase.numbers;
    return matchSites(ours.fracCoords, ours.atomicNumbers, ref.frac, z, 2e-4);
  }
  // Disordered: pymatgen puts several species on one site; compare positions.
  const col = collapse(ours);
  return matchSites(col.frac, new Array(col.z.length).fill(0), ref.frac, new Array(ref.n).fill(0), 2e-4);
}
