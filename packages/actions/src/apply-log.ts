/**
 * Applying actions in the form an iterative sampler produces them: per-atom displacements already in
 * fractional units and a per-crystal log-deformation A (a general 3×3 whose symmetric part is used), each
 * scaled by a step fraction: x' = x + s_x·δ and L' = L·exp(s_L·(A + Aᵀ)/2). With δ = d·L⁻¹ for a Cartesian d and
 * g = exp(s_L·(A + Aᵀ)/2), this is the action of `applyActionsFromArrays`; the lattice update is the same kernel
 * ({@link deformLatticeInto}), so both round alike.
 */
import { assertFiniteArray, expSymmetric, InvalidArgumentError, wrapFrac } from '@crys/lattice';
import { type AppliedBatch, assertBatch, deformLatticeInto } from './apply.js';

const scratchA = new Float64Array(9);
const scratchExp = new Float64Array(9);

/**
 * Kernel: x' = x + scale·δ for the fractional displacements δ read from `displacements` at `offset` (one per
 * entry of `frac`). `out` may alias `frac`. No checks.
 *
 * @example
 * displaceFracInto(frac, frac, predicted, 0.1, 3 * firstAtom); // moves the atoms by a tenth of the prediction
 */
export function displaceFracInto(
  out: Float64Array,
  frac: ArrayLike<number>,
  displacements: ArrayLike<number>,
  scale: number,
  offset = 0,
): void {
  for (let i = 0; i < frac.length; i++) out[i] = frac[i] + scale * displacements[offset + i];
}

/**
 * Kernel: L' = L·exp(scale·(A + Aᵀ)/2) for the 3×3 log-deformation A read from `logDeformations` at `offset`,
 * written to `out` (which may alias `lattice`). Returns the Frobenius norm of the applied log-deformation
 * scale·(A + Aᵀ)/2 (the step's strain; det of the deformation is e^{scale·tr A}, so the cell never collapses).
 * No checks.
 *
 * @example
 * expDeformLatticeInto(out, [4, 0, 0, 0, 4, 0, 0, 0, 4], [Math.log(1.1), 0, 0, 0, 0, 0, 0, 0, 0], 1); // a = 4.4 Å
 */
export function expDeformLatticeInto(
  out: Float64Array,
  lattice: ArrayLike<number>,
  logDeformations: ArrayLike<number>,
  scale: number,
  offset = 0,
): number {
  const a = scratchA;
  let norm2 = 0;
  for (let q = 0; q < 9; q++) {
    a[q] = scale * 0.5 * (logDeformations[offset + q] + logDeformations[offset + 3 * (q % 3) + Math.floor(q / 3)]);
    norm2 += a[q] * a[q];
  }
  expSymmetric(scratchExp, a);
  deformLatticeInto(out, 0, lattice, 0, scratchExp);
  return Math.sqrt(norm2);
}

/** Options of {@link applyLogActionsFromArrays}. */
export interface LogActionOptions {
  /** s_x, the fraction of the displacements applied (default 1). */
  readonly displacementScale?: number;
  /** s_L, the fraction of the log-deformations applied (default 1). */
  readonly deformationScale?: number;
  /** Wrap the new fractional coordinates into [0, 1). Default true. */
  readonly wrap?: boolean;
}

/**
 * Applies fractional displacements and log-deformations to a batch on plain arrays: x' = x + s_x·δ for every
 * atom and L_b' = L_b·exp(s_L·(A_b + A_bᵀ)/2) for every crystal, coordinates wrapped into [0, 1) unless
 * `wrap: false`. The fractional form needs no crystal index: δ is already in the units of each atom's cell.
 *
 * @param lattices 9·B row-major lattices.
 * @param frac 3·N fractional coordinates.
 * @param logDeformations 9·B log-deformations A (their symmetric part is applied).
 * @param fracDisplacements 3·N fractional displacements δ.
 *
 * @example
 * const { lattices, frac } = applyLogActionsFromArrays([4, 0, 0, 0, 4, 0, 0, 0, 4], [0.5, 0, 0],
 *   [Math.log(1.1), 0, 0, 0, 0, 0, 0, 0, 0], [0.25, 0, 0], { wrap: false }); // a = 4.4 Å, x = [0.75, 0, 0]
 */
export function applyLogActionsFromArrays(
  lattices: ArrayLike<number>,
  frac: ArrayLike<number>,
  logDeformations: ArrayLike<number>,
  fracDisplacements: ArrayLike<number>,
  options: LogActionOptions = {},
): AppliedBatch {
  const fn = 'applyLogActionsFromArrays';
  const { numCrystals } = assertBatch(fn, lattices, frac);
  assertFiniteArray(fn, 'logDeformations', logDeformations, 9 * numCrystals, '9·B');
  assertFiniteArray(fn, 'fracDisplacements', fracDisplacements, frac.length, '3·N');
  const displacementScale = options.displacementScale ?? 1;
  const deformationScale = options.deformationScale ?? 1;
  for (const [name, v] of [
    ['options.displacementScale', displacementScale],
    ['options.deformationScale', deformationScale],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(fn, name, `must be a finite number, got ${String(v)}`, v);
    }
  }
  const out = { lattices: new Float64Array(9 * numCrystals), frac: new Float64Array(frac.length) };
  displaceFracInto(out.frac, frac, fracDisplacements, displacementScale);
  if (options.wrap ?? true) wrapFrac(out.frac, out.frac);
  const lattice = new Float64Array(9);
  for (let b = 0; b < numCrystals; b++) {
    expDeformLatticeInto(
      lattice,
      Array.prototype.slice.call(lattices, 9 * b, 9 * b + 9),
      logDeformations,
      deformationScale,
      9 * b,
    );
    out.lattices.set(lattice, 9 * b);
  }
  return out;
}
