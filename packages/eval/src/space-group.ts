import { type Crystal, assertPositive } from '@crys/lattice';
import { wasmBindgenLoader } from '@crys/lattice/internal';
import { analyze_cell, type InitInput, default as initWasm } from '@spglib/moyo-wasm';
import { SymmetryError } from './errors.js';
import { type Cell, niggliCell, primitiveCell } from './pmg-structure.js';
import { assertCrystal } from './validate.js';

/** Options of {@link spaceGroup}. */
export interface SpaceGroupOptions {
  /** Distance tolerance (Å) of the symmetry search (moyo / spglib `symprec`). Default 0.1. */
  readonly symprec?: number;
  /**
   * Reduce to a primitive cell (pymatgen's `get_primitive_structure` with tolerance `symprec`) before calling
   * moyo: large noisy supercells are much slower to analyse. Default true.
   */
  readonly primitive?: boolean;
}

/** Space group of a crystal, from moyo's dataset. */
export interface SpaceGroupInfo {
  /** International Tables number 1–230. */
  readonly number: number;
  /** Hermann–Mauguin symbol, e.g. `'P m -3 m'`. */
  readonly symbol: string;
  /** Hall number 1–530 of the setting moyo chose. */
  readonly hallNumber: number;
  /** Number of symmetry operations found in the analysed cell. */
  readonly numOperations: number;
}

const moyo = wasmBindgenLoader<InitInput>(initWasm, '@spglib/moyo-wasm/moyo_wasm_bg.wasm', import.meta.url);

/**
 * Loads moyo's WebAssembly module once. In Node it reads the `.wasm` file next to `@spglib/moyo-wasm`; elsewhere
 * it uses moyo's own loader, or `source` (bytes, a URL or a Response) when given. {@link spaceGroup} calls it.
 *
 * @example
 * await initSpaceGroup(); // optional: spaceGroup() does it on first use
 */
export async function initSpaceGroup(source?: InitInput): Promise<void> {
  try {
    await moyo.load(source);
  } catch (e) {
    throw new SymmetryError('initSpaceGroup', `could not load moyo's WebAssembly module: ${String(e)}`, e);
  }
}

/**
 * The space group of a crystal, found by moyo (`@spglib/moyo-wasm`, a Rust port of spglib's algorithms) after an
 * optional primitive reduction. Throws InvalidArgumentError for bad input and SymmetryError when moyo fails.
 *
 * @example
 * const { number, symbol } = await spaceGroup(batio3, { symprec: 0.1 }); // 221, 'P m -3 m'
 */
export async function spaceGroup(crystal: Crystal, options: SpaceGroupOptions = {}): Promise<SpaceGroupInfo> {
  const fn = 'spaceGroup';
  assertCrystal(fn, 'crystal', crystal);
  const symprec = options.symprec ?? 0.1;
  assertPositive(fn, 'options.symprec', symprec);
  await initSpaceGroup();
  let cell: Cell = {
    lattice: Float64Array.from(crystal.lattice),
    frac: Float64Array.from(crystal.fracCoords),
    z: Uint8Array.from(crystal.atomicNumbers),
  };
  if (options.primitive ?? true) cell = primitiveCell(niggliCell(cell), symprec);
  const n = cell.z.length;
  const positions: number[][] = [];
  for (let i = 0; i < n; i++) positions.push([cell.frac[3 * i], cell.frac[3 * i + 1], cell.frac[3 * i + 2]]);
  const json = JSON.stringify({ lattice: { basis: Array.from(cell.lattice) }, positions, numbers: Array.from(cell.z) });
  try {
    const d = analyze_cell(json, symprec, 'Standard');
    return { number: d.number, symbol: d.hm_symbol, hallNumber: d.hall_number, numOperations: d.operations.length };
  } catch (e) {
    throw new SymmetryError(fn, `moyo failed with symprec ${symprec}: ${String(e)}`, e);
  }
}
