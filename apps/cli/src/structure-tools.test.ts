import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCif } from '@crys/io';
import { latticeParameters } from '@crys/lattice';
import { describe, expect, test } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../test/run-cli.js';

const nacl = join(FIXTURES, 'nacl.cif');

interface Info {
  numAtoms: number;
  formula: string;
  lattice: { a: number; b: number; c: number; alpha: number; beta: number; gamma: number };
  spaceGroup: { number: number; symbol: string } | null;
}

function info(file: string, extra: string[] = []): Info[] {
  const r = runCli(['info', file, '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Info[];
}

function matchJson(a: string, b: string, extra: string[] = []): { match: boolean; rms: number | null } {
  const r = runCli(['match', a, b, '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { match: boolean; rms: number | null };
}

describe('crys supercell', () => {
  test('crys supercell nacl.cif -m 2x2x2 -o OUT writes 64 atoms in a cell twice as long, atomically', () => {
    const dir = tempDir();
    const out = join(dir, 'big.cif');
    const r = runCli(['supercell', nacl, '-m', '2x2x2', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote 1 crystal\(s\) to .*big\.cif \(cif, \d+ bytes\)\n$/);
    expect(readdirSync(dir)).toEqual(['big.cif']);
    const [i] = info(out);
    expect(i.numAtoms).toBe(64);
    expect(i.lattice.a).toBeCloseTo(2 * 5.6402, 6);
    expect(matchJson(out, nacl).match).toBe(true);
  });

  test('crys supercell -m with nine integers builds the √2×√2×1 cell; -m 3 is 3x3x3; stdout keeps the input format', () => {
    const r = runCli(['supercell', nacl, '-m', '1 -1 0 1 1 0 0 0 1']);
    expect(r.code, r.stderr).toBe(0);
    const c = readCif(r.stdout).crystals[0];
    expect(c.atomicNumbers.length).toBe(16);
    const p = latticeParameters(c.lattice);
    expect(p.a).toBeCloseTo(5.6402 * Math.SQRT2, 6);
    expect(p.c).toBeCloseTo(5.6402, 6);
    const three = runCli(['supercell', nacl, '-m', '3', '--to', 'xyz']);
    expect(three.stdout.split('\n')[0]).toBe('216');
  });

  test('crys supercell refuses a singular or left-handed matrix and a bad -m, naming the flag (exit 2)', () => {
    const singular = runCli(['supercell', nacl, '-m', '1 0 0 2 0 0 0 0 1']);
    expect(singular.code).toBe(2);
    expect(singular.stderr).toContain('-m 1 0 0 2 0 0 0 0 1 is singular (determinant 0)');
    const negative = runCli(['supercell', nacl, '-m', '0 1 0 1 0 0 0 0 1']);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('has a negative determinant (-1): the new axes would be left-handed');
    const bad = runCli(['supercell', nacl, '-m', '2x2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '-m, --matrix <M>' argument '2x2' is invalid");
    const huge = runCli(['supercell', nacl, '-m', '10x10x10', '--max-atoms', '1000']);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain('8000 atoms, more than --max-atoms 1000');
  });
});

describe('crys perturb', () => {
  test('crys perturb --displacement --strain --seed is reproducible, differs by seed and keeps species and count', () => {
    const dir = tempDir();
    const args = [nacl, '--displacement', '0.05', '--strain', '0.01', '--to', 'cif'];
    const a = runCli(['perturb', ...args, '--seed', '0']);
    const b = runCli(['perturb', ...args, '--seed', '0']);
    const c = runCli(['perturb', ...args, '--seed', '1']);
    expect(a.code, a.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
    const p = readCif(a.stdout).crystals[0];
    expect(p.atomicNumbers.length).toBe(8);
    const lp = latticeParameters(p.lattice);
    expect(Math.abs(lp.a - 5.6402)).toBeGreaterThan(0);
    expect(Math.abs(lp.a / 5.6402 - 1)).toBeLessThan(0.06);
    const out = join(dir, 'p.cif');
    expect(runCli(['perturb', ...args, '-o', out]).code).toBe(0);
    expect(matchJson(out, nacl).match).toBe(true); // a small perturbation is still rock salt
  });

  test('crys perturb --copies N writes N crystals, each with its own seed', () => {
    const r = runCli(['perturb', nacl, '--displacement', '0.1', '--mode', 'sphere', '--copies', '3', '--to', 'xyz']);
    expect(r.code, r.stderr).toBe(0);
    const frames = r.stdout.split(/^8\n/m).filter((f) => f !== '');
    expect(frames.length).toBe(3);
    expect(new Set(frames).size).toBe(3);
  });

  test('crys perturb with nothing to do, or a strain too large to be a perturbation, is a usage error', () => {
    const none = runCli(['perturb', nacl]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('nothing to do: --displacement and --strain are both 0');
    const large = runCli(['perturb', nacl, '--strain', '0.5']);
    expect(large.code).toBe(2);
    expect(large.stderr).toContain('--strain 0.5 is not a perturbation');
    const neg = runCli(['perturb', nacl, '--displacement', '-1']);
    expect(neg.code).toBe(2);
  });
});

describe('crys standardize', () => {
  test('crys standardize --primitive gives the 2-atom rock-salt cell, --conventional the 8-atom cube; both match the input', () => {
    const dir = tempDir();
    const prim = join(dir, 'prim.cif');
    const conv = join(dir, 'conv.vasp');
    const p = runCli(['standardize', nacl, '--primitive', '-o', prim]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).toContain('NaCl  Fm-3m (225)  8 → 2 atoms (primitive, symprec 0.01 Å)');
    const [ip] = info(prim);
    expect(ip.numAtoms).toBe(2);
    expect(ip.lattice.a).toBeCloseTo(5.6402 / Math.SQRT2, 6);
    expect(ip.lattice.alpha).toBeCloseTo(60, 6);
    expect(runCli(['standardize', nacl, '-o', conv]).code).toBe(0);
    const [ic] = info(conv);
    expect(ic.numAtoms).toBe(8);
    expect(ic.lattice.a).toBeCloseTo(5.6402, 6);
    expect(matchJson(prim, nacl).match).toBe(true);
    expect(matchJson(conv, nacl).match).toBe(true);
  });

  test('crys standardize idealises a slightly perturbed crystal back onto its space group within --symprec', () => {
    const noisy = runCli(['perturb', nacl, '--displacement', '0.01', '--strain', '0.002', '--to', 'cif']).stdout;
    const loose = runCli(['standardize', '-', '--from', 'cif', '--symprec', '0.1', '--to', 'cif'], { input: noisy });
    expect(loose.code, loose.stderr).toBe(0);
    expect(loose.stderr).toContain('Fm-3m (225)');
    const c = readCif(loose.stdout).crystals[0];
    const lp = latticeParameters(c.lattice);
    expect(lp.b).toBeCloseTo(lp.a, 10);
    expect(lp.c).toBeCloseTo(lp.a, 10);
    expect(lp.alpha).toBeCloseTo(90, 10);
    const tight = runCli(['standardize', '-', '--from', 'cif', '--symprec', '1e-5', '--to', 'cif'], { input: noisy });
    expect(tight.stderr).not.toContain('Fm-3m');
    expect(runCli(['standardize', nacl, '--primitive', '--conventional']).code).toBe(2);
  });
});

describe('crys convert --symmetrize', () => {
  test('writes the space group, the operations and only the distinct sites with multiplicity and Wyckoff letter', () => {
    const r = runCli(['convert', nacl, '-', '--to', 'cif', '--symmetrize']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("_symmetry_space_group_name_H-M   'F m -3 m'");
    expect(r.stdout).toContain('_symmetry_Int_Tables_number   225');
    expect(r.stdout.match(/^ {2}\d+ {2}'/gm)?.length).toBe(192); // the operations of the conventional cell
    expect(r.stdout).toContain(' _atom_site_symmetry_multiplicity\n _atom_site_Wyckoff_symbol\n');
    const sites = r.stdout.split('\n').filter((l) => /^ {2}(Na|Cl) /.test(l));
    expect(sites.map((l) => l.trim().split(/\s+/).slice(2, 4).join(' ')).sort()).toEqual(['4 a', '4 b']);
    // reads back to the same crystal
    const dir = tempDir();
    const out = join(dir, 'sym.cif');
    expect(runCli(['convert', nacl, out, '--symmetrize']).code).toBe(0);
    expect(info(out)[0].numAtoms).toBe(8);
    const m = matchJson(out, nacl, ['--no-primitive']);
    expect(m.match).toBe(true);
    expect(m.rms).toBeLessThan(1e-6);
  });

  test('a perturbed crystal symmetrised at --symprec 0.1 reads back as the ideal one; --symmetrize refuses non-CIF output', () => {
    const dir = tempDir();
    const noisy = join(dir, 'noisy.cif');
    const sym = join(dir, 'sym.cif');
    expect(runCli(['perturb', nacl, '--displacement', '0.01', '-o', noisy]).code).toBe(0);
    expect(runCli(['convert', noisy, sym, '--symmetrize', '--symprec', '0.1']).code).toBe(0);
    expect(readFileSync(sym, 'utf8')).toContain('_symmetry_Int_Tables_number   225');
    expect(matchJson(sym, nacl, ['--no-primitive']).rms).toBeLessThan(1e-6);
    const xyz = runCli(['convert', nacl, join(dir, 'x.xyz'), '--symmetrize']);
    expect(xyz.code).toBe(2);
    expect(xyz.stderr).toContain('--symmetrize writes CIF only, not extxyz');
  });
});

describe('crys match --explain', () => {
  test('says the compositions differ, and for a strained copy that no lattice is within ltol', () => {
    const dir = tempDir();
    const kcl = join(dir, 'kcl.cif');
    const text = readFileSync(nacl, 'utf8').replace('Na1 Na+', 'K1 K+');
    writeFileSync(kcl, text);
    const c = runCli(['match', nacl, kcl, '--explain']);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('why  composition: different compositions: A is NaCl and B is KCl');
    const stretched = join(dir, 'stretched.cif');
    writeFileSync(stretched, readFileSync(nacl, 'utf8').replace('_cell_length_c    5.6402', '_cell_length_c    8.0'));
    const l = runCli(['match', nacl, stretched, '--explain', '--json']);
    expect(l.code, l.stderr).toBe(0);
    const j = JSON.parse(l.stdout) as {
      match: boolean;
      explain: {
        verdict: string;
        lattice: { withinTolerance: boolean; lengthDeviation: number; angleDeviation: number };
      };
    };
    expect(j.match).toBe(false);
    expect(j.explain.verdict).toBe('lattice');
    const dev = j.explain.lattice;
    expect(dev.withinTolerance).toBe(false);
    expect(dev.lengthDeviation > 0.2 || dev.angleDeviation > 5).toBe(true);
    const said = runCli(['match', nacl, stretched, '--explain']).stdout;
    expect(said).toMatch(
      /^why {2}lattice: no lattice within ltol 0\.2, angle_tol 5°: the closest \(a .*\) deviates by \d+\.\d % in length and \d+\.\d\d° in angle from a /m,
    );
    expect(runCli(['match', nacl, nacl, '--explain', '--all']).code).toBe(2);
  });
});
