/**
 * Per-edge 3×3 operators. For an edge vector r (a Cartesian row vector, Å) and a small symmetric strain ε
 * acting on rows (r ↦ r·(I + ε)), the edge length changes by
 *   δ|r| = r·ε·rᵀ / |r| = ε : (rᵀr / |r|),
 * so ∂|r|/∂ε = rᵀr/|r| = |r|·ûûᵀ (the 'length' operator) and ∂ln|r|/∂ε = ûûᵀ (the 'direction' operator). Both
 * are symmetric by construction and rotate as R·Op·Rᵀ when r rotates to r·Rᵀ.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '@crys/lattice';

/** Which edge operator: `'direction'` is ûûᵀ (dimensionless), `'length'` is |r|·ûûᵀ (Å). */
export type EdgeOperator = 'direction' | 'length';

/** Edges shorter than this (Å) get the zero operator: image self-loops and coincident atoms. */
export const MIN_EDGE_LENGTH = 1e-6;
const MIN_SQ = MIN_EDGE_LENGTH * MIN_EDGE_LENGTH;

/** Throws unless `kind` is a known {@link EdgeOperator}. */
export function assertEdgeOperator(fn: string, kind: unknown): asserts kind is EdgeOperator {
  if (kind !== 'direction' && kind !== 'length') {
    throw new InvalidArgumentError(fn, 'operator', `must be 'direction' or 'length', got ${String(kind)}`, kind);
  }
}

/**
 * Writes the 3×3 operator of every edge into `out` (9·E, row-major per edge): ûûᵀ for `'direction'`,
 * |r|·ûûᵀ = rᵀr/|r| for `'length'`, and zeros for edges shorter than {@link MIN_EDGE_LENGTH}. Kernel: no
 * checks, no allocation.
 *
 * @example
 * const op = edgeOperatorsInto(new Float64Array(9), Float64Array.of(0, 0, 2), 'length');
 * // [0, 0, 0, 0, 0, 0, 0, 0, 2]: stretching z by ε lengthens the edge by 2ε Å
 */
export function edgeOperatorsInto(
  out: Float64Array,
  edgeVectors: ArrayLike<number>,
  kind: EdgeOperator = 'direction',
): Float64Array {
  const numEdges = Math.floor(edgeVectors.length / 3);
  const lengthKind = kind === 'length';
  for (let e = 0; e < numEdges; e++) {
    const x = edgeVectors[3 * e],
      y = edgeVectors[3 * e + 1],
      z = edgeVectors[3 * e + 2];
    const d2 = x * x + y * y + z * z;
    const o = 9 * e;
    if (!(d2 > MIN_SQ)) {
      out.fill(0, o, o + 9);
      continue;
    }
    const s = lengthKind ? 1 / Math.sqrt(d2) : 1 / d2;
    const xy = x * y * s,
      xz = x * z * s,
      yz = y * z * s;
    out[o] = x * x * s;
    out[o + 1] = xy;
    out[o + 2] = xz;
    out[o + 3] = xy;
    out[o + 4] = y * y * s;
    out[o + 5] = yz;
    out[o + 6] = xz;
    out[o + 7] = yz;
    out[o + 8] = z * z * s;
  }
  return out;
}

/** Throws unless `t` is a tensor of shape [E, 3]. */
export function assertEdgeVectors(fn: string, t: tf.Tensor, name = 'edgeVectors'): void {
  if (!(t instanceof tf.Tensor) || t.rank !== 2 || t.shape[1] !== 3) {
    const got = t instanceof tf.Tensor ? `[${t.shape.join(', ')}]` : String(t);
    throw new InvalidArgumentError(fn, name, `must be a tensor of shape [E, 3], got ${got}`, t);
  }
}

/**
 * The edge operators of a [E, 3] tensor of edge vectors as an [E, 3, 3] tensor (see
 * {@link edgeOperatorsInto}). Differentiable and exactly symmetric, and safe at r = 0: edges shorter than
 * {@link MIN_EDGE_LENGTH} get a zero operator AND a zero gradient (no NaN from 0/0).
 *
 * @example
 * const ops = edgeOperators(tf.tensor2d([[3, 0, 0], [0, 0, 0]]), 'direction');
 * // ops[0] = diag(1, 0, 0), ops[1] = 0 (a self-loop)
 */
export function edgeOperators(edgeVectors: tf.Tensor2D, kind: EdgeOperator = 'direction'): tf.Tensor3D {
  const fn = 'edgeOperators';
  assertEdgeOperator(fn, kind);
  assertEdgeVectors(fn, edgeVectors);
  return tf.tidy(() => tf.reshape(edgeOperatorsKernel(edgeVectors, kind), [edgeVectors.shape[0], 3, 3]));
}

// The tensor face's kernels (edgeOperatorsKernel here, latticeActionKernel, atomActionsKernel, fracDisplacementKernel in
// their ops' files) are one `tf.customGrad` each, whose forward and backward passes are plain O(E) loops over typed
// arrays (Float64 accumulation) that read their inputs with `dataSync()` and return float32 tensors. Why not compose
// tfjs ops: on the cpu backend the pieces these heads need are slow or quadratic (column `split`/`slice` and rank-3
// broadcasting take a generic per-element path, `gather`/`gatherND` are ~10× slower than a loop,
// `unsortedSegmentSum` is O(segments × rows)), while each head is a few multiply–adds per edge. Backend-agnostic: on
// cpu and wasm the reads are a copy of a few hundred kB; on webgl they are a GPU sync (docs/design/actions.md).
// Index legend: e edge, i atom (node), b crystal; r_e edge vector (3), w_e weight, G a symmetric 3×3.

/** The scale s(d²) of the operator Op(r) = s·rᵀr: 1/d² ('direction') or 1/d ('length'); 0 for short edges. */
export function operatorScale(d2: number, lengthKind: boolean): number {
  if (!(d2 > MIN_SQ)) return 0;
  return lengthKind ? 1 / Math.sqrt(d2) : 1 / d2;
}

/**
 * Gradient of φ(r) = Op(r) : G = s(d²)·(r·G·rᵀ) with respect to r, times `factor`, ADDED into out[o…o+2]:
 * ∇φ = 2s·G·r + (r·G·rᵀ)·s′(d²)·2r, with s′ = −1/d⁴ ('direction') or −1/(2d³) ('length').
 */
export function addOperatorGrad(
  out: Float32Array,
  o: number,
  x: number,
  y: number,
  z: number,
  g: ArrayLike<number>,
  go: number,
  factor: number,
  lengthKind: boolean,
): void {
  const d2 = x * x + y * y + z * z;
  if (!(d2 > MIN_SQ)) return;
  // Symmetrise G (the operator is symmetric, so only sym(G) matters).
  const g00 = g[go],
    g11 = g[go + 4],
    g22 = g[go + 8];
  const g01 = 0.5 * (g[go + 1] + g[go + 3]);
  const g02 = 0.5 * (g[go + 2] + g[go + 6]);
  const g12 = 0.5 * (g[go + 5] + g[go + 7]);
  const gx = g00 * x + g01 * y + g02 * z;
  const gy = g01 * x + g11 * y + g12 * z;
  const gz = g02 * x + g12 * y + g22 * z;
  const q = x * gx + y * gy + z * gz;
  let s: number, ds: number;
  if (lengthKind) {
    s = 1 / Math.sqrt(d2);
    ds = (-0.5 * s) / d2;
  } else {
    s = 1 / d2;
    ds = -s * s;
  }
  const a = 2 * s * factor,
    b = 2 * q * ds * factor;
  out[o] += a * gx + b * x;
  out[o + 1] += a * gy + b * y;
  out[o + 2] += a * gz + b * z;
}

/** Per-edge operators [E, 9] from edge vectors [E, 3]; differentiable (zero value and gradient for r ≈ 0). */
export function edgeOperatorsKernel(edgeVectors: tf.Tensor, kind: EdgeOperator): tf.Tensor2D {
  const lengthKind = kind === 'length';
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const r = (args[0] as tf.Tensor).dataSync();
    const numEdges = r.length / 3;
    const out = new Float32Array(9 * numEdges);
    for (let e = 0; e < numEdges; e++) {
      const x = r[3 * e],
        y = r[3 * e + 1],
        z = r[3 * e + 2];
      const s = operatorScale(x * x + y * y + z * z, lengthKind);
      if (s === 0) continue;
      const o = 9 * e;
      const xy = x * y * s,
        xz = x * z * s,
        yz = y * z * s;
      out[o] = x * x * s;
      out[o + 1] = out[o + 3] = xy;
      out[o + 2] = out[o + 6] = xz;
      out[o + 4] = y * y * s;
      out[o + 5] = out[o + 7] = yz;
      out[o + 8] = z * z * s;
    }
    return {
      value: tf.tensor2d(out, [numEdges, 9]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const dr = new Float32Array(3 * numEdges);
        for (let e = 0; e < numEdges; e++) {
          addOperatorGrad(dr, 3 * e, r[3 * e], r[3 * e + 1], r[3 * e + 2], g, 9 * e, 1, lengthKind);
        }
        return tf.tensor2d(dr, [numEdges, 3]);
      },
    };
  });
  return op(edgeVectors) as tf.Tensor2D;
}
