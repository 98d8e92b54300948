import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES } from '../test/helpers.js';
import { writeCif } from './cif-writer.js';
import { writeDatasetCsv } from './dataset-csv.js';
import { ParseError, UnknownFormatError } from './errors.js';
import { readExtxyz, writeExtxyz } from './extxyz.js';
import { detectFormat, read, write } from './formats.js';
import { readOptimadeJson, readPymatgenJson } from './json.js';
import { readPoscar, writePoscar } from './poscar.js';

const CSCL = 'CsCl\n1.0\n4.12 0 0\n0 4.12 0\n0 0 4.12\nCs Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n';

describe('readPoscar / writePoscar', () => {
  test('readPoscar reads VASP 5 with selective dynamics, and skips velocities with a warning', () => {
    const text =
      'x\n1\n4 0 0\n0 4 0\n0 0 4\nCs Cl\n1 1\nSelective dynamics\nDirect\n0 0 0 T T F\n0.5 0.5 0.5 F F F\n\n0.1 0 0\n0 0 0\n';
    const r = readPoscar(text, { source: 'CONTCAR' });
    expect(Array.from(r.selectiveDynamics ?? [])).toEqual([1, 1, 0, 0, 0, 0]);
    expect(r.warnings).toMatchInlineSnapshot(`
      [
        "CONTCAR:13:1: 2 line(s) after the sites (velocities or predictor-corrector) skipped",
      ]
    `);
    const again = readPoscar(writePoscar(r.crystals[0], { selectiveDynamics: r.selectiveDynamics }));
    expect(Array.from(again.selectiveDynamics ?? [])).toEqual([1, 1, 0, 0, 0, 0]);
  });

  test('readPoscar reads VASP 4 with species from options or the comment, a negative (volume) scale and Cartesian sites', () => {
    const v4 = 'Cs Cl\n-125\n1 0 0\n0 1 0\n0 0 1\n1 1\nCartesian\n0 0 0\n0.5 0.5 0.5\n';
    const r = readPoscar(v4);
    expect(Array.from(r.crystals[0].atomicNumbers)).toEqual([55, 17]);
    expect(r.crystals[0].lattice[0]).toBeCloseTo(5, 12);
    // VASP scales Cartesian coordinates by the same factor as the lattice.
    expect(Array.from(r.crystals[0].fracCoords)).toEqual([0, 0, 0, 0.5, 0.5, 0.5]);
    expect(
      Array.from(readPoscar(v4.replace('Cs Cl', 'junk'), { species: ['Na', 'Cl'] }).crystals[0].atomicNumbers),
    ).toEqual([11, 17]);
  });

  test('readPoscar errors say where and what was expected', () => {
    expect(() =>
      readPoscar(CSCL.replace('0.5 0.5 0.5', '0.5 oops 0.5'), { source: 'POSCAR' }),
    ).toThrowErrorMatchingInlineSnapshot(`[ParseError: POSCAR:10:5: poscar: expected a coordinate, got 'oops']`);
    expect(() => readPoscar(CSCL.replace('Direct', 'Wrong'))).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: POSCAR:8:1: poscar: expected 'Direct' or 'Cartesian', got 'Wrong']`,
    );
    expect(() => readPoscar('CsCl\n1.0\n4 0 0\n0 4 0\n0 0 4\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n')).toThrow(ParseError);
  });

  test('writePoscar refuses a partially occupied crystal', () => {
    const c = readPoscar(CSCL).crystals[0];
    expect(() => writePoscar({ ...c, occupancies: Float64Array.of(0.5, 1) })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: writePoscar: crystal has partially occupied sites; this operation needs whole atoms (order the structure first)]`,
    );
  });
});

describe('readExtxyz / writeExtxyz', () => {
  test('readExtxyz keeps per-frame info and extra per-atom columns', () => {
    const c = readPoscar(CSCL).crystals[0];
    const text = writeExtxyz([c, c], {
      info: [{ step: 0, energy: -1.5, note: 'start here' }, { step: 1 }],
      arrays: [{ forces: Float64Array.of(0, 0, 1, 0, 0, -1) }, { forces: new Float64Array(6) }],
    });
    const r = readExtxyz(text);
    expect(r.crystals.length).toBe(2);
    expect(r.frames[0].info).toEqual({ step: 0, energy: -1.5, note: 'start here' });
    expect(Array.from(r.frames[0].arrays.forces as Float64Array)).toEqual([0, 0, 1, 0, 0, -1]);
  });

  test('readExtxyz refuses a frame without a Lattice', () => {
    expect(() => readExtxyz('1\nenergy=1\nH 0 0 0\n', { source: 'mol.xyz' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: mol.xyz:2:1: extxyz: expected Lattice="a1 a2 a3 b1 b2 b3 c1 c2 c3" on the comment line: a plain XYZ frame (a molecule, no cell) is not a crystal; give its cell (readExtxyz option lattice, crys --lattice)]`,
    );
  });
});

describe('JSON formats', () => {
  test('readPymatgenJson reads a file written by pymatgen', () => {
    const text = readFileSync(join(FIXTURES, 'real', 'generated', 'cif2hkl__LaMnO3.json'), 'utf8');
    expect(readPymatgenJson(text).crystals[0].atomicNumbers.length).toBe(20);
  });

  test('readPymatgenJson locates a JSON syntax error', () => {
    expect(() => readPymatgenJson('{\n  "sites": [1,]\n}', { source: 's.json' })).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: s.json:2:15: pymatgen-json: expected valid JSON: Unexpected token ']']`,
    );
  });

  test('readOptimadeJson reads a response with a mixed-occupancy species', () => {
    const entry = {
      id: 'x',
      type: 'structures',
      attributes: {
        lattice_vectors: [
          [4, 0, 0],
          [0, 4, 0],
          [0, 0, 4],
        ],
        cartesian_site_positions: [
          [0, 0, 0],
          [2, 2, 2],
        ],
        species_at_sites: ['FeCo', 'O'],
        species: [
          { name: 'FeCo', chemical_symbols: ['Fe', 'Co'], concentration: [0.5, 0.5] },
          { name: 'O', chemical_symbols: ['O'], concentration: [1] },
        ],
      },
    };
    const r = readOptimadeJson(JSON.stringify({ data: [entry] }));
    expect(Array.from(r.crystals[0].atomicNumbers)).toEqual([26, 27, 8]);
    expect(Array.from(r.crystals[0].occupancies ?? [])).toEqual([0.5, 0.5, 1]);
    expect(Array.from(r.crystals[0].fracCoords.slice(6))).toEqual([0.5, 0.5, 0.5]);
    expect(r.names).toEqual(['x']);
    const { id: _, ...anonymous } = entry;
    expect(readOptimadeJson(JSON.stringify([entry, anonymous])).names).toEqual(['x', '']);
  });
});

describe('detectFormat / read / write', () => {
  test('detectFormat uses the file name, then the content', () => {
    expect(detectFormat('x/Si.cif').id).toBe('cif');
    expect(detectFormat('CONTCAR_relaxed').id).toBe('poscar');
    expect(detectFormat('run.extxyz').id).toBe('extxyz');
    expect(detectFormat('s.json', '{"@class": "Structure", "lattice": {}}').id).toBe('pymatgen-json');
    expect(detectFormat('s.json', '{"data": {"attributes": {"lattice_vectors": []}}}').id).toBe('optimade-json');
    expect(detectFormat(undefined, CSCL).id).toBe('poscar');
    expect(detectFormat(undefined, '# c\ndata_x\n').id).toBe('cif');
    expect(detectFormat('val.csv').id).toBe('dataset-csv');
    expect(detectFormat('Si.xsf').id).toBe('xsf');
    expect(detectFormat('relax.axsf.gz').id).toBe('xsf');
    expect(detectFormat('C-24-1.res').id).toBe('res');
    expect(detectFormat('si.pwi').id).toBe('espresso-in');
    expect(detectFormat('scf.in', "&CONTROL\n calculation='scf'\n/\n&SYSTEM\n").id).toBe('espresso-in');
    expect(detectFormat('LOCPOT').id).toBe('vasp-volumetric');
    expect(detectFormat(undefined, 'CRYSTAL\nPRIMVEC\n 1 0 0\n').id).toBe('xsf');
    expect(detectFormat(undefined, ' DIM-GROUP\n 3 5\n PRIMVEC\n').id).toBe('xsf');
    expect(detectFormat(undefined, 'TITL x\nCELL 1.5 2 2 2 90 90 90\nLATT -1\nSFAC C\n').id).toBe('res');
    expect(() => detectFormat('notes.txt', 'hello')).toThrowErrorMatchingInlineSnapshot(
      `[UnknownFormatError: detectFormat: cannot tell the format of 'notes.txt' by name or content; pass { format } (one of cif, poscar, extxyz, pymatgen-json, optimade-json, dataset-csv, xsf, res, espresso-in, vasp-volumetric)]`,
    );
  });

  test('read returns names for CIF blocks and dataset CSV ids, none for unnamed formats', () => {
    const cif = writeCif(readPoscar(CSCL).crystals[0], { blockName: 'mp-22865' });
    expect(read(cif, { format: 'cif' }).names).toEqual(['mp-22865']);
    const csv = writeDatasetCsv([
      { id: 'a-1', crystal: readPoscar(CSCL).crystals[0] },
      { id: 'b-2', crystal: readPoscar(CSCL).crystals[0] },
    ]);
    expect(read(csv, { fileName: 'rows.csv' }).names).toEqual(['a-1', 'b-2']);
    expect(read(CSCL, { format: 'poscar' }).names).toBeUndefined();
  });

  test('read passes { wrap: false } to the CIF and dataset CSV readers', () => {
    const cif = `data_w\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 1.02 -0.1 0\n`;
    expect(Array.from(read(cif, { format: 'cif', wrap: false }).crystals[0].fracCoords)).toEqual([1.02, -0.1, 0]);
    expect(read(cif, { format: 'cif' }).crystals[0].fracCoords[1]).toBeCloseTo(0.9, 12);
    const csv = `id,cif\nw,"${cif}"\n`;
    expect(Array.from(read(csv, { fileName: 'w.csv', wrap: false }).crystals[0].fracCoords)).toEqual([1.02, -0.1, 0]);
    expect(read(csv, { fileName: 'w.csv' }).crystals[0].fracCoords[0]).toBeCloseTo(0.02, 12);
  });

  test('read and write refuse unknown and read-only formats', () => {
    const c = readPoscar(CSCL).crystals[0];
    expect(() => read(CSCL, { format: 'pdb' })).toThrow(UnknownFormatError);
    expect(() => write(c, 'optimade-json')).toThrowErrorMatchingInlineSnapshot(
      `[UnknownFormatError: write: format 'optimade-json' is read-only; writable: cif, poscar, extxyz, pymatgen-json, dataset-csv, xsf, res, espresso-in]`,
    );
  });
});

describe('writePymatgenJson', () => {
  test("write([c], 'pymatgen-json') writes one crystal as one Structure object, several as an array", () => {
    const c = readPoscar(CSCL).crystals[0];
    const one = JSON.parse(write([c], 'pymatgen-json'));
    expect(Array.isArray(one)).toBe(false);
    expect(one['@class']).toBe('Structure');
    expect(Array.isArray(JSON.parse(write([c, c], 'pymatgen-json')))).toBe(true);
    expect(readPymatgenJson(write([c, c], 'pymatgen-json')).crystals.length).toBe(2);
  });
});
