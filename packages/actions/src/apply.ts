/**
 * Applying actions. Frames, precisely (rows are vectors, cart = frac·L):
 *  - the deformation g is Cartesian and acts on row vectors: L' = L·g. Then every Cartesian position and
 *    every edge vector r = (Δfrac + image)·L becomes (Δfrac + image)·L·g = r·g, with fractional coordinates
 *    unchanged: the atoms ride along with the cell;
 *  - the atom action d_i is a Cartesian displacement measured in the CURRENT cell L (the one whose edges
 *    produced it), so x_i' = x_i + d_i·L⁻¹ (then wrapped into [0, 1) unless `wrap: false`).
 * Together: cart_i' = (cart_i + d_i)·g, i.e. atoms move inside the cell, then the cell deforms.
 */
import * as tf from '@tensorflow/tfjs';
import {
  assertFiniteArray,
  assertLattice,
  create,
  type Crystal,
  determinant,
  InvalidArgumentError,
  invert,
  type Mat3,
  type Mat3Like,
  multiply,
  transformRow,
  wrapFrac,
} from '@crys/lattice';
import { assertCount } from '@crys/lattice/internal';
import { assertBatchMat3 } from './deformation.js';
import { assertIndexLike } from './lattice-action.js';
import { type IndexLike, indexArray } from './segments.js';
import { assertIndex } from './validate.js';

/** One crystal's action: a deformation and per-atom Cartesian displacements. */
export interface CrystalAction {
  /** 3×3 Cartesian deformation acting on rows (L' = L·g). Symmetric when it comes from `edgeActions`;
   * any matrix with det > 0 is accepted (a composition of symmetric steps is not symmetric). */
  readonly deformation: Mat3;
  /** 3·n Cartesian displacements (Å), measured in the crystal's current cell. */
  readonly atomActionsCart: Float64Array;
}

/** Options of the apply functions. */
export interface ApplyOptions {
  /** Wrap the new fractional coordinates into [0, 1). Default true. */
  readonly wrap?: boolean;
}

/** Lattices and fractional coordinates of a batch after an action (plain arrays). */
export interface AppliedBatch {
  /** 9·B, the new lattices L·g. */
  readonly lattices: Float64Array;
  /** 3·N, the new fractional coordinates. */
  readonly frac: Float64Array;
}

function assertDeformation(fn: string, name: string, g: Mat3Like, offset = 0): void {
  const det = determinant(offset === 0 ? g : Array.prototype.slice.call(g, offset, offset + 9));
  if (!(det > 0)) {
    throw new InvalidArgumentError(
      fn,
      name,
      `must have a positive determinant (a deformation cannot collapse or invert the cell), got det ${det.toPrecision(4)}${offset ? ` for crystal ${offset / 9}` : ''}`,
      g,
    );
  }
}

const scratchInv = new Float64Array(9);
const scratchRow = new Float64Array(3);
const scratchL = new Float64Array(9);
const scratchG = new Float64Array(9);

/**
 * Kernel: applies the actions of a batch. `outLattices` may alias `lattices`, `outFrac` may alias `frac`.
 * Returns false (outputs untouched) if some lattice is singular. No checks; allocates one 9·B scratch for the
 * inverse lattices.
 */
export function applyActionsInto(
  outLattices: Float64Array,
  outFrac: Float64Array,
  lattices: ArrayLike<number>,
  frac: ArrayLike<number>,
  crystalIndex: Int32Array,
  deformations: ArrayLike<number>,
  atomActionsCart: ArrayLike<number>,
  wrap: boolean,
): boolean {
  const numCrystals = Math.floor(lattices.length / 9);
  const inverses = new Float64Array(9 * numCrystals);
  for (let b = 0; b < numCrystals; b++) {
    for (let i = 0; i < 9; i++) scratchL[i] = lattices[9 * b + i];
    if (!invert(scratchInv, scratchL)) return false;
    inverses.set(scratchInv, 9 * b);
  }
  for (let i = 0; i < crystalIndex.length; i++) {
    const o = 9 * crystalIndex[i];
    const dx = atomActionsCart[3 * i],
      dy = atomActionsCart[3 * i + 1],
      dz = atomActionsCart[3 * i + 2];
    outFrac[3 * i] = frac[3 * i] + dx * inverses[o] + dy * inverses[o + 3] + dz * inverses[o + 6];
    outFrac[3 * i + 1] = frac[3 * i + 1] + dx * inverses[o + 1] + dy * inverses[o + 4] + dz * inverses[o + 7];
    outFrac[3 * i + 2] = frac[3 * i + 2] + dx * inverses[o + 2] + dy * inverses[o + 5] + dz * inverses[o + 8];
  }
  if (wrap) wrapFrac(outFrac, outFrac);
  for (let b = 0; b < numCrystals; b++) {
    for (let i = 0; i < 9; i++) scratchG[i] = deformations[9 * b + i];
    deformLatticeInto(outLattices, 9 * b, lattices, 9 * b, scratchG);
  }
  return true;
}

/**
 * Kernel: the 3×3 lattice at `offset` of `lattices` deformed, L·g, written at `outOffset` of `out` (which may
 * alias `lattices`). The one lattice update of every apply function, so they all round alike. No checks.
 *
 * @example
 * deformLatticeInto(out, 0, [4, 0, 0, 0, 4, 0, 0, 0, 4], 0, [1.1, 0, 0, 0, 1, 0, 0, 0, 1]); // a = 4.4 Å
 */
export function deformLatticeInto(
  out: Float64Array,
  outOffset: number,
  lattices: ArrayLike<number>,
  offset: number,
  g: Mat3Like,
): void {
  for (let i = 0; i < 9; i++) scratchL[i] = lattices[offset + i];
  multiply(scratchL, scratchL, g);
  out.set(scratchL, outOffset);
}

/**
 * Checks a batch's lattices (9·B finite numbers, each 3×3 non-degenerate: `lattices[b]` named) and
 * fractional coordinates (3·N finite numbers) for `fn`, and returns B and N.
 */
export function assertBatch(
  fn: string,
  lattices: ArrayLike<number>,
  frac: ArrayLike<number>,
): { numCrystals: number; numNodes: number } {
  assertFiniteArray(fn, 'lattices', lattices);
  if (lattices.length % 9 !== 0) {
    throw new InvalidArgumentError(fn, 'lattices', `must have length 9·B, got ${lattices.length}`, lattices);
  }
  const numCrystals = lattices.length / 9;
  for (let b = 0; b < numCrystals; b++) {
    assertLattice(fn, Array.prototype.slice.call(lattices, 9 * b, 9 * b + 9), `lattices[${b}]`);
  }
  assertFiniteArray(fn, 'frac', frac);
  if (frac.length % 3 !== 0)
    throw new InvalidArgumentError(fn, 'frac', `must have length 3·N, got ${frac.length}`, frac);
  return { numCrystals, numNodes: frac.length / 3 };
}

/**
 * Applies per-crystal deformations and per-atom displacements to a batch on plain arrays: L_b' = L_b·g_b and
 * x_i' = x_i + d_i·L_b⁻¹ (b the crystal of atom i), wrapped into [0, 1) unless `wrap: false`.
 *
 * @param lattices 9·B row-major lattices.
 * @param frac 3·N fractional coordinates.
 * @param crystalIndex N crystal of each atom.
 * @param deformations 9·B deformations g (det > 0).
 * @param atomActionsCart 3·N Cartesian displacements (Å).
 *
 * @example
 * const { lattices, frac } = applyActionsFromArrays([4, 0, 0, 0, 4, 0, 0, 0, 4], [0, 0, 0],
 *   Int32Array.of(0), [1.1, 0, 0, 0, 1, 0, 0, 0, 1], [1, 0, 0]); // a = 4.4 Å, x = [0.25, 0, 0]
 */
export function applyActionsFromArrays(
  lattices: ArrayLike<number>,
  frac: ArrayLike<number>,
  crystalIndex: Int32Array,
  deformations: ArrayLike<number>,
  atomActionsCart: ArrayLike<number>,
  options: ApplyOptions = {},
): AppliedBatch {
  const fn = 'applyActionsFromArrays';
  const { numCrystals, numNodes } = assertBatch(fn, lattices, frac);
  assertCount(fn, 'numCrystals', numCrystals);
  assertIndex(fn, 'crystalIndex', crystalIndex, numNodes, numCrystals, 'B');
  assertFiniteArray(fn, 'deformations', deformations, 9 * numCrystals, '9·B');
  for (let b = 0; b < numCrystals; b++) assertDeformation(fn, 'deformations', deformations, 9 * b);
  assertFiniteArray(fn, 'atomActionsCart', atomActionsCart, 3 * numNodes, '3·N');
  const out = { lattices: new Float64Array(9 * numCrystals), frac: new Float64Array(3 * numNodes) };
  applyActionsInto(
    out.lattices,
    out.frac,
    lattices,
    frac,
    crystalIndex,
    deformations,
    atomActionsCart,
    options.wrap ?? true,
  );
  return out;
}

/**
 * A new crystal after one action: lattice L·g, fractional coordinates x + d·L⁻¹ (wrapped unless
 * `wrap: false`); species, occupancies and labels are kept. Every Cartesian edge vector r of the old crystal
 * becomes (r + d_dst − d_src)·g.
 *
 * @example
 * const next = applyActionsToCrystal(crystal, { deformation: g, atomActionsCart: d });
 */
export function applyActionsToCrystal(crystal: Crystal, action: CrystalAction, options: ApplyOptions = {}): Crystal {
  const fn = 'applyActionsToCrystal';
  assertLattice(fn, crystal.lattice, 'crystal.lattice');
  const n = crystal.atomicNumbers.length;
  assertFiniteArray(fn, 'crystal.fracCoords', crystal.fracCoords, 3 * n, '3·n');
  assertFiniteArray(fn, 'action.deformation', action.deformation, 9);
  assertDeformation(fn, 'action.deformation', action.deformation);
  assertFiniteArray(fn, 'action.atomActionsCart', action.atomActionsCart, 3 * n, '3·n');
  const lattice = create();
  const fracCoords = new Float64Array(3 * n);
  applyActionsInto(
    lattice,
    fracCoords,
    crystal.lattice,
    crystal.fracCoords,
    new Int32Array(n),
    action.deformation,
    action.atomActionsCart,
    options.wrap ?? true,
  );
  return { ...crystal, lattice, fracCoords };
}

/**
 * The single action equal to `first` followed by `second`: deformation g₁·g₂ (so the lattice becomes
 * L·g₁·g₂) and displacements d₁ + d₂·g₁⁻¹ (d₂ was measured in the deformed cell L·g₁; pulled back into L's
 * Cartesian frame it is d₂·g₁⁻¹). Applying the result equals applying the two in turn, up to wrapping. The
 * composite deformation is in general NOT symmetric (a product of symmetric matrices); take
 * `deformationPartMat3` of it if only the shape change matters.
 *
 * @example
 * const both = composeActions(step1, step2); // applyActionsToCrystal(c, both) ≈ apply(apply(c, step1), step2)
 */
export function composeActions(first: CrystalAction, second: CrystalAction): CrystalAction {
  const fn = 'composeActions';
  assertFiniteArray(fn, 'first.deformation', first.deformation, 9);
  assertFiniteArray(fn, 'second.deformation', second.deformation, 9);
  assertDeformation(fn, 'first.deformation', first.deformation);
  assertDeformation(fn, 'second.deformation', second.deformation);
  const n3 = first.atomActionsCart.length;
  assertFiniteArray(fn, 'first.atomActionsCart', first.atomActionsCart, n3, '3·n');
  assertFiniteArray(fn, 'second.atomActionsCart', second.atomActionsCart, n3, '3·n (as first.atomActionsCart)');
  const inv = invert(create(), first.deformation) as Mat3; // det > 0 checked above
  const atomActionsCart = new Float64Array(n3);
  for (let i = 0; i < n3; i += 3) {
    transformRow(scratchRow, second.atomActionsCart.subarray(i, i + 3), inv);
    atomActionsCart[i] = first.atomActionsCart[i] + scratchRow[0];
    atomActionsCart[i + 1] = first.atomActionsCart[i + 1] + scratchRow[1];
    atomActionsCart[i + 2] = first.atomActionsCart[i + 2] + scratchRow[2];
  }
  return { deformation: multiply(create(), first.deformation, second.deformation), atomActionsCart };
}

/**
 * L⁻¹ for each matrix of a [B, 3, 3] tensor, by cofactors (elementwise ops only, so differentiable
 * everywhere the lattice is non-singular and cheap for 3×3).
 *
 * @example
 * const inv = invertLattices(tf.tensor3d([[[2, 0, 0], [0, 4, 0], [0, 0, 5]]])); // diag(0.5, 0.25, 0.2)
 */
export function invertLattices(lattices: tf.Tensor3D): tf.Tensor3D {
  assertBatchMat3('invertLattices', 'lattices', lattices);
  const batch = lattices.shape[0];
  return tf.tidy(() => {
    const [a00, a01, a02, a10, a11, a12, a20, a21, a22] = tf.split(tf.reshape(lattices, [batch, 9]), 9, 1);
    const m = (x: tf.Tensor, y: tf.Tensor) => tf.mul(x, y);
    const c00 = tf.sub(m(a11, a22), m(a12, a21));
    const c01 = tf.sub(m(a12, a20), m(a10, a22));
    const c02 = tf.sub(m(a10, a21), m(a11, a20));
    const det = tf.add(tf.add(m(a00, c00), m(a01, c01)), m(a02, c02));
    const adj = tf.concat(
      [
        c00,
        tf.sub(m(a02, a21), m(a01, a22)),
        tf.sub(m(a01, a12), m(a02, a11)),
        c01,
        tf.sub(m(a00, a22), m(a02, a20)),
        tf.sub(m(a02, a10), m(a00, a12)),
        c02,
        tf.sub(m(a01, a20), m(a00, a21)),
        tf.sub(m(a00, a11), m(a01, a10)),
      ],
      1,
    );
    return tf.reshape(tf.div(adj, det), [batch, 3, 3]) as tf.Tensor3D;
  });
}

/** New lattices and fractional coordinates of a batch (tensors; the caller disposes both). */
export interface AppliedBatchTensors {
  /** [B, 3, 3]: L·g. */
  readonly lattices: tf.Tensor3D;
  /** [N, 3]: x + d·L⁻¹, wrapped into [0, 1) unless `wrap: false` (the wrap has gradient 1). */
  readonly frac: tf.Tensor2D;
}

/**
 * Applies a batch of actions as differentiable tensor ops: lattices [B, 3, 3] → L·g, fractional coordinates
 * [N, 3] → x + d·L⁻¹ with L the lattice of each atom's crystal (`crystalIndex`, int32 [N]), wrapped into
 * [0, 1) (x − ⌊x⌋, whose gradient is the identity) unless `wrap: false`. Gradients flow into the lattices,
 * the coordinates, g and the displacements.
 *
 * @example
 * const next = applyActions(lattices, frac, crystalIndex, latticeAction, atomActionsCart);
 */
export function applyActions(
  lattices: tf.Tensor3D,
  frac: tf.Tensor2D,
  crystalIndex: IndexLike,
  deformations: tf.Tensor3D,
  atomActionsCart: tf.Tensor2D,
  options: ApplyOptions = {},
): AppliedBatchTensors {
  const fn = 'applyActions';
  assertBatchMat3(fn, 'lattices', lattices);
  assertBatchMat3(fn, 'deformations', deformations);
  const batch = lattices.shape[0];
  if (deformations.shape[0] !== batch) {
    throw new InvalidArgumentError(
      fn,
      'deformations',
      `must have shape [B, 3, 3] = [${batch}, 3, 3] like lattices, got [${deformations.shape.join(', ')}]`,
    );
  }
  if (!(frac instanceof tf.Tensor) || frac.rank !== 2 || frac.shape[1] !== 3) {
    const got = frac instanceof tf.Tensor ? `[${frac.shape.join(', ')}]` : String(frac);
    throw new InvalidArgumentError(fn, 'frac', `must be a tensor of shape [N, 3], got ${got}`, frac);
  }
  const numNodes = frac.shape[0];
  if (
    !(atomActionsCart instanceof tf.Tensor) ||
    atomActionsCart.rank !== 2 ||
    atomActionsCart.shape[0] !== numNodes ||
    atomActionsCart.shape[1] !== 3
  ) {
    const got =
      atomActionsCart instanceof tf.Tensor ? `[${atomActionsCart.shape.join(', ')}]` : String(atomActionsCart);
    throw new InvalidArgumentError(
      fn,
      'atomActionsCart',
      `must be a tensor of shape [N, 3] = [${numNodes}, 3], got ${got}`,
    );
  }
  assertIndexLike(fn, 'crystalIndex', crystalIndex, numNodes);
  const index = indexArray(crystalIndex);
  assertIndex(fn, 'crystalIndex', index, numNodes, batch, 'B');
  return tf.tidy(() => {
    const delta = fracDisplacementKernel(lattices, atomActionsCart, index);
    let next = tf.add(frac, delta);
    if (options.wrap ?? true) {
      next = tf.sub(next, tf.floor(next));
      // In float32, −1e-9 − ⌊−1e-9⌋ rounds to exactly 1; a second pass folds it to 0, so all lie in [0, 1).
      next = tf.sub(next, tf.floor(next));
    }
    return { lattices: tf.matMul(lattices, deformations) as tf.Tensor3D, frac: next as tf.Tensor2D };
  });
}

// The kernel (see operators.ts for why the tensor face runs plain loops).

/**
 * Fractional displacements δ_i = d_i·L_b⁻¹ [N, 3] (b = crystal of atom i) from lattices [B, 3, 3] and Cartesian
 * displacements d [N, 3]. Differentiable in both: with M = L⁻¹ and upstream G_i,
 * ∂/∂d_i = G_i·Mᵀ and ∂/∂L_b = −Σ_{i ∈ b} δ_iᵀ·(G_i·Mᵀ) (from dM = −M·dL·M).
 */
export function fracDisplacementKernel(
  lattices: tf.Tensor,
  displacements: tf.Tensor,
  crystal: Int32Array,
): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const l = (args[0] as tf.Tensor).dataSync();
    const d = (args[1] as tf.Tensor).dataSync();
    const numCrystals = l.length / 9,
      numNodes = crystal.length;
    const m = new Float64Array(9 * numCrystals);
    for (let b = 0; b < numCrystals; b++) {
      const o = 9 * b;
      const a00 = l[o],
        a01 = l[o + 1],
        a02 = l[o + 2],
        a10 = l[o + 3],
        a11 = l[o + 4],
        a12 = l[o + 5];
      const a20 = l[o + 6],
        a21 = l[o + 7],
        a22 = l[o + 8];
      const c00 = a11 * a22 - a12 * a21,
        c01 = a12 * a20 - a10 * a22,
        c02 = a10 * a21 - a11 * a20;
      const det = a00 * c00 + a01 * c01 + a02 * c02;
      const id = 1 / det; // a singular lattice gives ±Infinity/NaN here, as tf.div would
      m[o] = c00 * id;
      m[o + 1] = (a02 * a21 - a01 * a22) * id;
      m[o + 2] = (a01 * a12 - a02 * a11) * id;
      m[o + 3] = c01 * id;
      m[o + 4] = (a00 * a22 - a02 * a20) * id;
      m[o + 5] = (a02 * a10 - a00 * a12) * id;
      m[o + 6] = c02 * id;
      m[o + 7] = (a01 * a20 - a00 * a21) * id;
      m[o + 8] = (a00 * a11 - a01 * a10) * id;
    }
    const delta = new Float64Array(3 * numNodes);
    for (let i = 0; i < numNodes; i++) {
      const o = 9 * crystal[i];
      const x = d[3 * i],
        y = d[3 * i + 1],
        z = d[3 * i + 2];
      delta[3 * i] = x * m[o] + y * m[o + 3] + z * m[o + 6];
      delta[3 * i + 1] = x * m[o + 1] + y * m[o + 4] + z * m[o + 7];
      delta[3 * i + 2] = x * m[o + 2] + y * m[o + 5] + z * m[o + 8];
    }
    return {
      value: tf.tensor2d(Float32Array.from(delta), [numNodes, 3]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const dd = new Float32Array(3 * numNodes);
        const dl = new Float64Array(9 * numCrystals);
        for (let i = 0; i < numNodes; i++) {
          const o = 9 * crystal[i];
          const gx = g[3 * i],
            gy = g[3 * i + 1],
            gz = g[3 * i + 2];
          // u = G_i·Mᵀ (row vector)
          const u0 = gx * m[o] + gy * m[o + 1] + gz * m[o + 2];
          const u1 = gx * m[o + 3] + gy * m[o + 4] + gz * m[o + 5];
          const u2 = gx * m[o + 6] + gy * m[o + 7] + gz * m[o + 8];
          dd[3 * i] = u0;
          dd[3 * i + 1] = u1;
          dd[3 * i + 2] = u2;
          for (let p = 0; p < 3; p++) {
            const dp = delta[3 * i + p];
            dl[o + 3 * p] -= dp * u0;
            dl[o + 3 * p + 1] -= dp * u1;
            dl[o + 3 * p + 2] -= dp * u2;
          }
        }
        return [tf.tensor3d(Float32Array.from(dl), [numCrystals, 3, 3]), tf.tensor2d(dd, [numNodes, 3])];
      },
    };
  });
  return op(lattices, displacements) as tf.Tensor2D;
}
