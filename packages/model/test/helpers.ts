import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initModelBackend } from '../src/backend.js';
import { type DatasetRow, readDataset } from '../src/data.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The first `n` rows of a committed dataset (data/<name>/val.csv, relative to the repository root). */
export function datasetRows(name: 'perov_5' | 'carbon_24', n?: number): DatasetRow[] {
  return readDataset(readFileSync(`${root}data/${name}/val.csv`, 'utf8'), `data/${name}/val.csv`, n);
}

export async function useBackend(): Promise<string> {
  return initModelBackend('wasm');
}
