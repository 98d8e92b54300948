/**
 * Per-atom actions g_i = Σ_{e: src[e] = i} w_e·r_e: Cartesian displacements (Å) built from the atom's own edge
 * vectors, so they rotate with the frame, follow a permutation of the atoms, and ignore translations and the
 * choice of unit cell. A sum (not a mean) by default, as in the seed; with `'mean'` an atom's action is the
 * average of its edge terms, which makes the scale independent of the coordination number.
 */
import * as tf from '@tensorflow/tfjs';
import { assertFiniteArray, InvalidArgumentError } from '@crys/lattice';
import { assertCount } from '@crys/lattice/internal';
import { assertIndexLike } from './lattice-action.js';
import { assertEdgeVectors } from './operators.js';
import { countSegments, type IndexLike, indexArray } from './segments.js';
import { assertIndex, assertRows } from './validate.js';

/** How edge terms combine per atom: `'sum'` (default) or `'mean'` over the atom's outgoing edges. */
export type AtomReduce = 'sum' | 'mean';

/** Options of {@link atomActions} and {@link atomActionsFromArrays}. */
export interface AtomActionOptions {
  /** Default `'sum'`. An atom without edges gets a zero action either way. */
  readonly reduce?: AtomReduce;
}

/** Throws unless `reduce` is `'sum'` or `'mean'`. */
export function assertAtomReduce(fn: string, reduce: unknown): asserts reduce is AtomReduce {
  if (reduce !== 'sum' && reduce !== 'mean') {
    throw new InvalidArgumentError(fn, 'options.reduce', `must be 'sum' or 'mean', got ${String(reduce)}`, reduce);
  }
}

/**
 * Kernel: out (3·N) = reduce over edges e with src[e] = i of weights[stride·e + column]·r_e. No checks.
 */
export function atomActionsInto(
  out: Float64Array,
  edgeVectors: ArrayLike<number>,
  weights: ArrayLike<number>,
  src: Int32Array,
  reduce: AtomReduce,
  stride = 1,
  column = 0,
): Float64Array {
  out.fill(0);
  const numNodes = out.length / 3;
  const counts = reduce === 'mean' ? new Float64Array(numNodes) : null;
  for (let e = 0; e < src.length; e++) {
    const i = src[e];
    const w = weights[stride * e + column];
    out[3 * i] += w * edgeVectors[3 * e];
    out[3 * i + 1] += w * edgeVectors[3 * e + 1];
    out[3 * i + 2] += w * edgeVectors[3 * e + 2];
    if (counts) counts[i]++;
  }
  if (counts) {
    for (let i = 0; i < numNodes; i++) {
      const c = counts[i];
      if (c > 1) {
        out[3 * i] /= c;
        out[3 * i + 1] /= c;
        out[3 * i + 2] /= c;
      }
    }
  }
  return out;
}

/**
 * Cartesian per-atom actions g_i = Σ_{e: src[e] = i} w_e·r_e (or the mean over the atom's edges).
 *
 * @param edgeVectors 3·E Cartesian edge vectors r_e (Å).
 * @param weights E invariant per-edge weights.
 * @param src E source atom of each edge.
 * @param numNodes N.
 * @returns 3·N Cartesian displacements (Å).
 *
 * @example
 * atomActionsFromArrays(Float64Array.of(1, 0, 0, 0, 2, 0), Float64Array.of(0.5, 0.25), Int32Array.of(0, 0), 1);
 * // Float64Array [0.5, 0.5, 0]
 */
export function atomActionsFromArrays(
  edgeVectors: ArrayLike<number>,
  weights: ArrayLike<number>,
  src: Int32Array,
  numNodes: number,
  options: AtomActionOptions = {},
): Float64Array {
  const fn = 'atomActionsFromArrays';
  const numEdges = assertRows(fn, 'edgeVectors', edgeVectors, 3, '3·E');
  assertFiniteArray(fn, 'weights', weights, numEdges, 'E');
  assertCount(fn, 'numNodes', numNodes);
  assertIndex(fn, 'src', src, numEdges, numNodes, 'numNodes');
  const reduce = options.reduce ?? 'sum';
  assertAtomReduce(fn, reduce);
  return atomActionsInto(new Float64Array(3 * numNodes), edgeVectors, weights, src, reduce);
}

/**
 * Tensor version of {@link atomActionsFromArrays}: edge vectors [E, 3], weights [E], src (int32 [E]) →
 * Cartesian actions [N, 3]. Differentiable in `edgeVectors` and `weights`.
 *
 * @example
 * const g = atomActions(edgeVectors, weights, src, numNodes); // [N, 3], Å
 */
export function atomActions(
  edgeVectors: tf.Tensor2D,
  weights: tf.Tensor,
  src: IndexLike,
  numNodes: number,
  options: AtomActionOptions = {},
): tf.Tensor2D {
  const fn = 'atomActions';
  assertEdgeVectors(fn, edgeVectors);
  const numEdges = edgeVectors.shape[0];
  if (!(weights instanceof tf.Tensor) || weights.size !== numEdges || weights.shape[0] !== numEdges) {
    const got = weights instanceof tf.Tensor ? `[${weights.shape.join(', ')}]` : String(weights);
    throw new InvalidArgumentError(fn, 'weights', `must be a tensor of shape [E] = [${numEdges}], got ${got}`, weights);
  }
  assertIndexLike(fn, 'src', src, numEdges);
  assertCount(fn, 'numNodes', numNodes);
  const reduce = options.reduce ?? 'sum';
  assertAtomReduce(fn, reduce);
  const index = indexArray(src);
  assertIndex(fn, 'src', index, numEdges, numNodes, 'numNodes');
  return atomActionsKernel(edgeVectors, weights, index, numNodes, reduce === 'mean');
}

// The kernel (see operators.ts for why the tensor face runs plain loops).

/**
 * d [N, 3] = reduce_{e: src[e] = i} w_e·r_e ('mean' divides by the atom's edge count, none → 0), with
 * w_e = weights[stride·e + column]. Differentiable in edge vectors [E, 3] and weights.
 */
export function atomActionsKernel(
  edgeVectors: tf.Tensor,
  weights: tf.Tensor,
  src: Int32Array,
  numNodes: number,
  mean: boolean,
  stride = 1,
  column = 0,
): tf.Tensor2D {
  const wShape = weights.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const r = (args[0] as tf.Tensor).dataSync();
    const w = (args[1] as tf.Tensor).dataSync();
    const numEdges = src.length;
    const inv = countSegments(src, numNodes);
    for (let i = 0; i < numNodes; i++) inv[i] = mean && inv[i] > 0 ? 1 / inv[i] : 1;
    const acc = new Float64Array(3 * numNodes);
    for (let e = 0; e < numEdges; e++) {
      const i = src[e];
      const s = w[stride * e + column] * inv[i];
      acc[3 * i] += s * r[3 * e];
      acc[3 * i + 1] += s * r[3 * e + 1];
      acc[3 * i + 2] += s * r[3 * e + 2];
    }
    return {
      value: tf.tensor2d(Float32Array.from(acc), [numNodes, 3]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const dr = new Float32Array(3 * numEdges);
        const dw = new Float32Array(stride * numEdges);
        for (let e = 0; e < numEdges; e++) {
          const i = src[e],
            k = inv[i],
            we = w[stride * e + column];
          const gx = g[3 * i] * k,
            gy = g[3 * i + 1] * k,
            gz = g[3 * i + 2] * k;
          dw[stride * e + column] = gx * r[3 * e] + gy * r[3 * e + 1] + gz * r[3 * e + 2];
          dr[3 * e] = we * gx;
          dr[3 * e + 1] = we * gy;
          dr[3 * e + 2] = we * gz;
        }
        return [tf.tensor2d(dr, [numEdges, 3]), tf.tensor(dw, wShape)];
      },
    };
  });
  return op(edgeVectors, weights) as tf.Tensor2D;
}
