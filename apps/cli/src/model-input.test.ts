import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCrystal } from '@crys/lattice';
import { describe, expect, test } from 'vitest';
import { compositionAtoms, compositionCounts } from './commands/predict.js';
import { assertModelInput, overlapMessage } from './model-input.js';
import { runCli, tempDir } from '../test/run-cli.js';

const poscar = (thirdVector: string, coords = '0 0 0') =>
  `SrTiO3\n1.0\n3.9 0 0\n0 3.9 0\n${thirdVector}\nSr Ti O\n1 1 3\nDirect\n${coords}\n0.5 0.5 0.5\n0.5 0.5 0\n0.5 0 0.5\n0 0.5 0.5\n`;

describe('model inputs are checked at the command line, in its terms, before anything is built', () => {
  test('compositionCounts(formula) counts without expanding; compositionAtoms refuses more than the limit', () => {
    expect(compositionCounts('Sr99999999999')).toEqual({ counts: [[38, 99999999999]], total: 99999999999 });
    // elements in the order the formula names them
    expect(compositionAtoms('SrTiO3', 64, 'perov_5')).toEqual([38, 22, 8, 8, 8]);
    expect(compositionAtoms('O3TiSr', 64, 'perov_5')).toEqual([8, 8, 8, 22, 38]);
    expect(compositionAtoms('Ba(TiO3)2Sr', 64, 'perov_5')).toEqual([56, 22, 22, 8, 8, 8, 8, 8, 8, 38]);
    expect(() => compositionAtoms('Sr30000', 64, 'perov_5')).toThrowErrorMatchingInlineSnapshot(
      `[UsageError: --composition 'Sr30000' has 30000 atoms, above the limit of 64 atoms of model perov_5]`,
    );
  });

  test('compositionCounts(formula) says what is wrong with a formula in the words of --composition, not the API', () => {
    expect(() => compositionCounts('Xx2')).toThrowErrorMatchingInlineSnapshot(
      `[UsageError: --composition 'Xx2' is not a formula: unknown element 'Xx' at index 0 in 'Xx2']`,
    );
    expect(() => compositionCounts('BaTi0.5O3')).toThrowErrorMatchingInlineSnapshot(
      `[UsageError: --composition 'BaTi0.5O3' has 0.5 atoms of Ti]`,
    );
  });

  test('assertModelInput(crystal, label, limit?) names the file for a flat cell or a coordinate far away', () => {
    const c = (lattice: number[], x = 0) =>
      createCrystal({ lattice, fracCoords: [x, 0, 0, 0.5, 0.5, 0.5], atomicNumbers: [38, 8] });
    const cube = [3.9, 0, 0, 0, 3.9, 0, 0, 0, 3.9];
    expect(() => assertModelInput(c(cube), 'a.cif', { maxAtoms: 64, model: 'm' })).not.toThrow();
    expect(() =>
      assertModelInput(c([3.9, 0, 0, 0, 3.9, 0, 3.9, 3.9, 1e-8]), 'flat.vasp'),
    ).toThrowErrorMatchingInlineSnapshot(
      `[CliFailure: flat.vasp: the cell is nearly flat: its shortest lattice translation is 1.00e-8 Å, so every atom sits that close to its own periodic image (at least 0.5 Å is needed)]`,
    );
    expect(() => assertModelInput(c(cube, 1e300), 'far.cif')).toThrowErrorMatchingInlineSnapshot(
      `[CliFailure: far.cif: atom 1 has fractional x = 1e+300, expected a finite number within ±1000000]`,
    );
    expect(() => assertModelInput(c(cube), 'a.cif', { maxAtoms: 1, model: 'm' })).toThrowErrorMatchingInlineSnapshot(
      `[CliFailure: a.cif has 2 atoms, above the limit of 1 atoms of model m]`,
    );
  });

  test('crys predict --composition Sr99999999999 / Sr1000000 / Sr30000 fail with the model limit (exit 2)', () => {
    for (const formula of ['Sr99999999999', 'Sr1000000', 'Sr30000']) {
      const r = runCli(['predict', '--composition', formula, '-o', join(tempDir(), 'x.cif')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(`--composition '${formula}' has \\d+ atoms, above the limit of \\d+ atoms of model`),
      );
    }
  });

  test('crys relax of a nearly flat cell fails at once naming the file; of a coordinate 1e300 at its line', () => {
    const dir = tempDir();
    const flat = join(dir, 'flat.vasp');
    writeFileSync(flat, poscar('3.9 3.9 0.00000001'));
    const r = runCli(['relax', flat, '-o', join(dir, 'r.cif'), '--trajectory', join(dir, 't.xyz')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${flat}: the cell is nearly flat: its shortest lattice translation is 1.00e-8 Å`);
    const far = join(dir, 'far.vasp');
    writeFileSync(far, poscar('0 0 3.9', '1e300 0 0'));
    const f = runCli(['relax', far, '-o', join(dir, 'r.cif'), '--trajectory', join(dir, 't.xyz')]);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain(`${far}:9:1: poscar: expected a fractional x within ±1000000 cells, got 1e+300`);
  });

  test('crys convert of a dataset CSV with a header and no rows fails with a message (exit 1)', () => {
    const dir = tempDir();
    const csv = join(dir, 'empty.csv');
    writeFileSync(csv, 'material_id,cif,energy\n');
    const r = runCli(['convert', csv, join(dir, 'out.cif')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${csv} holds no crystal: a header and no data rows`);
  });
});

// SrTiO3 (Pm-3m) with the O at (0, ½, ½) written twice: a real crystal with a duplicated atom
const duplicatedO =
  'SrTiO3 with a duplicated O\n1.0\n3.905 0 0\n0 3.905 0\n0 0 3.905\nSr Ti O\n1 1 4\nDirect\n0 0 0\n0.5 0.5 0.5\n0.5 0.5 0\n0.5 0 0.5\n0 0.5 0.5\n0 0.5 0.5\n';

/** A dataset CSV row of CaTiO3 whose second O sits 0.195 Å from the first (not coincident, so the reader keeps it). */
const csvRow = (id: string, secondO: string) =>
  `${id},"data_${id}\n_symmetry_space_group_name_H-M 'P 1'\n_cell_length_a 3.9\n_cell_length_b 3.9\n_cell_length_c 3.9\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nCa 0 0 0\nTi 0.5 0.5 0.5\nO 0.5 0.5 0\nO ${secondO}\nO 0 0.5 0.5\n",-1\n`;
const overlappingCsv = () => `material_id,cif,energy\n${csvRow('good', '0.5 0 0.5')}${csvRow('bad', '0.5 0.5 0.05')}`;

describe('overlapping atoms (closer than 0.5 Å, images included): model commands refuse, info and convert warn', () => {
  test('overlapMessage(crystal, label) names both atoms (1-based, element) and the distance; none for a real cell', () => {
    const cube = [3.905, 0, 0, 0, 3.905, 0, 0, 0, 3.905];
    const frac = [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5];
    const good = createCrystal({ lattice: cube, fracCoords: frac, atomicNumbers: [38, 22, 8, 8, 8] });
    expect(overlapMessage(good, 'SrTiO3.vasp')).toBeUndefined();
    expect(() => assertModelInput(good, 'SrTiO3.vasp')).not.toThrow();
    const dup = createCrystal({
      lattice: cube,
      fracCoords: [...frac, 0, 0.5, 0.5],
      atomicNumbers: [38, 22, 8, 8, 8, 8],
    });
    expect(overlapMessage(dup, 'dup.vasp')).toMatchInlineSnapshot(
      `"dup.vasp: atom 5 (O) and atom 6 (O) overlap: 0.0000 Å apart (periodic images included), closer than 0.5 Å"`,
    );
    expect(() => assertModelInput(dup, 'dup.vasp')).toThrow(overlapMessage(dup, 'dup.vasp'));
    // across the boundary, and a second pair counted
    const wrap = createCrystal({
      lattice: cube,
      fracCoords: [...frac, 0.99, 0, 0, 0.5, 0.5, 0.02],
      atomicNumbers: [38, 22, 8, 8, 8, 38, 8],
    });
    expect(overlapMessage(wrap, 'w.cif')).toMatchInlineSnapshot(
      `"w.cif: atom 1 (Sr) and atom 6 (Sr) overlap: 0.0391 Å apart (periodic images included), closer than 0.5 Å; 1 other pair(s) too"`,
    );
  });

  test('crys relax of SrTiO3 with a duplicated O fails at once naming the file, the atoms and the distance', () => {
    const dir = tempDir();
    const dup = join(dir, 'dup.vasp');
    writeFileSync(dup, duplicatedO);
    const out = join(dir, 'r.cif');
    const r = runCli(['relax', dup, '-o', out, '--trajectory', join(dir, 't.xyz')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${dup}: atom 5 (O) and atom 6 (O) overlap: 0.0000 Å apart (periodic images included), closer than 0.5 Å`,
    );
    expect(existsSync(out)).toBe(false);
  });

  test('crys predict --data and crys eval refuse a dataset with an overlapping row, naming the row', () => {
    const dir = tempDir();
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, overlappingCsv());
    const message = `${csv}:row 2: atom 3 (O) and atom 4 (O) overlap: 0.1950 Å apart (periodic images included), closer than 0.5 Å`;
    const out = join(dir, 'pred.csv');
    const p = runCli(['predict', '--data', csv, '--split', 'all', '--out', out]);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain(message);
    expect(existsSync(out)).toBe(false);
    const e = runCli(['eval', '--data', csv, '--split', 'all']);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain(message);
  });

  test('crys info and crys convert warn in the same words; info says what the CIF reader merged', () => {
    const dir = tempDir();
    const dup = join(dir, 'dup.vasp');
    writeFileSync(dup, duplicatedO);
    const warning = `warning: ${dup}: atom 5 (O) and atom 6 (O) overlap: 0.0000 Å apart (periodic images included), closer than 0.5 Å`;
    const info = runCli(['info', dup]);
    expect(info.code).toBe(0);
    expect(info.stderr).toContain(warning);
    expect(info.stdout).toMatch(/formula +SrTiO4\n/);
    const cif = join(dir, 'dup.cif');
    const c = runCli(['convert', dup, cif]);
    expect(c.code).toBe(0);
    expect(c.stderr).toContain(warning);
    // the CIF lists the O twice; its reader merges the coincident sites, and info says so next to the formula
    const merged = runCli(['info', cif, '--json']);
    expect(merged.code).toBe(0);
    expect(merged.stderr).toContain('1 site images coincide with an earlier site of the same element; merged');
    const [record] = JSON.parse(merged.stdout);
    expect(record).toMatchObject({ formula: 'SrTiO3', mergedSites: 1, overlap: null });
    expect(runCli(['info', cif]).stdout).toMatch(
      /formula +SrTiO3 {2}\(1 coincident site image\(s\) of the file merged on reading\)\n/,
    );
  });
});
