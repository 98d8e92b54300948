import { describe, expect, it } from 'vitest';
import { datasetRows } from '../test/helpers.js';
import { readDataset, splitDataset, splitOf, writeDataset } from './data.js';

describe('dataset split', () => {
  it('splitOf(id) is deterministic and splitDataset gives about 80/10/10 on perov_5', () => {
    expect(splitOf('18517')).toBe(splitOf('18517'));
    const rows = datasetRows('perov_5', 1000);
    const s = splitDataset(rows);
    expect(s.train.length + s.valid.length + s.holdout.length).toBe(1000);
    expect(s.train.length / 1000).toBeGreaterThan(0.75);
    expect(s.train.length / 1000).toBeLessThan(0.85);
    expect(s.valid.length).toBeGreaterThan(60);
    expect(s.holdout.length).toBeGreaterThan(60);
    // the split of a row does not depend on the other rows
    const reversed = splitDataset([...rows].reverse());
    expect(new Set(reversed.holdout.map((r) => r.id))).toEqual(new Set(s.holdout.map((r) => r.id)));
  });
});

describe('dataset CSV', () => {
  it('readDataset reads the committed CSVs: ids, species and cells', () => {
    const [first] = datasetRows('perov_5', 1);
    expect(first.id).toBe('18517');
    expect(Array.from(first.crystal.atomicNumbers)).toEqual([29, 48, 7, 7, 7]);
    expect(first.crystal.lattice[0]).toBeCloseTo(4.27928426, 6);
    expect(first.properties.formula).toBe('CuCdN3');
    const carbon = datasetRows('carbon_24', 3);
    for (const r of carbon) expect(r.crystal.atomicNumbers.every((z) => z === 6)).toBe(true);
  });

  it('readDataset(writeDataset(rows)) round-trips ids, species and coordinates', () => {
    const rows = datasetRows('carbon_24', 4);
    const back = readDataset(writeDataset(rows.map((r) => ({ id: r.id, crystal: r.crystal }))));
    expect(back.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    for (let i = 0; i < rows.length; i++) {
      expect(Array.from(back[i].crystal.atomicNumbers)).toEqual(Array.from(rows[i].crystal.atomicNumbers));
      const f = back[i].crystal.fracCoords;
      for (let j = 0; j < f.length; j++) expect(f[j]).toBeCloseTo(rows[i].crystal.fracCoords[j], 7);
    }
  });

  it('readDataset reports a missing cif column and a broken CIF', () => {
    expect(() => readDataset('a,b\n1,2\n', 'x.csv')).toThrowErrorMatchingInlineSnapshot(
      `[DatasetFormatError: x.csv: has no 'cif' column (columns: a, b)]`,
    );
    expect(() =>
      readDataset('material_id,cif\n7,"data_x\n_cell_length_a 3\n"\n', 'x.csv'),
    ).toThrowErrorMatchingInlineSnapshot(`[DatasetFormatError: x.csv row 1 (7): missing _cell_length_b]`);
  });
});
