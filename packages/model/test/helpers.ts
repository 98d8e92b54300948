import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Crystal, createCrystal } from '@crys/lattice';
import { initModelBackend } from '../src/backend.js';
import { type DatasetRow, readDataset } from '../src/data.js';
import { type ActionModel, createModel, defaultModelConfig } from '../src/model.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The first `n` rows of a committed dataset (data/<name>/val.csv, relative to the repository root). */
export function datasetRows(name: 'perov_5' | 'carbon_24', n?: number): DatasetRow[] {
  return readDataset(readFileSync(`${root}data/${name}/val.csv`, 'utf8'), `data/${name}/val.csv`, n);
}

export async function useBackend(): Promise<string> {
  return initModelBackend('wasm');
}

const cubic = (a: number) => Float64Array.of(a, 0, 0, 0, a, 0, 0, 0, a);

/** Cubic SrTiO3 (Pm-3m, 221: 48 operations in its 5-atom cell). */
export const SRTIO3: Crystal = createCrystal({
  lattice: cubic(3.905),
  fracCoords: [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5],
  atomicNumbers: [38, 22, 8, 8, 8],
});

/** A wrong arrangement of SrTiO3: Ti 0.78 Å up and one O 0.39 Å down (P4mm, 99: 8 operations), normalised RMS
 * 0.168 < stol 0.5. */
export const POLAR_SRTIO3: Crystal = createCrystal({
  lattice: SRTIO3.lattice,
  fracCoords: [0, 0, 0, 0.5, 0.5, 0.7, 0.5, 0.5, -0.1, 0.5, 0, 0.5, 0, 0.5, 0.5],
  atomicNumbers: SRTIO3.atomicNumbers,
});

/** An untrained model of a small network (F = 16, one layer) for `task` over `species`: fast, for plumbing tests. */
export function tinyModel(task: 'structure' | 'denoise' | 'lattice', species: readonly number[]): ActionModel {
  const base = defaultModelConfig(task, species, 'tiny');
  return createModel(
    { ...base, network: { ...base.network, hidden: 16, layers: 1, vectorChannels: 4, rbf: 8 }, k: 8 },
    1,
  );
}
