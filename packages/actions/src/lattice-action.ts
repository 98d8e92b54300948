/**
 * The per-crystal lattice action A = reduce_{e ∈ crystal} w_e·Op_e, a symmetric 3×3 in the Cartesian frame.
 *
 * Mean, not sum, by default: a 2×1×1 supercell has exactly twice the edges of its cell, each repeated, so
 * the mean over edges is identical for any supercell (and for any choice of unit cell) while the sum doubles.
 * A deformation that depends on how the crystal happens to be tiled would not be a physical prediction.
 */
import * as tf from '@tensorflow/tfjs';
import { assertFiniteArray, InvalidArgumentError } from '@crys/lattice';
import { assertCount } from '@crys/lattice/internal';
import {
  addOperatorGrad,
  assertEdgeOperator,
  assertEdgeVectors,
  type EdgeOperator,
  MIN_EDGE_LENGTH,
  operatorScale,
} from './operators.js';
import { countSegments, type IndexLike, indexArray } from './segments.js';
import { assertIndex, assertRows } from './validate.js';

/** How edge terms combine per crystal: `'mean'` over the crystal's edges (supercell-invariant) or `'sum'`. */
export type LatticeReduce = 'mean' | 'sum';

/** Options of {@link latticeAction} and {@link latticeActionFromArrays}. */
export interface LatticeActionOptions {
  /** Edge operator, default `'direction'` (ûûᵀ: A is dimensionless, like a strain). */
  readonly operator?: EdgeOperator;
  /** Default `'mean'`; `'sum'` is not invariant under supercells. A crystal without edges gets A = 0. */
  readonly reduce?: LatticeReduce;
}

/** Throws unless `reduce` is `'mean'` or `'sum'`. */
export function assertLatticeReduce(fn: string, reduce: unknown): asserts reduce is LatticeReduce {
  if (reduce !== 'mean' && reduce !== 'sum') {
    throw new InvalidArgumentError(fn, 'options.reduce', `must be 'mean' or 'sum', got ${String(reduce)}`, reduce);
  }
}

/**
 * Kernel: out (9·B) = reduce over edges of weights[stride·e + column]·Op(r_e), grouped by `edgeCrystal`.
 * No checks, no allocation beyond `counts` scratch when reducing by mean.
 */
export function latticeActionInto(
  out: Float64Array,
  edgeVectors: ArrayLike<number>,
  weights: ArrayLike<number>,
  edgeCrystal: Int32Array,
  kind: EdgeOperator,
  reduce: LatticeReduce,
  stride = 1,
  column = 0,
): Float64Array {
  out.fill(0);
  const numCrystals = out.length / 9;
  const counts = reduce === 'mean' ? new Float64Array(numCrystals) : null;
  const minSq = MIN_EDGE_LENGTH * MIN_EDGE_LENGTH;
  const lengthKind = kind === 'length';
  for (let e = 0; e < edgeCrystal.length; e++) {
    const b = edgeCrystal[e];
    if (counts) counts[b]++;
    const x = edgeVectors[3 * e],
      y = edgeVectors[3 * e + 1],
      z = edgeVectors[3 * e + 2];
    const d2 = x * x + y * y + z * z;
    if (!(d2 > minSq)) continue;
    const s = weights[stride * e + column] * (lengthKind ? 1 / Math.sqrt(d2) : 1 / d2);
    const o = 9 * b;
    const xy = x * y * s,
      xz = x * z * s,
      yz = y * z * s;
    out[o] += x * x * s;
    out[o + 1] += xy;
    out[o + 2] += xz;
    out[o + 3] += xy;
    out[o + 4] += y * y * s;
    out[o + 5] += yz;
    out[o + 6] += xz;
    out[o + 7] += yz;
    out[o + 8] += z * z * s;
  }
  if (counts) {
    for (let b = 0; b < numCrystals; b++) {
      const c = counts[b];
      if (c > 1) for (let i = 9 * b; i < 9 * b + 9; i++) out[i] /= c;
    }
  }
  return out;
}

/**
 * The symmetric lattice action of each crystal, A_b = mean (or sum) over the edges of crystal b of
 * w_e·Op(r_e), with Op = ûûᵀ (`'direction'`, default) or |r|·ûûᵀ (`'length'`). Cartesian frame: if every
 * edge vector rotates to r·Rᵀ, A becomes R·A·Rᵀ.
 *
 * @param edgeVectors 3·E Cartesian edge vectors r_e (Å).
 * @param weights E invariant per-edge weights.
 * @param edgeCrystal E crystal index of each edge.
 * @param numCrystals B.
 * @returns 9·B, row-major symmetric 3×3 per crystal.
 *
 * @example
 * const a = latticeActionFromArrays(Float64Array.of(2, 0, 0, 0, 3, 0), Float64Array.of(0.1, -0.1),
 *   Int32Array.of(0, 0), 1); // diag(0.05, −0.05, 0)
 */
export function latticeActionFromArrays(
  edgeVectors: ArrayLike<number>,
  weights: ArrayLike<number>,
  edgeCrystal: Int32Array,
  numCrystals: number,
  options: LatticeActionOptions = {},
): Float64Array {
  const fn = 'latticeActionFromArrays';
  const numEdges = assertRows(fn, 'edgeVectors', edgeVectors, 3, '3·E');
  assertFiniteArray(fn, 'weights', weights, numEdges, 'E');
  assertCount(fn, 'numCrystals', numCrystals);
  assertIndex(fn, 'edgeCrystal', edgeCrystal, numEdges, numCrystals, 'numCrystals');
  const kind = options.operator ?? 'direction';
  const reduce = options.reduce ?? 'mean';
  assertEdgeOperator(fn, kind);
  assertLatticeReduce(fn, reduce);
  return latticeActionInto(new Float64Array(9 * numCrystals), edgeVectors, weights, edgeCrystal, kind, reduce);
}

/** Throws unless `t` is a tensor of shape [E] or [E, 1] with E = `numEdges`. */
function assertEdgeWeights(fn: string, t: unknown, numEdges: number): asserts t is tf.Tensor {
  const ok = t instanceof tf.Tensor && t.shape[0] === numEdges && (t.rank === 1 || (t.rank === 2 && t.shape[1] === 1));
  if (!ok) {
    const got = t instanceof tf.Tensor ? `[${t.shape.join(', ')}]` : String(t);
    throw new InvalidArgumentError(fn, 'weights', `must be a tensor of shape [E] = [${numEdges}], got ${got}`, t);
  }
}

/** Throws unless `idx` is an int32 Tensor1D or Int32Array of length `n`. */
export function assertIndexLike(fn: string, name: string, idx: unknown, n: number): asserts idx is IndexLike {
  const len = idx instanceof Int32Array ? idx.length : idx instanceof tf.Tensor && idx.rank === 1 ? idx.shape[0] : -1;
  if (len !== n) {
    const got =
      idx instanceof tf.Tensor
        ? `shape [${idx.shape.join(', ')}]`
        : idx instanceof Int32Array
          ? `length ${len}`
          : String(idx);
    throw new InvalidArgumentError(
      fn,
      name,
      `must be an Int32Array or 1-D int32 tensor of length ${n}, got ${got}`,
      idx,
    );
  }
}

/**
 * Tensor version of {@link latticeActionFromArrays}: edge vectors [E, 3], weights [E], the crystal of each
 * edge (int32 [E]) → A [B, 3, 3], symmetric. Differentiable in `edgeVectors` and `weights`; safe for
 * zero-length edges (they contribute nothing, with zero gradient).
 *
 * @example
 * const a = latticeAction(edgeVectors, weights, edgeCrystal, 64); // [64, 3, 3]
 */
export function latticeAction(
  edgeVectors: tf.Tensor2D,
  weights: tf.Tensor,
  edgeCrystal: IndexLike,
  numCrystals: number,
  options: LatticeActionOptions = {},
): tf.Tensor3D {
  const fn = 'latticeAction';
  assertEdgeVectors(fn, edgeVectors);
  const numEdges = edgeVectors.shape[0];
  assertEdgeWeights(fn, weights, numEdges);
  assertIndexLike(fn, 'edgeCrystal', edgeCrystal, numEdges);
  assertCount(fn, 'numCrystals', numCrystals);
  const kind = options.operator ?? 'direction';
  const reduce = options.reduce ?? 'mean';
  assertEdgeOperator(fn, kind);
  assertLatticeReduce(fn, reduce);
  const seg = indexArray(edgeCrystal);
  assertIndex(fn, 'edgeCrystal', seg, numEdges, numCrystals, 'numCrystals');
  return tf.tidy(() => {
    const a = latticeActionKernel(edgeVectors, weights, seg, numCrystals, kind, reduce === 'mean');
    return tf.reshape(a, [numCrystals, 3, 3]) as tf.Tensor3D;
  });
}

// The kernel (see operators.ts for why the tensor face runs plain loops).

/**
 * A [B, 9] = reduce_{e: seg[e] = b} w_e·Op(r_e) ('mean' divides by the crystal's edge count, empty → 0), with
 * w_e = weights[stride·e + column] (so one column of an [E, 2] tensor is read without slicing it).
 * Differentiable in edge vectors [E, 3] and weights.
 */
export function latticeActionKernel(
  edgeVectors: tf.Tensor,
  weights: tf.Tensor,
  seg: Int32Array,
  numSegments: number,
  kind: EdgeOperator,
  mean: boolean,
  stride = 1,
  column = 0,
): tf.Tensor2D {
  const lengthKind = kind === 'length';
  const wShape = weights.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const r = (args[0] as tf.Tensor).dataSync();
    const w = (args[1] as tf.Tensor).dataSync();
    const numEdges = seg.length;
    const inv = countSegments(seg, numSegments);
    for (let b = 0; b < numSegments; b++) inv[b] = mean && inv[b] > 0 ? 1 / inv[b] : 1;
    const acc = new Float64Array(9 * numSegments);
    for (let e = 0; e < numEdges; e++) {
      const x = r[3 * e],
        y = r[3 * e + 1],
        z = r[3 * e + 2];
      const b = seg[e];
      const s = operatorScale(x * x + y * y + z * z, lengthKind) * w[stride * e + column] * inv[b];
      if (s === 0) continue;
      const o = 9 * b;
      const xy = x * y * s,
        xz = x * z * s,
        yz = y * z * s;
      acc[o] += x * x * s;
      acc[o + 1] += xy;
      acc[o + 2] += xz;
      acc[o + 3] += xy;
      acc[o + 4] += y * y * s;
      acc[o + 5] += yz;
      acc[o + 6] += xz;
      acc[o + 7] += yz;
      acc[o + 8] += z * z * s;
    }
    return {
      value: tf.tensor2d(Float32Array.from(acc), [numSegments, 9]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const dr = new Float32Array(3 * numEdges);
        const dw = new Float32Array(stride * numEdges);
        for (let e = 0; e < numEdges; e++) {
          const x = r[3 * e],
            y = r[3 * e + 1],
            z = r[3 * e + 2];
          const b = seg[e],
            o = 9 * b;
          const s = operatorScale(x * x + y * y + z * z, lengthKind);
          if (s === 0) continue;
          // ∂/∂w_e = Op(r_e) : G_b · inv_b
          const q =
            x * (g[o] * x + g[o + 1] * y + g[o + 2] * z) +
            y * (g[o + 3] * x + g[o + 4] * y + g[o + 5] * z) +
            z * (g[o + 6] * x + g[o + 7] * y + g[o + 8] * z);
          dw[stride * e + column] = s * q * inv[b];
          addOperatorGrad(dr, 3 * e, x, y, z, g, o, w[stride * e + column] * inv[b], lengthKind);
        }
        return [tf.tensor2d(dr, [numEdges, 3]), tf.tensor(dw, wShape)];
      },
    };
  });
  return op(edgeVectors, weights) as tf.Tensor2D;
}
