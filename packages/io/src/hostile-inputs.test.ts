import { createCrystal, type Crystal } from '@crys/lattice';
import { describe, expect, test } from 'vitest';
import {
  distinctOperationsCif,
  generalPositionsCif,
  repeatedIdentityCif,
  repeatedLoopsCif,
  repeatedOperationLineCif,
} from '../test/hostile-inputs.js';
import { MAX_SITE_IMAGES, readCif } from './cif.js';
import { parseCifDocument } from './cif-syntax.js';
import { readDatasetCsv, writeDatasetCsv } from './dataset-csv.js';
import { ParseError } from './errors.js';
import { readExtxyz, writeExtxyz } from './extxyz.js';
import { read } from './formats.js';
import { readOptimadeJson, readPymatgenJson } from './json.js';
import { readPoscar } from './poscar.js';
import { findSpaceGroup, spaceGroupOperations } from './space-groups.js';

// The reproducers of the hardening issue: each input either reads into crystals createCrystal accepts or
// throws a ParseError at the offending line. Speed is measured in bench/hostile-inputs.bench.ts; the timeouts
// here only stop a hang.
const HANG = { timeout: 20_000 };

function accepted(crystals: readonly Crystal[]): void {
  for (const c of crystals) expect(() => createCrystal(c)).not.toThrow();
}

const CELL = (a: string, b: string, c: string, alpha: string, beta: string, gamma: string) =>
  `_cell_length_a ${a}\n_cell_length_b ${b}\n_cell_length_c ${c}\n_cell_angle_alpha ${alpha}\n_cell_angle_beta ${beta}\n_cell_angle_gamma ${gamma}\n`;
const SITES = (x: string) =>
  `loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nNa ${x} 0 0\n`;
const NA = (cell = CELL('4', '4', '4', '90', '90', '90'), x = '0') => `data_na\n${cell}${SITES(x)}`;

describe('sizes taken from the input are checked before anything is allocated', () => {
  test('readExtxyz refuses a Properties count of 1e20 at the comment line', () => {
    const xyz = '1\nLattice="4 0 0 0 4 0 0 0 4" Properties=species:S:1:pos:R:3:f:R:1e20\nNa 0 0 0\n';
    expect(() => readExtxyz(xyz, { source: 'big.xyz' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: big.xyz:2:29: extxyz: expected Properties to describe the 4 columns of the atom lines, got 100000000000000000000 columns in 'species:S:1:pos:R:3:f:R:1e20']`,
    );
  });

  test('readCif refuses 2,000 distinct operations × 2,000 sites (above MAX_SITE_IMAGES) at the site loop', HANG, () => {
    expect(2000 * 2000).toBeGreaterThan(MAX_SITE_IMAGES);
    expect(() => readCif(distinctOperationsCif(2000, 2000), { source: 'ops.cif' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: ops.cif:2010:1: cif: data_distinct: 2000 atom sites × 2000 distinct symmetry operations would make 4000000 site images, above the limit of 2000000]`,
    );
  });

  test('readCif reads 100,000 identity operations × 100,000 sites as the 100,000 sites', HANG, () => {
    const { crystals, warnings } = readCif(repeatedIdentityCif(100_000, 100_000));
    expect(crystals[0].atomicNumbers.length).toBe(100_000);
    expect(warnings).toMatchInlineSnapshot(`
      [
        "cif:10:1: data_repeated: 99999 of 100000 symmetry operations repeat an earlier one (modulo lattice translations); ignored",
      ]
    `);
  });

  test('readCif reads a block whose loops are repeated 1,000 times (the first loop of each tag counts)', HANG, () => {
    const { crystals } = readCif(repeatedLoopsCif(1000, 50, 50));
    expect(crystals[0].atomicNumbers.length).toBe(50 * 50);
    accepted(crystals);
  });
});

describe('symmetry expansion is near-linear', () => {
  test('readCif merges 2,000 identical x,y,z operations before expanding 2,000 sites', HANG, () => {
    const { crystals, warnings } = readCif(repeatedIdentityCif(2000, 2000));
    expect(crystals[0].atomicNumbers.length).toBe(2000);
    expect(warnings).toMatchInlineSnapshot(`
      [
        "cif:10:1: data_repeated: 1999 of 2000 symmetry operations repeat an earlier one (modulo lattice translations); ignored",
      ]
    `);
  });

  test('readCif expands F m -3 m sites exactly as comparing each image with every kept site does', () => {
    const text = generalPositionsCif(30);
    const c = readCif(text).crystals[0];
    expect(Array.from(c.fracCoords)).toEqual(naiveExpansion(text));
  });

  test('readCif expands F m -3 m with 400 positions into 76,520 sites (a few lie on mirrors)', HANG, () => {
    const { crystals } = readCif(generalPositionsCif(400));
    expect(crystals[0].atomicNumbers.length).toBe(76_520);
    accepted(crystals);
  });

  test('readCif reads a 300 KB file of one repeated operation line as two operations', HANG, () => {
    const text = repeatedOperationLineCif(300_000);
    expect(text.length).toBeGreaterThan(300_000);
    const { crystals } = readCif(text);
    expect(crystals[0].atomicNumbers.length).toBe(40);
  });

  test('readCif merges the images of a special position and coincident sites of one element as before', () => {
    // Na at the origin of F m -3 m: 192 images, 4 sites; a second Na row at the same point merges into them.
    const cif = `data_x\n${CELL('5', '5', '5', '90', '90', '90')}_symmetry_space_group_name_H-M 'F m -3 m'\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\nNa 0 0 0 0.5\nNa 0.00001 0 0 0.5\nCl 0 0 0 1\n`;
    const { crystals } = readCif(cif);
    expect(Array.from(crystals[0].atomicNumbers)).toEqual([11, 11, 11, 11, 17, 17, 17, 17]);
    expect(crystals[0].occupancies).toBeUndefined();
  });
});

/** The images of every site, wrapped, each kept unless within 1e-4 (modulo 1) of a site kept before it. */
function naiveExpansion(text: string): number[] {
  const doc = parseCifDocument(text);
  const block = doc.blocks[0];
  const ops = spaceGroupOperations(findSpaceGroup({ hermannMauguin: 'F m -3 m' })!.hallNumber);
  const xs = block.values('_atom_site_fract_x');
  const ys = block.values('_atom_site_fract_y');
  const zs = block.values('_atom_site_fract_z');
  const kept: number[] = [];
  for (let r = 0; r < xs.length; r++) {
    const p = [Number(xs[r]), Number(ys[r]), Number(zs[r])];
    for (let b = 0; b < ops.length; b += 12) {
      const img = [0, 1, 2].map((i) => {
        const v = ops[b + 3 * i] * p[0] + ops[b + 3 * i + 1] * p[1] + ops[b + 3 * i + 2] * p[2] + ops[b + 9 + i];
        const u = v - Math.floor(v);
        return u >= 1 ? 0 : u;
      });
      let dup = false;
      for (let j = 0; j < kept.length && !dup; j += 3) {
        dup = [0, 1, 2].every((i) => {
          const d = kept[j + i] - img[i];
          return Math.abs(d - Math.round(d)) < 1e-4;
        });
      }
      if (!dup) kept.push(...img);
    }
  }
  return kept;
}

describe('readers return only crystals createCrystal accepts', () => {
  test('readPoscar refuses a Cartesian 1e308 in a 1e-5 Å cell at its line', () => {
    const poscar = 'x\n1e-5\n1 0 0\n0 1 0\n0 0 1\nNa\n1\nCartesian\n1e308 0 0\n';
    expect(() => readPoscar(poscar)).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: POSCAR:9:1: poscar: expected a fractional x within ±1000000 cells, got 1e+308 (the cell is too small for the position, or the number overflows) (from Cartesian coordinates)]`,
    );
  });

  test('readPoscar refuses a Direct coordinate of 1e308 at its column', () => {
    const poscar = 'x\n1\n4 0 0\n0 4 0\n0 0 4\nNa\n1\nDirect\n0 1e308 0\n';
    expect(() => readPoscar(poscar)).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: POSCAR:9:3: poscar: expected a fractional y within ±1000000 cells, got 1e+308 (the cell is too small for the position, or the number overflows)]`,
    );
  });

  test('readPymatgenJson refuses abc of 1e308', () => {
    const json = JSON.stringify({
      lattice: {
        matrix: [
          [4, 0, 0],
          [0, 4, 0],
          [0, 0, 4],
        ],
      },
      sites: [{ abc: [1e308, 0, 0], species: [{ element: 'Na', occu: 1 }] }],
    });
    expect(() => readPymatgenJson(json)).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: pymatgen-json:1:1: pymatgen-json: (root).sites[0].abc: expected a fractional x within ±1000000 cells, got 1e+308 (the cell is too small for the position, or the number overflows)]`,
    );
  });

  test('readOptimadeJson refuses a Cartesian 1e308 in a 1e-5 Å cell', () => {
    const json = JSON.stringify({
      data: [
        {
          id: 'x',
          type: 'structures',
          attributes: {
            lattice_vectors: [
              [1e-5, 0, 0],
              [0, 1e-5, 0],
              [0, 0, 1e-5],
            ],
            cartesian_site_positions: [[1e308, 0, 0]],
            species_at_sites: ['Na'],
          },
        },
      ],
    });
    expect(() => readOptimadeJson(json)).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: optimade-json:1:1: optimade-json: data[0].attributes.cartesian_site_positions[0]: expected a finite fractional x, got Infinity (from Cartesian coordinates)]`,
    );
  });

  test('readCif refuses a coordinate of 1e308 with wrap: false and with the default wrap (it used to become 0)', () => {
    expect(() => readCif(NA(undefined, '1e308'), { wrap: false })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: cif:13:4: cif: expected a fractional x within ±1000000 cells, got 1e+308 (the cell is too small for the position, or the number overflows)]`,
    );
    expect(() => readCif(NA(undefined, '1e308'))).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: cif:13:4: cif: expected a fractional x within ±1000000 cells, got 1e+308 (the cell is too small for the position, or the number overflows)]`,
    );
    // A coordinate a few cells out is fine and wraps.
    expect(readCif(NA(undefined, '-2.25')).crystals[0].fracCoords[0]).toBe(0.75);
  });

  test('readDatasetCsv refuses a CIF coordinate of 1e308 at its line in the CSV file', () => {
    const csv = writeDatasetCsv([{ id: 'a', crystal: readCif(NA()).crystals[0] }]).replace(/Na0 +0\.0+ /, 'Na0 1e308 ');
    expect(csv).toContain('1e308');
    for (const wrap of [true, false]) {
      expect(() => [...readDatasetCsv(csv, { source: 'val.csv', wrap })]).toThrow(
        /^val\.csv:\d+:\d+: dataset-csv: row 1/,
      );
    }
  });

  test.each([
    ['gamma 1e-320', CELL('4', '4', '4', '90', '90', '1e-320')],
    ['gamma 179.99999999999', CELL('4', '4', '4', '90', '90', '179.99999999999')],
    ['lengths 1e-300', CELL('1e-300', '1e-300', '1e-300', '90', '90', '90')],
    ['lengths 1e200', CELL('1e200', '1e200', '1e200', '90', '90', '90')],
  ])('readCif refuses a degenerate or infinite cell (%s) at the parameter to blame', (_, cell) => {
    let error: unknown;
    try {
      readCif(NA(cell), { source: 'cell.cif' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParseError);
    expect((error as Error).message).toMatchSnapshot();
  });

  test('readExtxyz refuses a lattice vector of 1e308 Å (finite volume test passed, positions overflowed)', () => {
    // Found by the fuzz lane: `createCrystal` accepted the cell, but 1.5·c was an infinite Cartesian position.
    const xyz = '1\nLattice="5.441 0 0 0 5.441 0 0 0 1e308"\nSi 0 0 0\n';
    expect(() => readExtxyz(xyz, { source: 'si.xyz' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: si.xyz:2:1: extxyz: expected lattice vectors at most 1e+100 Å long, got vector c of 1.000e+308 Å in Lattice]`,
    );
  });

  test('readExtxyz refuses a frame with 0 atoms at its count line', () => {
    const xyz = '1\nLattice="4 0 0 0 4 0 0 0 4"\nNa 0 0 0\n0\nLattice="4 0 0 0 4 0 0 0 4"\n';
    expect(() => readExtxyz(xyz, { source: 'two.xyz' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: two.xyz:4:1: extxyz: expected at least one atom in frame 2, got 0 (a frame without atoms is not a crystal)]`,
    );
  });

  test('read(…, dataset-csv) refuses a header without rows; readDatasetCsv streams it as no rows', () => {
    const csv = 'material_id,cif,energy\n';
    expect(() => read(csv, { format: 'dataset-csv', source: 'empty.csv' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: empty.csv:2:1: dataset-csv: expected at least one data row after the header, got none]`,
    );
    expect([...readDatasetCsv(csv)]).toEqual([]);
  });
});

describe('partial occupancies survive extended XYZ', () => {
  test('writeExtxyz writes an occupancy column and readExtxyz reads it back into occupancies', () => {
    const c = createCrystal({
      lattice: [4, 0, 0, 0, 4, 0, 0, 0, 4],
      fracCoords: [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
      atomicNumbers: [11, 17, 35],
      occupancies: [1, 0.25, 0.75],
    });
    const text = writeExtxyz(c);
    expect(text.split('\n')[1]).toContain('Properties=species:S:1:pos:R:3:occupancy:R:1');
    const back = readExtxyz(text);
    expect(Array.from(back.crystals[0].occupancies ?? [])).toEqual([1, 0.25, 0.75]);
    expect(back.frames[0].arrays).toEqual({});
    expect(back.warnings).toHaveLength(1);
    // An ordered crystal gets no column.
    expect(writeExtxyz({ ...c, occupancies: undefined })).not.toContain('occupancy');
  });
});
