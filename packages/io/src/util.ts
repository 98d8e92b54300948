import { assertLattice, create, InvalidArgumentError, invert, type Mat3Like } from '@crys/lattice';

/** L⁻¹ of a lattice already checked to be non-degenerate (identity if it is singular after all). */
export function inverse(lattice: Mat3Like): Float64Array {
  const out = create();
  return invert(out, lattice) ?? Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
}

/**
 * The largest |fractional coordinate| a reader accepts: a site more than a million cells from the origin is a
 * typo or an overflow, and wrapping it into [0, 1) would keep nothing of what was written (at 1e16 every
 * double is a whole number, so `1e308` wraps to 0).
 */
export const MAX_FRAC_COORD = 1e6;

/**
 * The longest lattice vector a reader accepts (Å): far beyond any cell, and short enough that every position
 * within ±{@link MAX_FRAC_COORD} cells is a finite number (a vector of 1e308 Å with a finite volume would give
 * infinite Cartesian positions).
 */
export const MAX_CELL_LENGTH = 1e100;

/** Why `lattice` has a (finite) vector longer than {@link MAX_CELL_LENGTH}, or undefined. */
export function longLatticeVector(lattice: Mat3Like): string | undefined {
  for (let r = 0; r < 3; r++) {
    const length = Math.hypot(lattice[3 * r], lattice[3 * r + 1], lattice[3 * r + 2]);
    if (Number.isFinite(length) && length > MAX_CELL_LENGTH) {
      return `lattice vectors at most ${MAX_CELL_LENGTH} Å long, got vector ${'abc'[r]} of ${length.toPrecision(4)} Å`;
    }
  }
  return undefined;
}

/**
 * Why `lattice` is not a cell `createCrystal` accepts (non-finite entries, a zero, flat or infinite volume) or
 * has a vector longer than {@link MAX_CELL_LENGTH}, or undefined when it is fine. Readers turn the reason into a
 * `ParseError` at the line that gave the cell.
 */
export function latticeProblem(lattice: Mat3Like): string | undefined {
  try {
    assertLattice('read', lattice);
    return longLatticeVector(lattice);
  } catch (e) {
    if (!(e instanceof InvalidArgumentError)) throw e;
    const len = (r: number): string =>
      Math.hypot(lattice[3 * r], lattice[3 * r + 1], lattice[3 * r + 2]).toPrecision(4);
    const l = lattice;
    const det =
      l[0] * (l[4] * l[8] - l[5] * l[7]) - l[1] * (l[3] * l[8] - l[5] * l[6]) + l[2] * (l[3] * l[7] - l[4] * l[6]);
    return `a cell with a finite, non-zero volume, got vectors of length ${len(0)}, ${len(1)}, ${len(2)} Å spanning ${det.toPrecision(4)} Å³ (flat, infinite or not finite)`;
  }
}

/**
 * Why a fractional coordinate cannot be kept (not finite, or beyond ±{@link MAX_FRAC_COORD}), or undefined.
 * `what` names the value in the message, e.g. `'fractional x'`.
 */
export function fracProblem(v: number, what: string): string | undefined {
  if (!Number.isFinite(v)) return `a finite ${what}, got ${v}`;
  if (Math.abs(v) > MAX_FRAC_COORD) {
    return `a ${what} within ±${MAX_FRAC_COORD} cells, got ${v} (the cell is too small for the position, or the number overflows)`;
  }
  return undefined;
}

/** Why the fractional coordinates (x, y, z) of one site cannot be kept, or undefined. */
export function coordinatesProblem(x: number, y: number, z: number): string | undefined {
  return fracProblem(x, 'fractional x') ?? fracProblem(y, 'fractional y') ?? fracProblem(z, 'fractional z');
}
