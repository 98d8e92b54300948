import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { type Crystal, InvalidArgumentError, latticeFromParameters } from '@crys/lattice';
import { describe, expect, test } from 'vitest';
import { cellOf, FIXTURES, matchCell, matchSites } from '../test/helpers.js';
import { readCif } from './cif.js';
import { FORMATS, read, write } from './formats.js';

// One suite for every writable format: read(write(c)) ≈ c up to atom order and lattice translations
// (loaders.gl test/common/conformance.ts).
const WRITABLE = FORMATS.filter((f) => f.write).map((f) => f.id);

const crystalArb = fc
  .record({
    a: fc.double({ min: 2, max: 20, noNaN: true }),
    b: fc.double({ min: 2, max: 20, noNaN: true }),
    c: fc.double({ min: 2, max: 20, noNaN: true }),
    alpha: fc.double({ min: 60, max: 120, noNaN: true }),
    beta: fc.double({ min: 60, max: 120, noNaN: true }),
    gamma: fc.double({ min: 60, max: 120, noNaN: true }),
    atoms: fc.array(
      fc.record({
        z: fc.integer({ min: 1, max: 118 }),
        x: fc.double({ min: 0, max: 0.999, noNaN: true }),
        y: fc.double({ min: 0, max: 0.999, noNaN: true }),
        w: fc.double({ min: 0, max: 0.999, noNaN: true }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
  })
  .filter((p) => {
    // Angles must form a cell with a reasonable volume.
    const r = Math.PI / 180;
    const ca = Math.cos(p.alpha * r),
      cb = Math.cos(p.beta * r),
      cg = Math.cos(p.gamma * r);
    return 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg > 0.05;
  })
  .map(
    (p): Crystal => ({
      lattice: latticeFromParameters(p.a, p.b, p.c, p.alpha, p.beta, p.gamma),
      fracCoords: Float64Array.from(p.atoms.flatMap((t) => [t.x, t.y, t.w])),
      atomicNumbers: Uint8Array.from(p.atoms.map((t) => t.z)),
    }),
  )
  .filter((c) => {
    // Sites must be distinct (CIF merges coincident sites of one element, as pymatgen does).
    const n = c.atomicNumbers.length;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) {
        let far = false;
        for (let k = 0; k < 3; k++) {
          const d = c.fracCoords[3 * i + k] - c.fracCoords[3 * j + k];
          if (Math.abs(d - Math.round(d)) > 1e-3) far = true;
        }
        if (!far) return false;
      }
    return true;
  });

function expectSame(back: Crystal, c: Crystal, tol: number): void {
  expect(matchCell(cellOf(back), cellOf(c), tol)).toBeNull();
  expect(matchSites(back.fracCoords, back.atomicNumbers, c.fracCoords, c.atomicNumbers, tol)).toBeNull();
}

describe('conformance: read(write(c)) ≈ c for every writable format', () => {
  test('the writable formats are cif, poscar, extxyz, pymatgen-json, dataset-csv, xsf, res and espresso-in', () => {
    expect(WRITABLE).toEqual(['cif', 'poscar', 'extxyz', 'pymatgen-json', 'dataset-csv', 'xsf', 'res', 'espresso-in']);
  });

  for (const id of WRITABLE) {
    fcTest.prop([crystalArb], { numRuns: 40 })(`read(write(c, '${id}'), { format: '${id}' }) returns c`, (c) => {
      const back = read(write(c, id), { format: id }).crystals;
      expect(back.length).toBe(1);
      expectSame(back[0], c, 1e-7);
    });

    test(`read(write(real, '${id}')) returns the real LaMnO3 and Dolomite crystals`, () => {
      for (const f of ['cif2hkl__LaMnO3.cif', 'avogadro__carbonates__CaMgC2O6-Dolomite.cif']) {
        const c = readCif(readFileSync(join(FIXTURES, 'real', 'cif', f), 'utf8')).crystals[0];
        expectSame(read(write(c, id), { format: id }).crystals[0], c, 1e-7);
      }
    });
  }

  test('every writable format keeps partial occupancies or refuses them (POSCAR, XSF, pw.x)', () => {
    const file = 'avogadro__titanates__PbZr0.1Ti0.9O3.cif';
    const c = readCif(readFileSync(join(FIXTURES, 'real', 'cif', file), 'utf8')).crystals[0];
    expect(c.occupancies).toBeDefined();
    for (const id of WRITABLE) {
      if (id === 'poscar' || id === 'xsf' || id === 'espresso-in') {
        expect(() => write(c, id)).toThrow(InvalidArgumentError);
        continue;
      }
      const back = read(write(c, id), { format: id }).crystals[0];
      expectSame(back, c, 1e-7);
      expect(Array.from(back.occupancies ?? [])).toEqual(Array.from(c.occupancies ?? []));
    }
  });

  for (const id of ['extxyz', 'xsf']) {
    test(`write(crystals, '${id}') keeps every frame of a trajectory`, () => {
      const c = readCif(readFileSync(join(FIXTURES, 'real', 'cif', 'cif2hkl__LaMnO3.cif'), 'utf8')).crystals[0];
      const frames = [
        c,
        { ...c, lattice: c.lattice.map((x) => x * 1.01) },
        { ...c, lattice: c.lattice.map((x) => x * 1.02) },
      ];
      const back = read(write(frames, id), { format: id }).crystals;
      expect(back.length).toBe(3);
      for (const [i, b] of back.entries()) expectSame(b, frames[i], 1e-7);
    });
  }
});
