import { create, invert, type Mat3Like } from '@crys/lattice';

/** L⁻¹ of a lattice already checked to be non-degenerate (identity if it is singular after all). */
export function inverse(lattice: Mat3Like): Float64Array {
  const out = create();
  return invert(out, lattice) ?? Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
}
