import { ParseError } from '@crys/io';
import { InvalidArgumentError } from '@crys/lattice';
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

  it('readDataset takes the id from material_id, else the 0-based row number, and stops after limit rows', () => {
    const cif = (a: number): string =>
      `"data_x\n_cell_length_a ${a}\n_cell_length_b 3\n_cell_length_c 3\n_cell_angle_alpha 90\n` +
      `_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n` +
      `_atom_site_fract_y\n_atom_site_fract_z\nC 0.25 0 1.5\n"`;
    const withId = readDataset(`,material_id,cif,e\n5,mp-1,${cif(3)},-1.5\n6,mp-2,${cif(4)},x\n`);
    expect(withId.map((r) => r.id)).toEqual(['mp-1', 'mp-2']);
    expect(withId[0].properties).toEqual({ index: 5, e: -1.5 });
    expect(withId[1].properties.e).toBe('x');
    expect(withId[1].crystal.lattice[0]).toBeCloseTo(4, 12);
    // fractional coordinates are wrapped into [0, 1)
    expect(Array.from(withId[0].crystal.fracCoords)).toEqual([0.25, 0, 0.5]);
    const noId = readDataset(`id,cif,e\nq,${cif(3)},1\n\nr,${cif(4)},2\n`);
    expect(noId.map((r) => r.id)).toEqual(['0', '1']);
    expect(noId[1].properties).toEqual({ id: 'r', e: 2 });
    expect(readDataset(`cif\n${cif(3)}\n${cif(4)}\n`).map((r) => r.id)).toEqual(['0', '1']);
    // limit stops before a broken row further down
    const broken = `material_id,cif\na,${cif(3)}\nb,"data_y\n"\n`;
    expect(readDataset(broken, 'b.csv', 1).map((r) => r.id)).toEqual(['a']);
    expect(readDataset(broken, 'b.csv', 0)).toEqual([]);
    expect(() => readDataset(broken, 'b.csv')).toThrow(/^b\.csv:16:1: dataset-csv: row 2 \(line 16, id b\): cif: /);
    expect(() => readDataset(broken, 'b.csv', 1.5)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: readDataset: limit must be a whole number ≥ 0, got 1.5]`,
    );
    expect(() => readDataset(broken, 'b.csv', -1)).toThrow(InvalidArgumentError);
  });

  it('writeDataset writes every property column that any row has', () => {
    const [a, b] = datasetRows('perov_5', 2);
    const text = writeDataset([
      { id: 'p', crystal: a.crystal, properties: { e: -1 } },
      { id: 'q', crystal: b.crystal, properties: { gap: 'none' } },
    ]);
    expect(text.split('\n')[0]).toBe('material_id,cif,e,gap');
    const back = readDataset(text);
    expect(back.map((r) => r.properties)).toEqual([
      { e: -1, gap: '' },
      { e: '', gap: 'none' },
    ]);
  });

  it('readDataset reports a missing cif column and a broken CIF with the file and line (ParseError)', () => {
    expect(() => readDataset('a,b\n1,2\n', 'x.csv')).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: x.csv:1:1: dataset-csv: expected a 'cif' column in the header, got ["a","b"]]`,
    );
    expect(() => readDataset('material_id,b\n1,2\n', 'x.csv')).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: x.csv:1:1: dataset-csv: expected a 'cif' column in the header, got ["material_id","b"]]`,
    );
    expect(() => readDataset('', 'x.csv')).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: x.csv:1:1: dataset-csv: expected a header row, got an empty input]`,
    );
    expect(() =>
      readDataset('material_id,cif\n7,"data_x\n_cell_length_a 3\n"\n', 'x.csv'),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: x.csv:2:1: dataset-csv: row 1 (line 2, id 7): cif: data_x: expected an _atom_site_fract_x (or _atom_site_Cartn_x) loop for the cell, found none]`,
    );
    expect(() => readDataset('material_id,cif\n7,"data_x\n_cell_length_a 3\n"\n', 'x.csv')).toThrow(ParseError);
  });
});
