import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { FIXTURES, runCli } from '../test/run-cli.js';

const nacl = join(FIXTURES, 'nacl.cif');

describe('crys info', () => {
  test('crys info nacl.cif expands the space group and reports formula, cell, density, Fm-3m and neighbours', () => {
    const r = runCli(['info', nacl]);
    expect(r.code).toBe(0);
    // nothing but progress lines (a step that takes more than a second on a loaded machine prints one)
    expect(r.stderr.split('\n').filter((line) => line !== '' && !/^(reading |analysing)/.test(line))).toEqual([]);
    expect(r.stdout).toContain('formula      Na4Cl4  (reduced NaCl)');
    expect(r.stdout).toContain('atoms        8');
    expect(r.stdout).toContain('a 5.6402  b 5.6402  c 5.6402 Å   α 90.000  β 90.000  γ 90.000°');
    expect(r.stdout).toContain('volume       179.425 Å³');
    // 4 × (22.98977 + 35.453) u / 179.425 Å³ = 2.1634 g/cm³ (rock salt's handbook density is 2.165)
    expect(r.stdout).toContain('density      2.1634 g/cm³');
    expect(r.stdout).toContain('space group  Fm-3m (225)');
    // a/2 = 2.8201 Å to the 6 Cl neighbours
    expect(r.stdout).toContain('nearest      2.8201 Å');
  });

  test('crys info --json gives one record per crystal with the same numbers', () => {
    const r = runCli(['info', nacl, '--json', '--cutoff', '3']);
    expect(r.code).toBe(0);
    const [rec] = JSON.parse(r.stdout) as {
      reducedFormula: string;
      numAtoms: number;
      spaceGroup: { number: number };
      neighbours: { edges: number; minDegree: number; maxDegree: number; selfImageEdges: number };
    }[];
    expect(rec.reducedFormula).toBe('NaCl');
    expect(rec.numAtoms).toBe(8);
    expect(rec.spaceGroup.number).toBe(225);
    // within 3 Å each ion has exactly its 6 octahedral neighbours
    expect(rec.neighbours).toMatchObject({ edges: 48, minDegree: 6, maxDegree: 6, selfImageEdges: 0 });
  });

  test('crys info --no-symmetry skips the space group, says so, and reports everything else unchanged', () => {
    const full = runCli(['info', nacl, '--json']);
    const r = runCli(['info', nacl, '--json', '--no-symmetry']);
    expect(r.code).toBe(0);
    const [rec] = JSON.parse(r.stdout) as Record<string, unknown>[];
    const [ref] = JSON.parse(full.stdout) as Record<string, unknown>[];
    expect(ref.spaceGroupSkipped).toBe(false);
    expect(rec.spaceGroup).toBeNull();
    expect(rec.spaceGroupSkipped).toBe(true);
    expect({ ...rec, spaceGroup: ref.spaceGroup, spaceGroupSkipped: false }).toEqual(ref);
    const text = runCli(['info', nacl, '--no-symmetry']);
    expect(text.stdout).toContain('space group  skipped (--no-symmetry)');
    expect(text.stdout).toContain('formula      Na4Cl4  (reduced NaCl)');
  });

  test('crys info refuses --symprec with --no-symmetry', () => {
    const r = runCli(['info', nacl, '--no-symmetry', '--symprec', '0.1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--symprec has no effect with --no-symmetry');
  });

  test('crys info on a dataset CSV shows the first rows and says how many more there are', () => {
    const r = runCli(['info', 'data/perov_5/val.csv', '--limit', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('data/perov_5/val.csv:row 1  (id 18517)');
    expect(r.stdout).toContain('data/perov_5/val.csv:row 2  (id 15400)');
    expect(r.stdout).toContain('… 3785 more crystal(s) in data/perov_5/val.csv');
  });

  test('crys info --index picks one row of a dataset (Carbon-24 row 3: 12 carbon atoms)', () => {
    const r = runCli(['info', 'data/carbon_24/val.csv', '--index', '3', '--json']);
    expect(r.code).toBe(0);
    const recs = JSON.parse(r.stdout) as { source: string; formula: string; lattice: { a: number } }[];
    expect(recs).toHaveLength(1);
    expect(recs[0].source).toBe('data/carbon_24/val.csv:row 3');
    expect(recs[0].formula).toBe('C12');
    expect(recs[0].lattice.a).toBeCloseTo(2.4834, 4);
  });

  test('crys info - reads stdin with --format', () => {
    const r = runCli(['info', '-', '--format', 'cif', '--json'], {
      input:
        'data_Po\n_cell_length_a 3.35\n_cell_length_b 3.35\n_cell_length_c 3.35\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M "P 1"\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 0 0\n',
    });
    expect(r.code).toBe(0);
    const [rec] = JSON.parse(r.stdout) as { source: string; neighbours: { nearest: { distance: number } } }[];
    expect(rec.source).toBe('stdin');
    expect(rec.neighbours.nearest.distance).toBeCloseTo(3.35, 10);
  });

  test('a missing file exits 1 naming the file and the fix, without a stack trace', () => {
    const r = runCli(['info', 'missing.cif']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatchInlineSnapshot(`
      "crys info: error: cannot read missing.cif: no such file
      hint: check the path (relative paths start from the current folder)
      "
    `);
  });

  test('a truncated CIF exits 1 with file:line:column and a hint, without a stack trace', () => {
    const r = runCli(['info', 'apps/cli/test/fixtures/truncated.cif']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatchInlineSnapshot(`
      "crys info: error: apps/cli/test/fixtures/truncated.cif:15:1: cif: loop_ at line 8 has 7 values for 4 tags: expected a multiple of 4 before end of file
      hint: fix the file at the line shown (or pass --format if its format was guessed wrong)
      "
    `);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a broken row of a dataset CSV names the CSV line and the row id', () => {
    const r = runCli(['info', 'apps/cli/test/fixtures/bad-row.csv', '--limit', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatchInlineSnapshot(`
      "crys info: error: apps/cli/test/fixtures/bad-row.csv:16:1: dataset-csv: row 2 (line 16, id broken): cif: data_Xx: expected _cell_length_c, it is missing
      hint: fix the file at the line shown (or pass --format if its format was guessed wrong)
      "
    `);
  });

  test('crys info reads a gzip-compressed VASP 4 CHGCAR with --species, and a plain XYZ with --lattice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crys-info-'));
    const chgcar = join(dir, 'CHGCAR.gz');
    writeFileSync(
      chgcar,
      gzipSync('NaCl\n1.0\n5.64 0 0\n0 5.64 0\n0 0 5.64\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n\n 1 1 2\n 1 2\n'),
    );
    const r = runCli(['info', chgcar, '--species', 'K,Br', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { formula: string }[])[0].formula).toBe('KBr');
    const xyz = join(
      FIXTURES,
      '..',
      '..',
      '..',
      '..',
      'packages',
      'io',
      'test',
      'fixtures',
      'formats',
      'xyz',
      'perov_5-1.xyz',
    );
    const boxed = runCli(['info', xyz, '--lattice', '4.279284 4.279284 4.279284', '--json']);
    expect(boxed.code).toBe(0);
    expect((JSON.parse(boxed.stdout) as { formula: string }[])[0].formula).toBe('CdCuN3');
  });

  test('a file of unknown format exits 2 and asks for --format', () => {
    const r = runCli(['info', '-'], { input: 'hello\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatchInlineSnapshot(`
      "crys info: error: cannot tell the format of stdin from its name or content
      hint: name the format with --format (cif, poscar, xyz (extxyz), json (pymatgen), optimade-json, csv (dataset), xsf, res, pwi (espresso-in), chgcar (vasp-volumetric))
      "
    `);
  });

  test('bad option values exit 2 and say what arrived', () => {
    const r = runCli(['info', nacl, '--cutoff', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument '-1' is invalid. expected a positive number, got '-1'.");
    const i = runCli(['info', 'data/perov_5/val.csv', '--index', '99999']);
    expect(i.code).toBe(2);
    expect(i.stderr).toContain('--index 99999 is past the end: data/perov_5/val.csv holds 3787 crystal(s)');
  });
});
