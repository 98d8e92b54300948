import { createCrystal, type Crystal, InvalidArgumentError, latticeFromParameters } from '@crys/lattice';
import { assertPositive, wasmBindgenLoader } from '@crys/lattice/internal';
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
  /** Atoms in moyo's primitive standardised cell: the input's atoms over this is how many lattice translations the
   * symmetry adds to the input cell's own (1 for a primitive input). */
  readonly primitiveAtoms: number;
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
    return {
      number: d.number,
      symbol: d.hm_symbol,
      hallNumber: d.hall_number,
      numOperations: d.operations.length,
      primitiveAtoms: d.prim_std_cell.numbers.length,
    };
  } catch (e) {
    throw new SymmetryError(fn, `moyo failed with symprec ${symprec}: ${String(e)}`, e);
  }
}

/** Options of {@link symmetrize}. */
export interface SymmetrizeOptions {
  /** Distance tolerance (Å) of the symmetry search. Default 0.1. */
  readonly symprec?: number;
  /** Which of moyo's standardised cells to return: `'primitive'` (default) or `'conventional'`. */
  readonly cell?: 'primitive' | 'conventional';
}

/** `options.cell` of {@link symmetrize} and `standardCell`, checked (`fallback` when absent). @internal */
export function cellOption(
  fn: string,
  cell: string | undefined,
  fallback: 'primitive' | 'conventional',
): 'primitive' | 'conventional' {
  const which = cell ?? fallback;
  if (which !== 'primitive' && which !== 'conventional') {
    throw new InvalidArgumentError(
      fn,
      'options.cell',
      `must be 'primitive' or 'conventional', got ${String(which)}`,
      which,
    );
  }
  return which;
}

/**
 * The crystal idealised onto the space group moyo finds at `symprec`: moyo's standardised primitive (default) or
 * conventional cell, its atoms exactly on their Wyckoff positions and its metric averaged over the group's rotations
 * (so it has the exact metric of its crystal system; the volume changes only by the distortion removed). The cell is
 * moyo's (setting and origin) in the orientation of {@link latticeFromParameters}, so compare the result with a
 * structure matcher, not coordinate by coordinate. Throws SymmetryError when moyo fails.
 *
 * @example
 * const ideal = await symmetrize(predicted, { symprec: 0.1 }); // e.g. a 5-atom Pm-3m perovskite
 */
export async function symmetrize(crystal: Crystal, options: SymmetrizeOptions = {}): Promise<Crystal> {
  const fn = 'symmetrize';
  assertCrystal(fn, 'crystal', crystal);
  const symprec = options.symprec ?? 0.1;
  assertPositive(fn, 'options.symprec', symprec);
  const which = cellOption(fn, options.cell, 'primitive');
  await initSpaceGroup();
  const n = crystal.atomicNumbers.length;
  const positions: number[][] = [];
  for (let i = 0; i < n; i++)
    positions.push([crystal.fracCoords[3 * i], crystal.fracCoords[3 * i + 1], crystal.fracCoords[3 * i + 2]]);
  const json = JSON.stringify({
    lattice: { basis: Array.from(crystal.lattice) },
    positions,
    numbers: Array.from(crystal.atomicNumbers),
  });
  let std: { lattice: { basis: number[] }; positions: number[][]; numbers: number[] };
  let rotations: number[][];
  try {
    const d = analyze_cell(json, symprec, 'Standard');
    std = (which === 'primitive' ? d.prim_std_cell : d.std_cell) as unknown as typeof std;
    // moyo idealises the positions of its standardised cell but not its lattice: the operations of that cell (moyo's
    // lattice basis holds our rows as its columns; a rotation, flattened column by column, acts on fractional
    // columns x ↦ R·x and keeps the metric, Rᵀ·G·R = G) give the average metric that has the group's symmetry.
    rotations = analyze_cell(JSON.stringify(std), symprec, 'Standard').operations.map((op) => Array.from(op.rotation));
  } catch (e) {
    throw new SymmetryError(fn, `moyo failed with symprec ${symprec}: ${String(e)}`, e);
  }
  const l = std.lattice.basis;
  const g = new Float64Array(9);
  for (const r of rotations) {
    // R(i, j) = r[3j + i]; (Rᵀ·G·R)(i, j) = Σ R(p, i)·G(p, q)·R(q, j)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let sum = 0;
        for (let p = 0; p < 3; p++)
          for (let q = 0; q < 3; q++) {
            const gpq = l[3 * p] * l[3 * q] + l[3 * p + 1] * l[3 * q + 1] + l[3 * p + 2] * l[3 * q + 2];
            sum += r[3 * i + p] * gpq * r[3 * j + q];
          }
        g[3 * i + j] += sum / rotations.length;
      }
  }
  const a = Math.sqrt(g[0]),
    b = Math.sqrt(g[4]),
    c = Math.sqrt(g[8]);
  const deg = (x: number) => (Math.acos(Math.max(-1, Math.min(1, x))) * 180) / Math.PI;
  const lattice = latticeFromParameters(a, b, c, deg(g[5] / (b * c)), deg(g[2] / (a * c)), deg(g[1] / (a * b)));
  const frac = new Float64Array(3 * std.numbers.length);
  std.positions.forEach((p, i) => {
    for (let q = 0; q < 3; q++) frac[3 * i + q] = p[q] - Math.floor(p[q]);
  });
  return createCrystal({ lattice, fracCoords: frac, atomicNumbers: std.numbers }, fn);
}
