import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCrystal } from '@crys/lattice';
import { describe, expect, test } from 'vitest';
import { compositionAtoms, compositionCounts } from './commands/predict.js';
import { assertModelInput } from './model-input.js';
import { runCli, tempDir } from './test-support/run-cli.js';

const poscar = (thirdVector: string, coords = '0 0 0') =>
  `SrTiO3\n1.0\n3.9 0 0\n0 3.9 0\n${thirdVector}\nSr Ti O\n1 1 3\nDirect\n${coords}\n0.5 0.5 0.5\n0.5 0.5 0\n0.5 0 0.5\n0 0.5 0.5\n`;

describe('model inputs are checked at the command line, in its terms, before anything is built', () => {
  test('compositionCounts(formula) counts without expanding; compositionAtoms refuses more than the limit', () => {
    expect(compositionCounts('Sr99999999999')).toEqual({ counts: [[38, 99999999999]], total: 99999999999 });
    expect(compositionAtoms('SrTiO3', 64, 'perov_5')).toEqual([8, 8, 8, 22, 38]);
    expect(() => compositionAtoms('Sr30000', 64, 'perov_5')).toThrowErrorMatchingInlineSnapshot(
      `[UsageError: --composition 'Sr30000' has 30000 atoms, above the limit of 64 atoms of model perov_5]`,
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
