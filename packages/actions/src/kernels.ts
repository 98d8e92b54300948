/**
 * Fused differentiable kernels of the tensor face. Each is one `tf.customGrad` op whose forward and backward
 * passes are plain O(E) loops over typed arrays (Float64 accumulation), reading their inputs with
 * `dataSync()` and returning float32 tensors. Why not compose tfjs ops: on the cpu backend the pieces this
 * head needs are slow or quadratic (column `split`/`slice` and rank-3 broadcasting take a generic per-element
 * path, `gather`/`gatherND` are ~10× slower than a loop, `unsortedSegmentSum` is O(segments × rows)), while
 * the whole head is a few multiply–adds per edge. Backend-agnostic: on cpu and wasm the reads are a copy of
 * a few hundred kB; on webgl they are a GPU sync (documented in docs/design/actions.md).
 *
 * Index legend: e edge, i atom (node), b crystal; r_e edge vector (3), w_e weight, G a symmetric 3×3.
 */
import * as tf from '@tensorflow/tfjs';
import type { EdgeOperator } from './operators.js';

/** An int32 index vector, as an `Int32Array` or a 1-D int32 tensor. */
export type IndexLike = tf.Tensor1D | Int32Array;

/** Edges shorter than this (Å) get the zero operator: image self-loops and coincident atoms. */
export const MIN_EDGE_LENGTH = 1e-6;
const MIN_SQ = MIN_EDGE_LENGTH * MIN_EDGE_LENGTH;

/** The index as an Int32Array (a tensor is read once). */
export function indexArray(idx: IndexLike): Int32Array {
  if (idx instanceof Int32Array) return idx;
  const data = idx.dataSync();
  return data instanceof Int32Array ? data : Int32Array.from(data);
}

/** Per-segment counts of an index (Float64Array of `numSegments`). */
function countSegments(seg: Int32Array, numSegments: number): Float64Array {
  const counts = new Float64Array(numSegments);
  for (let e = 0; e < seg.length; e++) counts[seg[e]]++;
  return counts;
}

/** The scale s(d²) of the operator Op(r) = s·rᵀr: 1/d² ('direction') or 1/d ('length'); 0 for short edges. */
function operatorScale(d2: number, lengthKind: boolean): number {
  if (!(d2 > MIN_SQ)) return 0;
  return lengthKind ? 1 / Math.sqrt(d2) : 1 / d2;
}

/**
 * Gradient of φ(r) = Op(r) : G = s(d²)·(r·G·rᵀ) with respect to r, times `factor`, ADDED into out[o…o+2]:
 * ∇φ = 2s·G·r + (r·G·rᵀ)·s′(d²)·2r, with s′ = −1/d⁴ ('direction') or −1/(2d³) ('length').
 */
function addOperatorGrad(
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
