// Benchmark inputs: the val crystals, read by @crys/io (timed separately as "parsing"), and supercell builders.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDatasetCsv } from '@crys/io';

/**
 * Reads data/<name>/val.csv with @crys/io, fractional coordinates exactly as written (`wrap: false`, the peers'
 * convention: their image offsets and edge counts depend on it). Returns the crystals in file order and the
 * parsing time (ms, file read included). A row with reader warnings is refused.
 */
export function loadDataset(root, name) {
  const source = join(root, 'data', name, 'val.csv');
  const t0 = performance.now();
  const crystals = [];
  for (const row of readDatasetCsv(readFileSync(source, 'utf8'), { source, wrap: false })) {
    if (row.warnings.length > 0) throw new Error(`loadDataset: ${row.warnings.join('\n')}`);
    crystals.push(row.crystal);
  }
  return { crystals, parseMs: performance.now() - t0 };
}

/** n×n×n supercell, atoms ordered like ASE's Atoms.repeat (cell copies outer, atoms inner). */
export function supercell(c, n) {
  const m = c.atomicNumbers.length;
  const frac = new Float64Array(3 * m * n * n * n);
  const z = new Uint8Array(m * n * n * n);
  let a = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++)
        for (let s = 0; s < m; s++, a++) {
          frac[3 * a] = (c.fracCoords[3 * s] + i) / n;
          frac[3 * a + 1] = (c.fracCoords[3 * s + 1] + j) / n;
          frac[3 * a + 2] = (c.fracCoords[3 * s + 2] + k) / n;
          z[a] = c.atomicNumbers[s];
        }
  return { lattice: c.lattice.map((v) => v * n), fracCoords: frac, atomicNumbers: z };
}
