import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES, runCli, startCli, tempDir } from '../test/run-cli.js';

const twoRows = join(FIXTURES, 'two-rows.csv');

function countBlocks(cif: string): number {
  return (cif.match(/^data_/gm) ?? []).length;
}

describe('crys convert', () => {
  test('crys convert two-rows.csv out.cif writes one CIF block per row, named by id, and says so', () => {
    const dir = tempDir();
    const out = join(dir, 'out.cif');
    const r = runCli(['convert', twoRows, out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote 2 crystal\(s\) to .*out\.cif \(cif, \d+ bytes\)\n$/);
    const cif = readFileSync(out, 'utf8');
    expect(countBlocks(cif)).toBe(2);
    expect(cif).toContain('data_cscl');
    expect(cif).toContain('data_po');
    expect(readdirSync(dir)).toEqual(['out.cif']); // no temporary file left behind
  });

  test('crys convert A.csv B.csv keeps ids and property columns, and B reads back to the same crystals', () => {
    const dir = tempDir();
    const out = join(dir, 'copy.csv');
    expect(runCli(['convert', twoRows, out]).code).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv.split('\n')[0]).toBe('material_id,cif,energy');
    expect(csv).toContain(',-1.5\n');
    const a = JSON.parse(runCli(['info', twoRows, '--json']).stdout) as { id: string; lattice: object }[];
    const b = JSON.parse(runCli(['info', out, '--json']).stdout) as { id: string; lattice: object }[];
    expect(b.map((x) => x.id)).toEqual(['cscl', 'po']);
    expect(b.map((x) => x.lattice)).toEqual(a.map((x) => x.lattice));
  });

  test('ids survive dataset csv → cif → csv on real rows (CIF block names carry them back)', () => {
    const dir = tempDir();
    const cif = join(dir, 'rows.cif');
    const back = join(dir, 'back.csv');
    expect(runCli(['convert', 'data/perov_5/val.csv', cif, '--limit', '5']).code).toBe(0);
    const text = readFileSync(cif, 'utf8');
    expect(text.match(/^data_.*$/gm)).toEqual(['data_18517', 'data_15400', 'data_3409', 'data_8226', 'data_6195']);
    expect(runCli(['convert', cif, back]).code).toBe(0);
    const a = JSON.parse(runCli(['info', 'data/perov_5/val.csv', '--limit', '5', '--json']).stdout) as {
      id: string;
      lattice: { a: number };
    }[];
    const b = JSON.parse(runCli(['info', back, '--json']).stdout) as { id: string; lattice: { a: number } }[];
    expect(b.map((x) => x.id)).toEqual(a.map((x) => x.id));
    expect(b.map((x) => x.lattice.a)).toEqual(a.map((x) => x.lattice.a));
    // a CIF read on its own names the crystal by its block
    const one = JSON.parse(runCli(['info', cif, '--index', '2', '--json']).stdout) as { id: string }[];
    expect(one[0].id).toBe('15400');
  });

  test('crys convert - - --from cif --to csv pipes stdin to stdout and prints nothing else', () => {
    const cif = readFileSync(join(FIXTURES, 'nacl.cif'), 'utf8');
    const r = runCli(['convert', '-', '-', '--from', 'cif', '--to', 'csv'], { input: cif });
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('material_id,cif\nNaCl,"')).toBe(true); // the CIF block name is the id
    const back = runCli(['info', '-', '--format', 'csv', '--json'], { input: r.stdout });
    expect((JSON.parse(back.stdout) as { numAtoms: number }[])[0].numAtoms).toBe(8);
  });

  test('crys convert --index picks one crystal of a dataset', () => {
    const r = runCli(['convert', 'data/carbon_24/val.csv', '-', '--index', '3', '--to', 'cif']);
    expect(r.code).toBe(0);
    expect(countBlocks(r.stdout)).toBe(1);
    expect(r.stdout).toContain('_cell_length_a');
  });

  test('cif → POSCAR → extended XYZ → pymatgen JSON keeps the crystal (crys match: RMS 0)', () => {
    const dir = tempDir();
    const steps = [join(FIXTURES, 'nacl.cif'), join(dir, 'POSCAR'), join(dir, 'nacl.xyz'), join(dir, 'nacl.json')];
    for (let i = 1; i < steps.length; i++) {
      const r = runCli(['convert', steps[i - 1], steps[i]]);
      expect(r.code).toBe(0);
    }
    expect(readFileSync(steps[1], 'utf8').split('\n')[5].trim()).toBe('Na Cl');
    expect(readFileSync(steps[2], 'utf8')).toMatch(/^8\nLattice="5\.6402 0 0 0 5\.6402 0 0 0 5\.6402"/);
    const m = runCli(['match', steps[3], steps[0], '--json']);
    const out = JSON.parse(m.stdout) as { match: boolean; rms: number };
    expect(out.match).toBe(true);
    expect(out.rms).toBeLessThan(1e-8);
  });

  test('crys convert reads XSF, SHELX .res, pw.x input and gzip by content, CHGCAR with --species, plain XYZ with --lattice', () => {
    const dir = tempDir();
    const formats = join(FIXTURES, '..', '..', '..', '..', 'packages', 'io', 'test', 'fixtures', 'formats');
    const json = (args: string[]) => {
      const r = runCli(['convert', ...args, '-', '--to', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as { sites: { abc: number[]; species: { element: string }[] }[] };
    };
    const res = json([join(formats, 'res', 'carbon_24-1.res')]);
    expect(res.sites.length).toBe(json([join(formats, 'xsf', 'carbon_24-1.axsf'), '--index', '1']).sites.length);
    expect(json([join(formats, 'gz', 'carbon_24-1.res.gz')]).sites).toEqual(res.sites);
    expect(json([join(formats, 'espresso-in', 'ibrav14-1.pwi')]).sites.length).toBeGreaterThan(0);
    const chgcar = join(dir, 'CHGCAR');
    writeFileSync(
      chgcar,
      'NaCl\n1.0\n5.64 0 0\n0 5.64 0\n0 0 5.64\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n\n 1 1 2\n 0.5 0.5\n',
    );
    const r = runCli(['convert', chgcar, join(dir, 'kbr.xsf'), '--species', 'K,Br']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('volumetric data (grid 1×1×2) not read');
    expect(readFileSync(join(dir, 'kbr.xsf'), 'utf8')).toContain('\n  35 ');
    const xyz = join(formats, 'xyz', 'perov_5-1.xyz');
    const refused = runCli(['convert', xyz, join(dir, 'a.cif')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('a plain XYZ frame (a molecule, no cell) is not a crystal');
    const boxed = json([xyz, '--lattice', '4.279284 0 0 0 4.279284 0 0 0 4.279284']);
    expect(boxed.sites.map((s) => s.species[0].element)).toEqual(['Cd', 'Cu', 'N', 'N', 'N']);
  });

  test('POSCAR refuses several crystals and says how to pick one (exit 2)', () => {
    const r = runCli(['convert', twoRows, join(tempDir(), 'POSCAR')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatchInlineSnapshot(`
      "crys convert: error: POSCAR holds one crystal and the input has 2
      hint: pick one with --index N, or write cif, xyz, xsf or csv
      "
    `);
  });

  test('usage errors exit 2: no output format, unknown format', () => {
    const r = runCli(['convert', twoRows, '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatchInlineSnapshot(`
      "crys convert: error: cannot tell the output format from '-'
      hint: pass --to (cif, poscar, xyz (extxyz), json (pymatgen), optimade-json, csv (dataset), xsf, res, pwi (espresso-in), chgcar (vasp-volumetric)) or use a usual extension
      "
    `);
    const u = runCli(['convert', twoRows, 'out.xyz', '--to', 'pdb']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatchInlineSnapshot(`
      "crys convert: error: --to 'pdb' is not a format crys knows
      hint: choose one of cif, poscar, xyz (extxyz), json (pymatgen), optimade-json, csv (dataset), xsf, res, pwi (espresso-in), chgcar (vasp-volumetric)
      "
    `);
    const ro = runCli(['convert', twoRows, '-', '--to', 'optimade']);
    expect(ro.code).toBe(2);
    expect(ro.stderr).toMatchInlineSnapshot(`
      "crys convert: error: crys cannot write optimade-json (read only)
      hint: write one of cif, poscar, extxyz, pymatgen-json, dataset-csv, xsf, res, espresso-in
      "
    `);
  });

  test('a bad input file exits 1 and leaves an existing output untouched', () => {
    const dir = tempDir();
    const out = join(dir, 'out.cif');
    writeFileSync(out, 'OLD\n');
    const r = runCli(['convert', join(FIXTURES, 'truncated.cif'), out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('truncated.cif:15:1:');
    expect(readFileSync(out, 'utf8')).toBe('OLD\n');
  });

  test('SIGKILL while the output is being written leaves the old file, never a truncated one', async () => {
    const dir = tempDir();
    const out = join(dir, 'c24.cif');
    writeFileSync(out, 'OLD\n');
    const child = startCli(['convert', 'data/carbon_24/val.csv', out]);
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Kill as soon as the temporary file appears: that is mid-write (the rename has not happened yet).
    let sawTemp = false;
    let done = false;
    void exited.then(() => {
      done = true;
    });
    while (!done) {
      if (readdirSync(dir).some((f) => f.endsWith('.tmp'))) {
        sawTemp = true;
        child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await exited;
    const text = readFileSync(out, 'utf8');
    if (sawTemp && text === 'OLD\n') {
      expect(child.signalCode).toBe('SIGKILL');
    } else {
      // The write finished before the kill landed: then the file must be complete.
      expect(countBlocks(text)).toBe(2032);
    }
    expect(text === 'OLD\n' || countBlocks(text) === 2032).toBe(true);
    // The killed writer could not remove its temporary file; the next convert to the same output does.
    expect(runCli(['convert', twoRows, out]).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['c24.cif']);
  });

  test('SIGKILL at any moment leaves no file or a complete one (five kill times)', async () => {
    for (const ms of [200, 500, 900, 1400, 2000]) {
      const dir = tempDir();
      const out = join(dir, 'c24.xyz.cif');
      const child = startCli(['convert', 'data/carbon_24/val.csv', out]);
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise((r) => setTimeout(r, ms));
      child.kill('SIGKILL');
      await exited;
      if (existsSync(out)) expect(countBlocks(readFileSync(out, 'utf8'))).toBe(2032);
    }
  });
});
