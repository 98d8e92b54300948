import * as tf from '@tensorflow/tfjs';
import { gatherRows, matmul, segmentSum } from './internal/tensor-ops.js';

/**
 * Size of the action network. Defaults give ~110 k parameters (F = 64, 4 layers), small enough for a
 * browser.
 *
 * @example
 * const config: NetworkConfig = { ...DEFAULT_NETWORK, hidden: 32, layers: 2 };
 */
export interface NetworkConfig {
  /** Feature width F of nodes and edge messages. */
  readonly hidden: number;
  /** Number of message-passing layers. */
  readonly layers: number;
  /** Gaussian radial basis functions on the edge length. */
  readonly rbf: number;
  /** Largest centre of the radial basis (Å); centres are evenly spaced on [0, rbfMax]. */
  readonly rbfMax: number;
  /** Equivariant vector channels per layer whose norms feed the node update (angular information). */
  readonly vectorChannels: number;
  /** Sinusoidal features of the noise level. */
  readonly timeFeatures: number;
}

/**
 * Default network size.
 *
 * @example
 * DEFAULT_NETWORK.hidden; // 64
 */
export const DEFAULT_NETWORK: NetworkConfig = {
  hidden: 64,
  layers: 4,
  rbf: 32,
  rbfMax: 8,
  vectorChannels: 16,
  timeFeatures: 16,
};

/**
 * The inputs of one forward pass over a batch of crystals (all constant tensors, built by the batcher).
 * Edge e points from `src[e]` to `dst[e]` (plus its image); `vectors` holds r_e in Å.
 */
export interface NetworkInputs {
  /** N species indices into the model's species table. */
  readonly species: tf.Tensor1D;
  /** N crystal index of every atom. */
  readonly nodeCrystal: tf.Tensor1D;
  /** E source atoms. */
  readonly src: tf.Tensor1D;
  /** E destination atoms. */
  readonly dst: tf.Tensor1D;
  /** E crystal index of every edge. */
  readonly edgeCrystal: tf.Tensor1D;
  /** E × 3 Cartesian edge vectors r_e (Å). */
  readonly vectors: tf.Tensor2D;
  /** N × 1 reciprocal of each atom's out-degree. */
  readonly invDegree: tf.Tensor2D;
  /** B × 1 reciprocal of each crystal's edge count. */
  readonly invEdgeCount: tf.Tensor2D;
  /** N × 3 × 3 inverse lattice of each atom's crystal (Cartesian → fractional). */
  readonly nodeLatticeInverse: tf.Tensor3D;
  /** B noise levels t ∈ [0, 1]. */
  readonly level: tf.Tensor1D;
  readonly numNodes: number;
  readonly numCrystals: number;
}

/** The actions predicted for a batch. */
export interface NetworkOutputs {
  /** N × 3 fractional correction per atom, in units of the noise scale σ(t). */
  readonly atoms: tf.Tensor2D;
  /** B × 9 symmetric log-deformation A per crystal (row-major); the lattice action is L ← L·exp(A). */
  readonly lattice: tf.Tensor2D;
}

/** Named float32 weights of a network, in creation order. */
export type NetworkWeights = Map<string, tf.Variable>;

function glorot(rng: () => number, rows: number, cols: number, gain = 1): Float32Array {
  const out = new Float32Array(rows * cols);
  const a = gain * Math.sqrt(6 / (rows + cols));
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng() - 1) * a;
  return out;
}

/**
 * Creates the weights of an action network for `numSpecies` species, initialised from `rng` (uniform [0, 1)).
 *
 * @example
 * const weights = createNetworkWeights(DEFAULT_NETWORK, 10, createRng(0).next);
 */
export function createNetworkWeights(config: NetworkConfig, numSpecies: number, rng: () => number): NetworkWeights {
  const F = config.hidden,
    R = config.rbf,
    C = config.vectorChannels,
    T = config.timeFeatures;
  const w: NetworkWeights = new Map();
  const add = (name: string, shape: number[], values: Float32Array): void => {
    w.set(name, tf.variable(tf.tensor(values, shape, 'float32'), true));
  };
  const dense = (name: string, rows: number, cols: number, gain = 1): void => {
    add(`${name}.w`, [rows, cols], glorot(rng, rows, cols, gain));
    add(`${name}.b`, [cols], new Float32Array(cols));
  };
  add('embed', [numSpecies, F], glorot(rng, numSpecies, F));
  dense('time1', T, F);
  dense('time2', F, F);
  for (let l = 0; l < config.layers; l++) {
    add(`l${l}.src`, [F, F], glorot(rng, F, F));
    add(`l${l}.dst`, [F, F], glorot(rng, F, F));
    dense(`l${l}.rbf`, R, F);
    dense(`l${l}.edge2`, F, F);
    add(`l${l}.coef`, [F, C], glorot(rng, F, C));
    dense(`l${l}.node1`, 2 * F + C, F);
    dense(`l${l}.node2`, F, F, 0.5);
  }
  add('head.src', [F, F], glorot(rng, F, F));
  add('head.dst', [F, F], glorot(rng, F, F));
  dense('head.rbf', R, F);
  dense('head.out', F, 3, 0.1);
  return w;
}

/** Number of scalar parameters in a set of weights. */
export function countParameters(weights: NetworkWeights): number {
  let n = 0;
  for (const v of weights.values()) n += v.size;
  return n;
}

const IDENTITY9 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/**
 * One forward pass: species and noise-level embedding, `layers` rounds of invariant message passing with
 * equivariant vector channels, then per-edge weights turned into actions. The atom action is
 * Σ_e w_e r_e / deg(i) (Cartesian, equivariant) mapped to fractional coordinates with L⁻¹; the lattice action
 * is the per-crystal mean of u_e r̂_e r̂_eᵀ + s_e I (symmetric, equivariant: A → Qᵀ A Q under a rotation Q).
 * Call inside `tf.tidy`.
 *
 * @example
 * const { atoms, lattice } = tf.tidy(() => networkForward(config, weights, inputs));
 */
export function networkForward(config: NetworkConfig, weights: NetworkWeights, x: NetworkInputs): NetworkOutputs {
  const W = (name: string): tf.Variable => {
    const v = weights.get(name);
    if (v === undefined) throw new Error(`networkForward: missing weight '${name}'`);
    return v;
  };
  const silu = (t: tf.Tensor): tf.Tensor => tf.mul(t, tf.sigmoid(t));
  const lin = (t: tf.Tensor, name: string): tf.Tensor2D =>
    tf.add(matmul(t as tf.Tensor2D, W(`${name}.w`) as tf.Tensor2D), W(`${name}.b`)) as tf.Tensor2D;
  const N = x.numNodes,
    B = x.numCrystals;
  const T = config.timeFeatures;

  // noise-level embedding, broadcast to atoms
  const freqs = tf.tensor1d(Array.from({ length: T / 2 }, (_, k) => Math.PI * 2 ** k));
  const arg = tf.mul(tf.reshape(x.level, [B, 1]), tf.reshape(freqs, [1, T / 2]));
  const tfeat = tf.concat([tf.sin(arg), tf.cos(arg)], 1);
  const temb = lin(silu(lin(tfeat, 'time1')), 'time2');
  let h = tf.add(gatherRows(W('embed') as tf.Tensor2D, x.species), gatherRows(temb, x.nodeCrystal)) as tf.Tensor2D;

  // edge geometry
  const E = x.vectors.shape[0];
  const len = tf.sqrt(tf.add(tf.sum(tf.square(x.vectors), 1, true), 1e-12));
  const unit = tf.div(x.vectors, len);
  const centers = tf.reshape(tf.linspace(0, config.rbfMax, config.rbf), [1, config.rbf]);
  const width = config.rbfMax / (config.rbf - 1);
  const rbf = tf.exp(tf.mul(tf.square(tf.sub(len, centers)), -0.5 / (width * width))) as tf.Tensor2D;
  const C = config.vectorChannels;

  const edgeMessage = (hh: tf.Tensor2D, p: string, rbfName: string): tf.Tensor2D => {
    const ps = matmul(hh, W(`${p}.src`) as tf.Tensor2D);
    const pd = matmul(hh, W(`${p}.dst`) as tf.Tensor2D);
    return silu(tf.addN([gatherRows(ps, x.src), gatherRows(pd, x.dst), lin(rbf, rbfName)])) as tf.Tensor2D;
  };

  for (let l = 0; l < config.layers; l++) {
    const p = `l${l}`;
    const m = silu(lin(edgeMessage(h, p, `${p}.rbf`), `${p}.edge2`)) as tf.Tensor2D;
    const agg = tf.mul(segmentSum(m, x.src, N), x.invDegree);
    const coef = matmul(m, W(`${p}.coef`) as tf.Tensor2D); // E × C
    const vec = tf.reshape(tf.mul(tf.reshape(coef, [E, C, 1]), tf.reshape(unit, [E, 1, 3])), [E, 3 * C]);
    const nodeVec = tf.mul(segmentSum(vec as tf.Tensor2D, x.src, N), x.invDegree);
    const inv = tf.sum(tf.square(tf.reshape(nodeVec, [N, C, 3])), 2);
    const upd = lin(silu(lin(tf.concat([h, agg, inv], 1), `${p}.node1`)), `${p}.node2`);
    h = tf.add(h, upd) as tf.Tensor2D;
  }

  const out = lin(edgeMessage(h, 'head', 'head.rbf'), 'head.out'); // E × 3
  const [wAtom, uAniso, uIso] = tf.split(out, 3, 1);
  const disp = tf.mul(segmentSum(tf.mul(wAtom, x.vectors) as tf.Tensor2D, x.src, N), x.invDegree);
  const atoms = tf.sum(tf.mul(tf.reshape(disp, [N, 3, 1]), x.nodeLatticeInverse), 1) as tf.Tensor2D;
  const outer = tf.reshape(tf.mul(tf.reshape(unit, [E, 3, 1]), tf.reshape(unit, [E, 1, 3])), [E, 9]);
  const perEdge = tf.add(tf.mul(uAniso, outer), tf.mul(uIso, tf.tensor2d(IDENTITY9, [1, 9])));
  const lattice = tf.mul(segmentSum(perEdge as tf.Tensor2D, x.edgeCrystal, B), x.invEdgeCount) as tf.Tensor2D;
  return { atoms, lattice };
}
