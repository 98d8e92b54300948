import type { Crystal } from '@crys/lattice';
import { type CsvRow, readDatasetRows, writeDatasetRows } from './internal/dataset-csv.js';

/** The three parts of the deterministic split. */
export type SplitName = 'train' | 'valid' | 'holdout';

/**
 * A dataset row: its `material_id` (or row number), the crystal and the other columns as strings.
 *
 * @example
 * const [first] = readDataset(csvText); first.id; // '18517'
 */
export type DatasetRow = CsvRow;

/**
 * Reads a dataset CSV (a `cif` column with one P1 CIF per row, e.g. data/perov_5/val.csv), optionally only
 * its first `limit` rows.
 *
 * @example
 * const rows = readDataset(readFileSync('data/perov_5/val.csv', 'utf8'));
 */
export function readDataset(text: string, source = 'dataset.csv', limit?: number): DatasetRow[] {
  return readDatasetRows(text, source, limit);
}

/**
 * Writes a dataset CSV with `material_id`, a P1 `cif` per row (pymatgen's CifParser reads it) and any extra
 * columns.
 *
 * @example
 * writeFileSync('pred.csv', writeDataset([{ id: '18517', crystal }]));
 */
export function writeDataset(
  rows: readonly { id: string; crystal: Crystal; properties?: Readonly<Record<string, string | number>> }[],
): string {
  return writeDatasetRows(rows);
}

/**
 * 32-bit FNV-1a hash of a string (UTF-16 code units).
 *
 * @example
 * fnv1a('18517'); // the same number on every platform
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The split a material belongs to: FNV-1a of its id modulo 10 gives buckets 0–7 train (80 %), 8 valid
 * (10 %), 9 holdout (10 %). Deterministic, independent of row order and of the other rows.
 *
 * @example
 * splitOf('18517'); // 'train' | 'valid' | 'holdout'
 */
export function splitOf(id: string): SplitName {
  const bucket = fnv1a(id) % 10;
  return bucket < 8 ? 'train' : bucket === 8 ? 'valid' : 'holdout';
}

/**
 * Splits rows into train / valid / holdout by {@link splitOf} of their id.
 *
 * @example
 * const { train, valid, holdout } = splitDataset(rows);
 */
export function splitDataset<T extends { readonly id: string }>(rows: readonly T[]): Record<SplitName, T[]> {
  const out: Record<SplitName, T[]> = { train: [], valid: [], holdout: [] };
  for (const r of rows) out[splitOf(r.id)].push(r);
  return out;
}
