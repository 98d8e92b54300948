import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { CrysError, createCrystal, createRng } from '@crys/lattice';
import { describe, expect, test } from 'vitest';
import { ALPHABET, fuzzSeeds, judgeRead, type Mutation, mutate, randomMutations } from '../test/fuzz-lane.js';
import { FIXTURES, hasNonFinite } from '../test/helpers.js';
import { readDatasetCsv } from './dataset-csv.js';
import { read } from './formats.js';

// Random mutations and truncations of real files: the result is crystals without NaN, or a typed error
// (CrysError: ParseError, UnknownFormatError, InvalidArgumentError) — never another exception or a hang — and
// every crystal is one createCrystal accepts.
const SAMPLES: [string, string][] = [
  ['cif', 'cif/cif2hkl__LaMnO3.cif'],
  ['cif', 'cif/avogadro__elements__Er-Erbium.cif'],
  ['cif', 'cif/avogadro__carbonates__CaMgC2O6-Dolomite.cif'],
  ['poscar', 'generated/cif2hkl__LaMnO3.POSCAR'],
  ['poscar', 'generated/cif2hkl__LaMnO3.vasp'],
  ['extxyz', 'generated/cif2hkl__LaMnO3.extxyz'],
  ['pymatgen-json', 'generated/cif2hkl__LaMnO3.json'],
  ['xsf', '../formats/xsf/carbon_24-1.axsf'],
  ['xsf', '../formats/xsf/perov_5-2.xsf'],
  ['res', '../formats/res/carbon_24-3.res'],
  ['res', '../formats/res/perov_5-2.res'],
  ['espresso-in', '../formats/espresso-in/ibrav14-1.pwi'],
  ['espresso-in', '../formats/espresso-in/perov_5-1.pwi'],
  ['vasp-volumetric', '../formats/vasp-volumetric/LOCPOT.carbon_24-1'],
];
const TEXTS = SAMPLES.map(([format, f]) => [format, readFileSync(join(FIXTURES, 'real', f), 'utf8')] as const);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    len: fc.integer({ min: 0, max: 8 }),
    text: fc.constantFrom(...ALPHABET),
  }),
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

function expectCrystalsOrTypedError(
  run: () => { crystal: import('@crys/lattice').Crystal }[] | import('@crys/lattice').Crystal[],
): void {
  try {
    const out = run();
    for (const c of out) {
      const crystal = 'crystal' in c ? c.crystal : c;
      expect(hasNonFinite(crystal)).toBe(false);
      expect(() => createCrystal(crystal)).not.toThrow();
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
      for (const format of [
        'cif',
        'poscar',
        'extxyz',
        'pymatgen-json',
        'optimade-json',
        'dataset-csv',
        'xsf',
        'res',
        'espresso-in',
        'vasp-volumetric',
      ]) {
        expectCrystalsOrTypedError(() => read(s, { format }).crystals);
      }
    },
  );

  // A fast sample of the fuzz lane (fuzz.slow.test.ts runs it in a worker with a time limit): 400 mutated real
  // files (every io fixture and 20 rows of each val CSV), judged as the lane judges them.
  test('400 inputs of the fuzz lane give crystals createCrystal accepts or a typed error', () => {
    const seeds = fuzzSeeds(20);
    const rng = createRng(2026);
    const defects: string[] = [];
    for (let k = 0; k < 400; k++) {
      const seed = seeds[rng.int(seeds.length)];
      const ms = randomMutations(rng);
      const verdict = judgeRead(seed.format, mutate(seed.text, ms), rng.next() < 0.8);
      if (verdict.kind === 'untyped' || verdict.kind === 'bad-crystal') {
        defects.push(`${seed.name} ${JSON.stringify(ms)}: ${verdict.kind} ${verdict.detail}`);
      }
    }
    expect(defects).toEqual([]);
  });
});
