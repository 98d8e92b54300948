import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DatasetRow, readDatasetCsv } from '@crys/io';

export type { DatasetRow };

/** Repository root (tests reference data relative to it). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The rows of data/<name>/val.csv (the first `limit`), in file order, read by @crys/io with `wrap: false`:
 * fractional coordinates exactly as written (the ASE oracle's image offsets depend on them), as
 * peers/common.py parse_p1_cif reads them. A row with reader warnings is refused.
 */
export function loadVal(name: 'perov_5' | 'carbon_24', limit = Number.POSITIVE_INFINITY): DatasetRow[] {
  const source = join(REPO_ROOT, 'data', name, 'val.csv');
  const out: DatasetRow[] = [];
  if (limit <= 0) return out;
  for (const row of readDatasetCsv(readFileSync(source, 'utf8'), { source, wrap: false })) {
    if (row.warnings.length > 0) throw new Error(`loadVal: ${row.warnings.join('\n')}`);
    out.push(row);
    if (out.length >= limit) break;
  }
  return out;
}
