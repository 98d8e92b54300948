import { describe, expect, test } from 'vitest';
import { compareDataset } from '../test/dataset-oracle.js';
import { compareReal, realFiles, realOracle } from '../test/oracle.js';

describe('real-world oracle (pymatgen / ASE)', () => {
  test('every real fixture (COD CIFs from Debian packages, peer-written POSCAR/XYZ/JSON) reads as pymatgen or ASE reads it', () => {
    const oracle = realOracle();
    const files = realFiles();
    expect(files.length).toBeGreaterThanOrEqual(130);
    const bad = files.map((f) => [f, compareReal(f, oracle[f])]).filter(([, why]) => why !== null);
    expect(bad).toEqual([]);
  });

  test('the first 300 rows of each val CSV read as pymatgen reads them (all rows: oracle.slow.test.ts)', () => {
    for (const ds of ['perov_5', 'carbon_24'] as const) {
      const { rows, bad } = compareDataset(ds, 300);
      expect(rows).toBe(300);
      expect(bad).toEqual([]);
    }
  });
});
