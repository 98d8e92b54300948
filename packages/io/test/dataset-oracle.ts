import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDatasetCsv } from '../src/dataset-csv.js';
import { cellOf, FIXTURES, hasNonFinite, matchCell, matchSites, ROOT, readGzipJson } from './helpers.js';

interface ValRecord {
  n: number;
  cell: number[];
  frac: number[];
  z: number[];
}

/**
 * Reads data/<ds>/val.csv with readDatasetCsv and compares the first `limit` rows with pymatgen's reading
 * (oracle fixture). Returns the rows compared and the mismatches.
 */
export function compareDataset(
  ds: 'perov_5' | 'carbon_24',
  limit = Number.POSITIVE_INFINITY,
): { rows: number; bad: string[] } {
  const oracle = readGzipJson<ValRecord[]>(join(FIXTURES, 'oracle', `val_${ds}.json.gz`));
  const text = readFileSync(join(ROOT, 'data', ds, 'val.csv'), 'utf8');
  const bad: string[] = [];
  let rows = 0;
  for (const row of readDatasetCsv(text, { source: `${ds}/val.csv` })) {
    if (rows >= limit) break;
    const ref = oracle[row.row];
    const c = row.crystal;
    const why =
      (hasNonFinite(c) ? 'non-finite' : null) ??
      matchCell(cellOf(c), ref.cell, 1e-7) ??
      matchSites(c.fracCoords, c.atomicNumbers, ref.frac, ref.z, 1e-7);
    if (why) bad.push(`row ${row.row + 1} (${row.id}): ${why}`);
    rows++;
  }
  return { rows, bad };
}
