import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { CrysError } from '@crys/lattice';
import { describe, expect } from 'vitest';
import { FIXTURES, hasNonFinite } from '../test/helpers.js';
import { readDatasetCsv } from './dataset-csv.js';
import { read } from './formats.js';

// Random mutations and truncations of real files: the result is crystals without NaN, or a typed error
// (CrysError: ParseError, UnknownFormatError, InvalidArgumentError) — never another exception or a hang.
const SAMPLES: [string, string][] = [
  ['cif', 'cif/cif2hkl__LaMnO3.cif'],
  ['cif', 'cif/avogadro__elements__Er-Erbium.cif'],
  ['cif', 'cif/avogadro__carbonates__CaMgC2O6-Dolomite.cif'],
  ['poscar', 'generated/cif2hkl__LaMnO3.POSCAR'],
  ['poscar', 'generated/cif2hkl__LaMnO3.vasp'],
  ['extxyz', 'generated/cif2hkl__LaMnO3.extxyz'],
  ['pymatgen-json', 'generated/cif2hkl__LaMnO3.json'],
];
const TEXTS = SAMPLES.map(([format, f]) => [format, readFileSync(join(FIXTURES, 'real', f), 'utf8')] as const);

const ALPHABET = [
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
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    len: fc.integer({ min: 0, max: 8 }),
    text: fc.constantFrom(...ALPHABET),
  }),
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

function mutate(text: string, ms: { kind: string; at: number; len?: number; text?: string }[]): string {
  let s = text;
  for (const m of ms) {
    const i = Math.floor(m.at * s.length);
    if (m.kind === 'truncate') s = s.slice(0, i);
    else if (m.kind === 'replace') s = s.slice(0, i) + (m.text ?? '') + s.slice(i + (m.len ?? 0));
    else {
      const a = s.lastIndexOf('\n', i - 1) + 1;
      const b = s.indexOf('\n', i);
      s = s.slice(0, a) + (b < 0 ? '' : s.slice(b + 1));
    }
  }
  return s;
}

function expectCrystalsOrTypedError(
  run: () => { crystal: import('@crys/lattice').Crystal }[] | import('@crys/lattice').Crystal[],
): void {
  try {
    const out = run();
    for (const c of out) {
      const crystal = 'crystal' in c ? c.crystal : c;
      expect(hasNonFinite(crystal)).toBe(false);
      expect(crystal.fracCoords.length).toBe(3 * crystal.atomicNumbers.length);
    }
  } catch (e) {
    if (!CrysError.isInstance(e)) throw e;
  }
}

describe('fuzzing real files', () => {
  for (const [i, [format, text]] of TEXTS.entries()) {
    fcTest.prop([fc.array(mutation, { minLength: 1, maxLength: 4 })], { numRuns: 150 })(
      `read(mutated ${SAMPLES[i][1]}) gives crystals without NaN or a typed error`,
      (ms) => {
        const s = mutate(text, ms);
        expectCrystalsOrTypedError(() => read(s, { format }).crystals);
        expectCrystalsOrTypedError(() => read(s, { fileName: SAMPLES[i][1] }).crystals);
      },
    );
  }

  const csv = readFileSync(join(FIXTURES, '..', '..', '..', '..', 'data', 'perov_5', 'val.csv'), 'utf8').slice(0, 6000);
  fcTest.prop([fc.array(mutation, { minLength: 1, maxLength: 4 })], { numRuns: 150 })(
    'readDatasetCsv(mutated val.csv head) gives rows without NaN or a typed error',
    (ms) => {
      const s = mutate(csv, ms);
      expectCrystalsOrTypedError(() => [...readDatasetCsv(s)]);
    },
  );

  fcTest.prop([fc.string({ maxLength: 300 })], { numRuns: 300 })(
    'read(random text) never throws an untyped error',
    (s) => {
      for (const format of ['cif', 'poscar', 'extxyz', 'pymatgen-json', 'optimade-json', 'dataset-csv']) {
        expectCrystalsOrTypedError(() => read(s, { format }).crystals);
      }
    },
  );
});
