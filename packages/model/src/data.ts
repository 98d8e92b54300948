import { type DatasetRow as IoDatasetRow, ParseError, readDatasetCsv, writeDatasetCsv } from '@crys/io';
import { type Crystal, describeValue, InvalidArgumentError } from '@crys/lattice';

/** The three parts of the deterministic split. */
export type SplitName = 'train' | 'valid' | 'holdout';

/**
 * A dataset row: its `material_id` (or 0-based row number), the crystal and the other columns (numbers where
 * the text is a number, else strings, as @crys/io reads them).
 *
 * @example
 * const [first] = readDataset(csvText); first.id; // '18517'
 */
export interface DatasetRow {
  readonly id: string;
  readonly crystal: Crystal;
  readonly properties: Readonly<Record<string, string | number>>;
}

/**
 * Reads a dataset CSV (a `cif` column with one P1 CIF per row, e.g. data/perov_5/val.csv) with @crys/io's
 * `readDatasetCsv`, optionally only its first `limit` rows (the rest of the text is not parsed). The id of a
 * row is its `material_id`, or its 0-based row number when there is no such column. Fractional coordinates
 * are wrapped into [0, 1). Throws @crys/io's `ParseError` (`source:line:column: dataset-csv: …`, located in
 * the CSV file) for a missing `cif` column or an unreadable row.
 *
 * @example
 * const rows = readDataset(readFileSync('data/perov_5/val.csv', 'utf8'), 'data/perov_5/val.csv');
 */
export function readDataset(text: string, source = 'dataset.csv', limit = Number.POSITIVE_INFINITY): DatasetRow[] {
  if (!(limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit >= 0))) {
    throw new InvalidArgumentError(
      'readDataset',
      'limit',
      `must be a whole number ≥ 0, got ${describeValue(limit)}`,
      limit,
    );
  }
  const out: DatasetRow[] = [];
  if (limit === 0) return out;
  let rows = readDatasetCsv(text, { source, idColumn: 'material_id' });
  let byRowNumber = false;
  let next: IteratorResult<IoDatasetRow, void>;
  try {
    next = rows.next();
  } catch (e) {
    // Header errors sit on line 1: no `material_id` column, or a problem the second read reports again. With
    // the `cif` column as the id column every other column stays a property, and the id is the row number.
    if (!(e instanceof ParseError) || e.line !== 1) throw e;
    rows = readDatasetCsv(text, { source, idColumn: 'cif' });
    byRowNumber = true;
    next = rows.next();
  }
  for (; !next.done; next = rows.next()) {
    const r = next.value;
    out.push({ id: byRowNumber ? String(r.row) : r.id, crystal: r.crystal, properties: r.properties });
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Writes a dataset CSV with `material_id`, a P1 `cif` per row (pymatgen's CifParser reads it) and the extra
 * columns of every row's `properties` (in order of first appearance; empty where a row lacks one), with
 * @crys/io's `writeDatasetCsv`.
 *
 * @example
 * writeFileSync('pred.csv', writeDataset([{ id: '18517', crystal }]));
 */
export function writeDataset(
  rows: readonly { id: string; crystal: Crystal; properties?: Readonly<Record<string, string | number>> }[],
): string {
  const columns = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.properties ?? {})) columns.add(k);
  return writeDatasetCsv(rows, { columns: [...columns] });
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
