import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../test/run-cli.js';

interface EdgeJson {
  src: number;
  dst: number;
  image: [number, number, number];
  distance: number;
}
interface GraphJson {
  numNodes: number;
  numEdges: number;
  selfImageEdges: number;
  multiEdges: number;
  species: string[];
  edges: EdgeJson[];
}

const twoRows = join(FIXTURES, 'two-rows.csv');

describe('crys graph', () => {
  test('crys graph on simple-cubic Po at 3.5 Å gives the six image self-loops ±a, ±b, ±c', () => {
    const r = runCli(['graph', twoRows, '--index', '2', '--cutoff', '3.5', '--json']);
    expect(r.code).toBe(0);
    const g = JSON.parse(r.stdout) as GraphJson;
    expect(g.numNodes).toBe(1);
    expect(g.numEdges).toBe(6);
    expect(g.selfImageEdges).toBe(6);
    expect(g.multiEdges).toBe(6);
    const images = g.edges.map((e) => e.image.join(' ')).sort();
    expect(images).toEqual(['-1 0 0', '0 -1 0', '0 0 -1', '0 0 1', '0 1 0', '1 0 0']);
    for (const e of g.edges) expect(e.distance).toBeCloseTo(3.35, 12);
  });

  test('crys graph prints counts, the degree histogram and image offsets as text', () => {
    const r = runCli(['graph', twoRows, '--cutoff', '4.2']);
    expect(r.code).toBe(0);
    // CsCl, a = 4.12: 8 Cs–Cl at 3.568 Å and 6 own images at 4.12 Å per atom
    expect(r.stdout).toContain('2 atoms  cutoff 4.2 Å');
    expect(r.stdout).toContain('edges             28 (14.00 per atom)');
    expect(r.stdout).toContain('image self-loops  12');
    expect(r.stdout).toMatch(/^ {4}14 {6}2 {2}▇+$/m);
    expect(r.stdout).toMatch(/^\(0, 0, 0\) +\d+$/m);
  });

  test('every radius-graph edge of a real crystal has its reverse twin with the negated image', () => {
    const r = runCli(['graph', 'data/carbon_24/val.csv', '--index', '7', '--cutoff', '4', '--json']);
    expect(r.code).toBe(0);
    const g = JSON.parse(r.stdout) as GraphJson;
    const key = (s: number, d: number, im: number[]) => `${s}|${d}|${im.join(',')}`;
    const keys = new Set(g.edges.map((e) => key(e.src, e.dst, e.image)));
    for (const e of g.edges) {
      expect(
        keys.has(
          key(
            e.dst,
            e.src,
            e.image.map((x) => -x || 0),
          ),
        ),
      ).toBe(true);
      expect(e.distance).toBeLessThanOrEqual(4);
    }
  });

  test('crys graph --knn 4 gives exactly 4 edges per atom, nearest first', () => {
    const r = runCli(['graph', 'data/perov_5/val.csv', '--knn', '4', '--json']);
    expect(r.code).toBe(0);
    const g = JSON.parse(r.stdout) as GraphJson;
    expect(g.numEdges).toBe(4 * g.numNodes);
    for (let i = 0; i < g.numNodes; i++) {
      const mine = g.edges.filter((e) => e.src === i).map((e) => e.distance);
      expect(mine).toHaveLength(4);
      expect([...mine].sort((a, b) => a - b)).toEqual(mine);
    }
  });

  test('crys graph needs exactly one of --cutoff and --knn (exit 2)', () => {
    const none = runCli(['graph', twoRows]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatchInlineSnapshot(`
      "crys graph: error: give --cutoff R or --knn K
      hint: e.g. \`crys graph FILE --cutoff 5\` or \`crys graph FILE --knn 12\`
      "
    `);
    const both = runCli(['graph', twoRows, '--cutoff', '3', '--knn', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--cutoff and --knn cannot be used together');
  });

  test('an edge budget that is too small is refused with the fix (exit 1)', () => {
    const r = runCli(['graph', twoRows, '--cutoff', '30', '--max-edges', '1000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatchInlineSnapshot(`
      "crys graph: error: the request would give about 6469 edges, more than --max-edges 1000
      hint: raise --max-edges, or lower --cutoff (or --knn)
      "
    `);
  });
});

describe('crys match', () => {
  test('a crystal matches its own copy written to CIF and back, with RMS 0', () => {
    const cif = join(tempDir(), 'row4.cif');
    expect(runCli(['convert', 'data/carbon_24/val.csv', cif, '--index', '4']).code).toBe(0);
    const r = runCli(['match', cif, 'data/carbon_24/val.csv', '--index', '1', '--index-b', '4', '--json']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as { match: boolean; rms: number; options: { stol: number } };
    expect(m.match).toBe(true);
    expect(m.rms).toBeLessThan(1e-6);
    expect(m.options.stol).toBe(0.3);
  });

  test('two different carbon polymorphs do not match; --field switches to the papers’ tolerances', () => {
    const r = runCli(['match', 'data/carbon_24/val.csv', 'data/carbon_24/val.csv', '--index', '1', '--index-b', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no match (fit)  no match (CSP, get_rms_dist)  rms –  max –');
    const f = runCli(['match', twoRows, twoRows, '--index-b', '2', '--field', '--json']);
    const m = JSON.parse(f.stdout) as { match: boolean; options: { ltol: number; stol: number; angleTol: number } };
    expect(m.match).toBe(false); // CsCl vs Po: different compositions
    expect(m.options).toMatchObject({ ltol: 0.3, stol: 0.5, angleTol: 10 });
  });

  test('one atom moved past stol: pymatgen fit says no, the CSP papers’ get_rms_dist says match (both printed)', () => {
    const dir = tempDir();
    // SrTiO3 and a copy whose Ti moved by 0.9 Å: the RMS over 5 atoms stays under stol, Ti's own shift does not
    const poscar = (tiX: number) =>
      `SrTiO3\n1.0\n3.905 0 0\n0 3.905 0\n0 0 3.905\nSr Ti O\n1 1 3\nDirect\n0 0 0\n${tiX} 0.5 0.5\n0.5 0.5 0\n0.5 0 0.5\n0 0.5 0.5\n`;
    writeFileSync(join(dir, 'a.vasp'), poscar(0.5));
    writeFileSync(join(dir, 'b.vasp'), poscar(0.5 + 0.9 / 3.905));
    const r = runCli(['match', join(dir, 'a.vasp'), join(dir, 'b.vasp'), '--json']);
    const m = JSON.parse(r.stdout) as { match: boolean; rmsMatch: boolean; rms: number; maxDist: number };
    expect(m.match).toBe(false);
    expect(m.rmsMatch).toBe(true);
    expect(m.rms).toBeLessThan(0.3);
    expect(m.maxDist).toBeGreaterThan(0.3);
    expect(runCli(['match', join(dir, 'a.vasp'), join(dir, 'b.vasp')]).stdout).toContain(
      'no match (fit)  match (CSP, get_rms_dist)',
    );
  });

  test('match says that volumes were scaled, and --no-scale compares them as given', () => {
    const dir = tempDir();
    // SrTiO3 and the same arrangement in a cell 30 % longer (2.197 × the volume, beyond ltol 0.2 unscaled)
    const poscar = (a: number) =>
      `SrTiO3\n1.0\n${a} 0 0\n0 ${a} 0\n0 0 ${a}\nSr Ti O\n1 1 3\nDirect\n0 0 0\n0.5 0.5 0.5\n0.5 0.5 0\n0.5 0 0.5\n0 0.5 0.5\n`;
    writeFileSync(join(dir, 'a.vasp'), poscar(3.905));
    writeFileSync(join(dir, 'b.vasp'), poscar(3.905 * 1.3));
    const scaled = runCli(['match', join(dir, 'a.vasp'), join(dir, 'b.vasp')]);
    expect(scaled.stdout).toContain('match (fit)  match (CSP, get_rms_dist)');
    expect(scaled.stdout).toContain(
      'volumes scaled to the same volume before comparing, so the verdicts ignore the difference in density: volume per atom A 11.91 Å³, B 26.17 Å³ (B/A 2.197); --no-scale compares them as given',
    );
    const asGiven = runCli(['match', join(dir, 'a.vasp'), join(dir, 'b.vasp'), '--no-scale', '--json']);
    const m = JSON.parse(asGiven.stdout) as {
      match: boolean;
      scaled: boolean;
      volumePerAtom: { a: number; b: number };
    };
    expect(m.scaled).toBe(false);
    expect(m.match).toBe(false);
    expect(m.volumePerAtom.b / m.volumePerAtom.a).toBeCloseTo(2.197, 10);
  });
});
