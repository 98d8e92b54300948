// The fuzz lane of @crys/io: mutations of real files (the io fixtures and the val CSV rows), and the verdict on
// one reader call. Used by src/fuzz.test.ts (a fast sample), src/fuzz.slow.test.ts (the lane, in a worker with
// a time limit per input) and test/fuzz-worker.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrysError, type Crystal, createCrystal, type Rng } from '@crys/lattice';
import { CsvRecordReader, csvField } from '../src/csv.js';
import { detectFormat, read } from '../src/formats.js';
import { FIXTURES, ROOT } from './helpers.js';

/** Pieces a mutation inserts: CIF, CSV and XYZ syntax, digits, and numbers that overflow. */
export const ALPHABET = [
  ' ',
  '\n',
  "'",
  '"',
  ';',
  '#',
  '_',
  '-',
  '.',
  '?',
  '0',
  '1',
  '9',
  'x',
  ',',
  '/',
  '(',
  ')',
  'e',
  'E',
  'data_',
  'loop_',
  '{',
  '}',
  '[',
  ']',
  ':',
  'T',
  'NaN',
  'Infinity',
  '1e999',
  '1e308',
  '1e-320',
  '-0',
  '99999999999',
  // XSF, SHELX .res, pw.x and VASP volumetric keywords
  'PRIMVEC',
  'PRIMCOORD',
  'ANIMSTEPS 9',
  'CELL',
  'SFAC',
  'SYMM -x,y,-z',
  'LATT 4',
  '=',
  '!',
  '&SYSTEM',
  ' ibrav=',
  'celldm(1)=',
  'ATOMIC_POSITIONS bohr',
  '\n\n 9 9 9\n',
] as const;

/** One edit of a text, at a relative position `at` in [0, 1). */
export type Mutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'replace'; readonly at: number; readonly len: number; readonly text: string }
  | { readonly kind: 'delete-line'; readonly at: number }
  | { readonly kind: 'repeat-line'; readonly at: number; readonly times: number };

/** Applies the edits in order. */
export function mutate(text: string, ms: readonly Mutation[]): string {
  let s = text;
  for (const m of ms) {
    const i = Math.floor(m.at * s.length);
    if (m.kind === 'truncate') s = s.slice(0, i);
    else if (m.kind === 'replace') s = s.slice(0, i) + m.text + s.slice(i + m.len);
    else {
      const a = s.lastIndexOf('\n', i - 1) + 1;
      const b = s.indexOf('\n', i);
      const end = b < 0 ? s.length : b + 1;
      if (m.kind === 'delete-line') s = s.slice(0, a) + s.slice(end);
      else {
        const line = s.slice(a, end);
        s = s.slice(0, a) + (line.endsWith('\n') ? line : `${line}\n`).repeat(m.times) + s.slice(end);
      }
    }
  }
  return s;
}

/** 1–4 random edits (a repeated line at most 2,000 times). */
export function randomMutations(rng: Rng): Mutation[] {
  const out: Mutation[] = [];
  const count = 1 + rng.int(4);
  for (let k = 0; k < count; k++) {
    const at = rng.next();
    const r = rng.next();
    if (r < 0.1) out.push({ kind: 'truncate', at });
    else if (r < 0.75) out.push({ kind: 'replace', at, len: rng.int(9), text: ALPHABET[rng.int(ALPHABET.length)] });
    else if (r < 0.9) out.push({ kind: 'delete-line', at });
    else out.push({ kind: 'repeat-line', at, times: 2 + rng.int(rng.next() < 0.8 ? 20 : 2000) });
  }
  return out;
}

/** A real file to mutate: its text, the format it is read as and a name for reports. */
export interface Seed {
  readonly name: string;
  readonly format: string;
  readonly text: string;
}

/**
 * Every real io fixture (COD CIFs, peer-written POSCAR, extended XYZ and JSON), read as its detected format,
 * the format corpus (XSF, SHELX .res, pw.x input, CHGCAR/LOCPOT written by ASE and pymatgen), and `csvRows` rows of each val CSV, each as a one-row dataset CSV.
 */
export function fuzzSeeds(csvRows: number): Seed[] {
  const seeds: Seed[] = [];
  for (const folder of ['cif', 'generated', 'xyz']) {
    const dir = join(FIXTURES, 'real', folder);
    for (const file of readdirSync(dir).sort()) {
      const text = readFileSync(join(dir, file), 'utf8');
      let format: string;
      try {
        format = detectFormat(file, text).id;
      } catch {
        continue;
      }
      seeds.push({ name: `${folder}/${file}`, format, text });
    }
  }
  // The format corpus written by ASE and pymatgen (XSF/AXSF, SHELX .res, pw.x input, CHGCAR/LOCPOT), and the real
  // XSF and pw.x files of XCrySDen's and Quantum ESPRESSO's examples (uncompressed ones).
  for (const [base, folder] of [
    ['formats', 'xsf'],
    ['formats', 'res'],
    ['formats', 'espresso-in'],
    ['formats', 'vasp-volumetric'],
    ['real', 'xsf'],
    ['real', 'espresso-in'],
  ]) {
    const dir = join(FIXTURES, base, folder);
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith('.gz')) continue;
      seeds.push({ name: `${base}/${folder}/${file}`, format: folder, text: readFileSync(join(dir, file), 'utf8') });
    }
  }
  for (const dataset of ['perov_5', 'carbon_24']) {
    const reader = new CsvRecordReader(dataset);
    reader.push(readFileSync(join(ROOT, 'data', dataset, 'val.csv'), 'utf8'));
    reader.end();
    const header = reader.next()?.fields ?? [];
    const head = `${header.map(csvField).join(',')}\n`;
    for (let k = 0; k < csvRows; k++) {
      const rec = reader.next();
      if (!rec) break;
      seeds.push({
        name: `${dataset}/val.csv row ${k + 1}`,
        format: 'dataset-csv',
        text: `${head}${rec.fields.map(csvField).join(',')}\n`,
      });
    }
  }
  return seeds;
}

/** What one reader call gave: crystals createCrystal accepts, a typed error, or a defect. */
export type Verdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'typed' }
  | { readonly kind: 'untyped'; readonly detail: string }
  | { readonly kind: 'bad-crystal'; readonly detail: string };

/**
 * Reads `text` as `format` (CIF and dataset CSV also with `wrap: false`) and judges the outcome: every crystal
 * must be accepted by `createCrystal` and have finite Cartesian positions; every error must be a `CrysError`.
 */
export function judgeRead(format: string, text: string, wrap = true): Verdict {
  let crystals: Crystal[];
  try {
    crystals = read(text, { format, ...(wrap ? {} : { wrap: false }) }).crystals;
  } catch (e) {
    if (CrysError.isInstance(e)) return { kind: 'typed' };
    return { kind: 'untyped', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  for (const c of crystals) {
    try {
      createCrystal(c);
    } catch (e) {
      return { kind: 'bad-crystal', detail: (e as Error).message };
    }
    const l = c.lattice;
    const f = c.fracCoords;
    for (let i = 0; i < f.length; i += 3) {
      for (let j = 0; j < 3; j++) {
        const v = f[i] * l[j] + f[i + 1] * l[3 + j] + f[i + 2] * l[6 + j];
        if (!Number.isFinite(v)) return { kind: 'bad-crystal', detail: `Cartesian position ${v} of atom ${i / 3 + 1}` };
      }
    }
  }
  return { kind: 'ok' };
}
