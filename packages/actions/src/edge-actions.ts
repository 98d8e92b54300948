/**
 * The whole edge → action head: two invariant weights per edge become a bounded symmetric deformation per
 * crystal and a Cartesian displacement per atom. Weight column 0 drives the atoms, column 1 the lattice (as
 * in the seed's PyTorch reference, the peers' egnn_ref.py).
 */
import * as tf from '@tensorflow/tfjs';
import { assertFiniteArray, InvalidArgumentError } from '@crys/lattice';
import { assertCount } from '@crys/lattice/internal';
import { type DeformationOptions, deformationFunction } from './deformation.js';
import { type AtomReduce, atomActionsInto, atomActionsKernel } from './atom-actions.js';
import { assertIndexLike, type LatticeReduce, latticeActionInto, latticeActionKernel } from './lattice-action.js';
import { assertEdgeOperator, assertEdgeVectors, type EdgeOperator } from './operators.js';
import { type IndexLike, indexArray } from './segments.js';
import { spectralMapMat3, spectralMapTensor } from './spectral.js';
import { assertIndex, assertRows } from './validate.js';

/** Options of {@link edgeActions} and {@link edgeActionsFromArrays}. */
export interface EdgeActionOptions extends DeformationOptions {
  /** Lattice edge operator, default `'direction'` (ûûᵀ). */
  readonly operator?: EdgeOperator;
  /** Per-crystal reduction of the lattice terms, default `'mean'` (supercell-invariant). */
  readonly latticeReduce?: LatticeReduce;
  /** Per-atom reduction of the atom terms, default `'sum'`. */
  readonly atomReduce?: AtomReduce;
}

/** Actions of a batch on plain arrays. */
export interface BatchActions {
  /** 9·B: the symmetric deformation g of each crystal (Cartesian, acting on rows: L' = L·g). */
  readonly latticeAction: Float64Array;
  /** 3·N: the Cartesian displacement of each atom (Å). */
  readonly atomActionsCart: Float64Array;
}

/** Actions of a batch as tensors (the caller disposes both). */
export interface BatchActionTensors {
  /** [B, 3, 3]: the symmetric deformation g of each crystal (Cartesian, acting on rows: L' = L·g). */
  readonly latticeAction: tf.Tensor3D;
  /** [N, 3]: the Cartesian displacement of each atom (Å). */
  readonly atomActionsCart: tf.Tensor2D;
}

function resolve(fn: string, options: EdgeActionOptions) {
  const operator = options.operator ?? 'direction';
  const latticeReduce = options.latticeReduce ?? 'mean';
  const atomReduce = options.atomReduce ?? 'sum';
  assertEdgeOperator(fn, operator);
  if (latticeReduce !== 'mean' && latticeReduce !== 'sum') {
    throw new InvalidArgumentError(
      fn,
      'options.latticeReduce',
      `must be 'mean' or 'sum', got ${String(latticeReduce)}`,
      latticeReduce,
    );
  }
  if (atomReduce !== 'sum' && atomReduce !== 'mean') {
    throw new InvalidArgumentError(
      fn,
      'options.atomReduce',
      `must be 'sum' or 'mean', got ${String(atomReduce)}`,
      atomReduce,
    );
  }
  return { operator, latticeReduce, atomReduce, map: deformationFunction(fn, options) };
}

/**
 * Plain-array edge → action head: g_b = bound(mean_{e ∈ b} w_e[1]·Op(r_e)) for each crystal and
 * a_i = Σ_{e: src = i} w_e[0]·r_e for each atom (Float64 throughout).
 *
 * @param edgeVectors 3·E Cartesian edge vectors (Å).
 * @param weights 2·E, edge-major [w0_0, w1_0, w0_1, w1_1, …] (an [E, 2] row-major matrix).
 * @param src E source atom of each edge (global index in the batch).
 * @param edgeCrystal E crystal of each edge.
 *
 * @example
 * const { latticeAction, atomActionsCart } = edgeActionsFromArrays(
 *   Float64Array.of(2, 0, 0), Float64Array.of(0.1, 0.5), Int32Array.of(0), Int32Array.of(0), 1, 1);
 * // atomActionsCart = [0.2, 0, 0]; latticeAction = diag(1 + 0.2·tanh(2.5), 1, 1)
 */
export function edgeActionsFromArrays(
  edgeVectors: ArrayLike<number>,
  weights: ArrayLike<number>,
  src: Int32Array,
  edgeCrystal: Int32Array,
  numNodes: number,
  numCrystals: number,
  options: EdgeActionOptions = {},
): BatchActions {
  const fn = 'edgeActionsFromArrays';
  const numEdges = assertRows(fn, 'edgeVectors', edgeVectors, 3, '3·E');
  assertFiniteArray(fn, 'weights', weights, 2 * numEdges, '2·E');
  assertCount(fn, 'numNodes', numNodes);
  assertCount(fn, 'numCrystals', numCrystals);
  assertIndex(fn, 'src', src, numEdges, numNodes, 'numNodes');
  assertIndex(fn, 'edgeCrystal', edgeCrystal, numEdges, numCrystals, 'numCrystals');
  const o = resolve(fn, options);
  const atomActionsCart = atomActionsInto(
    new Float64Array(3 * numNodes),
    edgeVectors,
    weights,
    src,
    o.atomReduce,
    2,
    0,
  );
  const latticeAction = latticeActionInto(
    new Float64Array(9 * numCrystals),
    edgeVectors,
    weights,
    edgeCrystal,
    o.operator,
    o.latticeReduce,
    2,
    1,
  );
  for (let b = 0; b < numCrystals; b++) spectralMapMat3(latticeAction, latticeAction, o.map, 9 * b, 9 * b);
  return { latticeAction, atomActionsCart };
}

/**
 * The edge → action head as differentiable tensor ops, for the model: edge vectors [E, 3] (Cartesian, Å),
 * invariant weights [E, 2] (column 0 → atoms, column 1 → lattice), the source atom and crystal of each edge
 * (int32 [E]) → `{ latticeAction: g [B, 3, 3], atomActionsCart: [N, 3] }`. g is symmetric positive-definite
 * (see {@link DeformationOptions}); the lattice action is the MEAN over each crystal's edges by default, so a
 * supercell or another choice of unit cell gives the same g. Rotating every edge vector by R (r ↦ r·Rᵀ) gives
 * R·g·Rᵀ and rotated atom actions. Float32; the caller disposes the two results.
 *
 * @example
 * const { latticeAction, atomActionsCart } = edgeActions(edgeVectors, weights, src, edgeCrystal, N, B);
 */
export function edgeActions(
  edgeVectors: tf.Tensor2D,
  weights: tf.Tensor2D,
  src: IndexLike,
  edgeCrystal: IndexLike,
  numNodes: number,
  numCrystals: number,
  options: EdgeActionOptions = {},
): BatchActionTensors {
  const fn = 'edgeActions';
  assertEdgeVectors(fn, edgeVectors);
  const numEdges = edgeVectors.shape[0];
  if (
    !(weights instanceof tf.Tensor) ||
    weights.rank !== 2 ||
    weights.shape[0] !== numEdges ||
    weights.shape[1] !== 2
  ) {
    const got = weights instanceof tf.Tensor ? `[${weights.shape.join(', ')}]` : String(weights);
    throw new InvalidArgumentError(
      fn,
      'weights',
      `must be a tensor of shape [E, 2] = [${numEdges}, 2], got ${got}`,
      weights,
    );
  }
  assertIndexLike(fn, 'src', src, numEdges);
  assertIndexLike(fn, 'edgeCrystal', edgeCrystal, numEdges);
  assertCount(fn, 'numNodes', numNodes);
  assertCount(fn, 'numCrystals', numCrystals);
  const o = resolve(fn, options);
  const deformation: DeformationOptions = {
    map: options.map ?? 'tanh',
    ...(options.bound === undefined ? {} : { bound: options.bound }),
  };
  const srcIndex = indexArray(src);
  const crystalIndex = indexArray(edgeCrystal);
  assertIndex(fn, 'src', srcIndex, numEdges, numNodes, 'numNodes');
  assertIndex(fn, 'edgeCrystal', crystalIndex, numEdges, numCrystals, 'numCrystals');
  const mapping = deformationFunction(fn, deformation);
  return tf.tidy(() => {
    // Both kernels read their column of the [E, 2] weights in place (a column slice is slow on cpu).
    const a = latticeActionKernel(
      edgeVectors,
      weights,
      crystalIndex,
      numCrystals,
      o.operator,
      o.latticeReduce === 'mean',
      2,
      1,
    );
    return {
      latticeAction: spectralMapTensor(tf.reshape(a, [numCrystals, 3, 3]), mapping),
      atomActionsCart: atomActionsKernel(edgeVectors, weights, srcIndex, numNodes, o.atomReduce === 'mean', 2, 0),
    };
  });
}
