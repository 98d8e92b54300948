import init, { analyze_cell, type InitInput, type MoyoDataset } from '@spglib/moyo-wasm';
import { InvalidArgumentError } from '@crys/lattice';
import { wasmBindgenLoader } from '@crys/lattice/internal';

const moyo = wasmBindgenLoader<InitInput>(init, '@spglib/moyo-wasm/moyo_wasm_bg.wasm', import.meta.url);

/**
 * Loads moyo's WebAssembly (symmetry analysis, used by `writeCif(c, { symmetrize: true })`). In Node it
 * reads the `.wasm` from `node_modules`; in a browser it is fetched next to moyo's module (bundlers that
 * understand `new URL('…', import.meta.url)` copy it), or from `input` when given. Safe to call many times.
 *
 * @example
 * await loadMoyo();
 * writeCif(crystal, { symmetrize: true });
 */
export function loadMoyo(input?: InitInput): Promise<void> {
  return moyo.load(input);
}

/** True once {@link loadMoyo} has finished. */
export function isMoyoLoaded(): boolean {
  return moyo.loaded;
}

/**
 * moyo's symmetry dataset of a crystal (space group, operations in the crystal's own cell, orbits). Needs
 * {@link loadMoyo} first.
 *
 * @example
 * await loadMoyo();
 * analyzeSymmetry(crystal, 1e-4).number; // e.g. 221
 */
export function analyzeSymmetry(
  crystal: { lattice: ArrayLike<number>; fracCoords: ArrayLike<number>; atomicNumbers: ArrayLike<number> },
  symprec = 1e-4,
  fn = 'analyzeSymmetry',
): MoyoDataset {
  if (!moyo.loaded) {
    throw new InvalidArgumentError(fn, 'symmetrize', 'needs moyo: call `await loadMoyo()` from @crys/io first');
  }
  const n = crystal.atomicNumbers.length;
  const positions: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    positions.push([crystal.fracCoords[3 * i], crystal.fracCoords[3 * i + 1], crystal.fracCoords[3 * i + 2]]);
  }
  const cell = {
    lattice: { basis: Array.from(crystal.lattice) },
    positions,
    numbers: Array.from(crystal.atomicNumbers),
  };
  return analyze_cell(JSON.stringify(cell), symprec, 'Standard');
}
