import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../test/helpers.js';
import { type DatasetProgress, readDatasetCsv, readDatasetCsvAsync, writeDatasetCsv } from './dataset-csv.js';

const FULL = readFileSync(join(ROOT, 'data', 'perov_5', 'val.csv'), 'utf8');
// The header and the first 12 rows (each row starts with 'index,material_id,"# generated').
const TEXT = FULL.slice(
  0,
  (FULL.slice(0, 40000).match(/\n\d+,\d+,"# generated/g) ?? []).reduce((at, m) => FULL.indexOf(m, at + 1), 0) + 1,
);

describe('readDatasetCsv', () => {
  test('readDatasetCsv(val.csv) yields id, crystal and typed properties', () => {
    const rows = [...readDatasetCsv(TEXT)];
    expect(rows.length).toBeGreaterThan(5);
    expect(rows[0].id).toBe('18517');
    expect(rows[0].properties).toEqual({
      index: 5168,
      formula: 'CuCdN3',
      heat_all: 2.76,
      heat_ref: 2.709152583232041,
      dir_gap: 0,
      ind_gap: 0,
    });
    expect(Array.from(rows[0].crystal.atomicNumbers)).toEqual([29, 48, 7, 7, 7]);
  });

  fcTest.prop([fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 40 })], { numRuns: 30 })(
    'readDatasetCsv gives the same rows from any chunking of the text',
    (sizes) => {
      const chunks: string[] = [];
      let i = 0;
      for (let k = 0; i < TEXT.length; k++) {
        const s = sizes[k % sizes.length];
        chunks.push(TEXT.slice(i, i + s));
        i += s;
      }
      const whole = [...readDatasetCsv(TEXT)].map((r) => [r.id, Array.from(r.crystal.fracCoords)]);
      expect([...readDatasetCsv(chunks)].map((r) => [r.id, Array.from(r.crystal.fracCoords)])).toEqual(whole);
    },
  );

  test('readDatasetCsvAsync reads byte chunks and reports progress', async () => {
    const bytes = new TextEncoder().encode(TEXT);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 777) yield bytes.subarray(i, i + 777);
    }
    const progress: DatasetProgress[] = [];
    let n = 0;
    for await (const _ of readDatasetCsvAsync(chunks(), {
      totalBytes: bytes.length,
      progressEvery: 2,
      onProgress: (p) => progress.push(p),
    }))
      n++;
    expect(n).toBe([...readDatasetCsv(TEXT)].length);
    expect(progress.at(-1)).toEqual({ rows: n, consumed: bytes.length, total: bytes.length });
  });

  test('readDatasetCsv locates a broken CIF in the CSV file, or skips it', () => {
    const broken = TEXT.replace('_cell_length_b   4.27928426', '_cell_length_b   four');
    expect(() => [...readDatasetCsv(broken, { source: 'val.csv' })]).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: val.csv:6:18: dataset-csv: row 1 (line 2, id 18517): cif: expected _cell_length_b to be a positive length, got 'four']`,
    );
    const skipped: number[] = [];
    const rows = [...readDatasetCsv(broken, { onError: 'skip', onSkip: (_e, row) => skipped.push(row) })];
    expect(skipped).toEqual([0]);
    expect(rows[0].id).not.toBe('18517');
    expect(() => [...readDatasetCsv('a,b\n1,2\n')]).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: dataset.csv:1:1: dataset-csv: expected a 'cif' column in the header, got ["a","b"]]`,
    );
    expect(() => [...readDatasetCsv('id,cif\n1,"data_x\n')]).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: dataset.csv:2:3: dataset-csv: unterminated quoted field: expected a closing "]`,
    );
  });

  test('readDatasetCsv messages count data rows from 1 and give the line where the row starts', () => {
    const po = (c: string) =>
      `"data_Po\n_cell_length_a 3.35\n_cell_length_b 3.35\n_cell_length_c ${c}\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 0 0\n"`;
    // Rows 1 and 2 take 14 lines each (lines 2–15, 16–29); row 3 starts on line 30.
    const fieldShort = `id,cif,e\na,${po('3.35')},1\nb,${po('3.35')},2\nc,3\n`;
    expect(() => [...readDatasetCsv(fieldShort, { source: 'p.csv' })]).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: p.csv:30:1: dataset-csv: row 3 (line 30): expected 3 fields as in the header, got 2]`,
    );
    // A broken CIF in row 2: the error sits on the CIF's line in the file, the row on the line where it starts.
    const broken = `id,cif,e\na,${po('3.35')},1\nb,${po('-1')},2\nc,${po('3.35')},3\n`;
    expect(() => [...readDatasetCsv(broken, { source: 'p.csv' })]).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: p.csv:19:16: dataset-csv: row 2 (line 16, id b): cif: expected _cell_length_c to be a positive length, got '-1']`,
    );
    // Skipped rows go to onSkip with the 0-based index of DatasetRow.row; the message counts from 1.
    const skipped: [number, string][] = [];
    const kept = [...readDatasetCsv(broken, { onError: 'skip', onSkip: (e, row) => skipped.push([row, e.reason]) })];
    expect(kept.map((r) => [r.row, r.id])).toEqual([
      [0, 'a'],
      [2, 'c'],
    ]);
    expect(skipped.map(([row, reason]) => [row, reason.slice(0, 21)])).toEqual([[1, 'row 2 (line 16, id b)']]);
    // onSkip also gets the row's id when the row has an id field (a short row may not)
    const ids: (string | undefined)[] = [];
    const shortId = `id,cif,e\na,${po('3.35')},1\nb\nc,${po('-1')},3\n`;
    [...readDatasetCsv(shortId, { onError: 'skip', onSkip: (_e, _row, id) => ids.push(id) })];
    expect(ids).toEqual(['b', 'c']);
    const noId = `cif,e\n${po('3.35')}\n`;
    [...readDatasetCsv(noId, { onError: 'skip', onSkip: (_e, _row, id) => ids.push(id) })];
    expect(ids).toEqual(['b', 'c', undefined]);
  });

  test('readDatasetCsv puts CIF warnings on the row, located in the CSV file', () => {
    const cif = (gamma: string) =>
      `data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n_cell_angle_alpha 90\n_cell_angle_beta 90\n${gamma}loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 0 0\nPo ? 0 0\n`;
    const csv = `id,cif\na,"${cif('_cell_angle_gamma 90\n')}"\nb,"${cif('')}"\n`;
    const rows = [...readDatasetCsv(csv, { source: 'w.csv' })];
    expect(rows.map((r) => r.warnings)).toMatchInlineSnapshot(`
      [
        [
          "w.csv:15:4: row 1 (line 2, id a): cif: site without coordinates ('?') skipped",
        ],
        [
          "w.csv:17:1: row 2 (line 17, id b): cif: data_x: _cell_angle_gamma missing; 90° assumed",
          "w.csv:29:4: row 2 (line 17, id b): cif: site without coordinates ('?') skipped",
        ],
      ]
    `);
  });

  test('readDatasetCsv wraps coordinates by default; { wrap: false } keeps each CIF as written', () => {
    const cif = `data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 1.02 -0.1 0.66666667\n`;
    const csv = `id,cif\na,"${cif}"\n`;
    const wrapped = Array.from([...readDatasetCsv(csv)][0].crystal.fracCoords);
    expect(wrapped[0]).toBeCloseTo(0.02, 12);
    expect(wrapped[1]).toBeCloseTo(0.9, 12);
    expect(wrapped[2]).toBe(2 / 3);
    expect(Array.from([...readDatasetCsv(csv, { wrap: false })][0].crystal.fracCoords)).toEqual([
      1.02, -0.1, 0.66666667,
    ]);
  });

  test('readDatasetCsv(val.csv, { wrap: false }) gives the CIF numbers as written', () => {
    const rows = [...readDatasetCsv(TEXT, { wrap: false })];
    const raw = [...TEXT.matchAll(/^\s*\S+\s+\S+\s+\d+\s+(\S+)\s+(\S+)\s+(\S+)\s+1\s*$/gm)].flatMap((m) =>
      m.slice(1, 4).map(Number),
    );
    expect(rows.flatMap((r) => Array.from(r.crystal.fracCoords))).toEqual(raw);
    expect(raw.some((x) => x < 0 || x >= 1)).toBe(true);
  });

  test('writeDatasetCsv then readDatasetCsv returns ids, crystals and properties', () => {
    const rows = [...readDatasetCsv(TEXT)];
    const back = [...readDatasetCsv(writeDatasetCsv(rows))];
    expect(back.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(back.map((r) => r.properties)).toEqual(rows.map((r) => r.properties));
    for (let i = 0; i < rows.length; i++) {
      const a = rows[i].crystal.fracCoords;
      const b = back[i].crystal.fracCoords;
      for (let k = 0; k < a.length; k++)
        expect(b[k]).toBeCloseTo(a[k] - Math.floor(a[k] + 1e-12) + (a[k] - Math.floor(a[k]) >= 1 ? -1 : 0), 7);
    }
  });
});
