// Loads the PyTorch peer's fixed case (test/fixtures/egnn_case.json.gz, written by tools/fixtures/egnn_case.py) and maps its
// state dict onto an `Egnn` (PyTorch Linear weights are [out, in]; ours are [in, out], split at the concatenation).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import type { Egnn } from '../src/egnn.js';

export interface PeerTensor {
  shape: number[];
  data: number | number[] | number[][];
}
export interface PeerCrystal {
  id: string;
  lattice: number[][];
  frac: number[][];
  Z: number[];
  src: number[];
  dst: number[];
  shift: number[][];
}
export interface PeerOutputs {
  atom_vec: number[][][];
  lattice_action: number[][][];
  h_after_layer1: number[][][];
  h_final: number[][][];
  edge_w_first10: number[][][];
  loss: number;
  grads: Record<string, { norm: number; first8: number[] }>;
  loss_after_one_adam_step: number;
  adam: { lr: number; betas: [number, number]; eps: number };
}
export interface PeerCase {
  config: { F: number; K: number; layers: number; cutoff: number; zmax: number };
  weights: Record<string, PeerTensor>;
  crystals: PeerCrystal[];
  outputs: { float32: PeerOutputs; float64: PeerOutputs };
}

export function readPeerCase(): PeerCase {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'egnn_case.json.gz');
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as PeerCase;
}

/** Row-major float32 values of a peer tensor (Math.fround of the shortest round-trip decimals). */
export function peerValues(t: PeerTensor): Float32Array {
  const flat = (Array.isArray(t.data) ? t.data.flat(2) : [t.data]) as number[];
  return Float32Array.from(flat, Math.fround);
}

/** Columns [c0, c1) of the [out, in] PyTorch matrix, transposed to our [in, out] layout. */
function columnsTransposed(t: PeerTensor, c0: number, c1: number): tf.Tensor2D {
  const [rows, cols] = t.shape;
  const v = peerValues(t);
  const out = new Float32Array((c1 - c0) * rows);
  for (let r = 0; r < rows; r++) for (let c = c0; c < c1; c++) out[(c - c0) * rows + r] = v[r * cols + c];
  return tf.tensor2d(out, [c1 - c0, rows]);
}

/** Pairs of (our variable, peer tensor as our layout) for every weight. */
export function peerWeightMap(
  net: Egnn,
  w: Record<string, PeerTensor>,
): { ours: tf.Variable; theirs: tf.Tensor; peerName: string }[] {
  net.build();
  const F = net.units;
  const K = net.basisSize;
  const pairs: { ours: tf.Variable; theirs: tf.Tensor; peerName: string }[] = [];
  const add = (ours: tf.Variable, theirs: tf.Tensor, peerName: string) => pairs.push({ ours, theirs, peerName });
  const vec = (name: string) => tf.tensor1d(peerValues(w[name]));
  add(
    net.embedding.table,
    tf.tensor2d(peerValues(w['embed.weight']), w['embed.weight'].shape as [number, number]),
    'embed.weight',
  );
  net.convs.forEach((c, l) => {
    const p = `layers.${l}.`;
    const e1 = w[`${p}phi_e.l1.weight`];
    add(c.edge1A, columnsTransposed(e1, 0, F), `${p}phi_e.l1.weight`);
    add(c.edge1B, columnsTransposed(e1, F, 2 * F), `${p}phi_e.l1.weight`);
    add(c.edge1C, columnsTransposed(e1, 2 * F, 2 * F + K), `${p}phi_e.l1.weight`);
    add(c.edge1Bias, vec(`${p}phi_e.l1.bias`), `${p}phi_e.l1.bias`);
    const e2 = w[`${p}phi_e.l2.weight`];
    add(c.edge2, columnsTransposed(e2, 0, e2.shape[1]), `${p}phi_e.l2.weight`);
    add(c.edge2Bias, vec(`${p}phi_e.l2.bias`), `${p}phi_e.l2.bias`);
    const h1 = w[`${p}phi_h.l1.weight`];
    add(c.node1A, columnsTransposed(h1, 0, F), `${p}phi_h.l1.weight`);
    add(c.node1B, columnsTransposed(h1, F, 2 * F), `${p}phi_h.l1.weight`);
    add(c.node1Bias, vec(`${p}phi_h.l1.bias`), `${p}phi_h.l1.bias`);
    const h2 = w[`${p}phi_h.l2.weight`];
    add(c.node2, columnsTransposed(h2, 0, h2.shape[1]), `${p}phi_h.l2.weight`);
    add(c.node2Bias, vec(`${p}phi_h.l2.bias`), `${p}phi_h.l2.bias`);
  });
  const o1 = w['head.l1.weight'];
  add(net.head.head1A, columnsTransposed(o1, 0, F), 'head.l1.weight');
  add(net.head.head1B, columnsTransposed(o1, F, 2 * F), 'head.l1.weight');
  add(net.head.head1C, columnsTransposed(o1, 2 * F, 2 * F + K), 'head.l1.weight');
  add(net.head.head1Bias, vec('head.l1.bias'), 'head.l1.bias');
  const o2 = w['head.l2.weight'];
  add(net.head.head2, columnsTransposed(o2, 0, o2.shape[1]), 'head.l2.weight');
  add(net.head.head2Bias, vec('head.l2.bias'), 'head.l2.bias');
  return pairs;
}

/** Copies the peer's weights into `net` (which must have the peer's configuration). */
export function loadPeerWeights(net: Egnn, w: Record<string, PeerTensor>): void {
  for (const { ours, theirs } of peerWeightMap(net, w)) {
    ours.assign(theirs);
    theirs.dispose();
  }
}

/** The case's two crystals as one batch of plain arrays (the shape of @crys/graph's GraphBatch). */
export function peerBatch(c: PeerCase) {
  const src: number[] = [],
    dst: number[] = [],
    image: number[] = [],
    frac: number[] = [],
    lat: number[] = [];
  const Z: number[] = [],
    crystal: number[] = [];
  let off = 0;
  c.crystals.forEach((x, b) => {
    for (let e = 0; e < x.src.length; e++) {
      src.push(x.src[e] + off);
      dst.push(x.dst[e] + off);
      image.push(...x.shift[e]);
    }
    for (const row of x.frac) frac.push(...row);
    for (const row of x.lattice) lat.push(...row);
    for (const z of x.Z) {
      Z.push(z);
      crystal.push(b);
    }
    off += x.Z.length;
  });
  return {
    src: Int32Array.from(src),
    dst: Int32Array.from(dst),
    image: Int32Array.from(image),
    fracCoords: Float64Array.from(frac),
    lattices: Float64Array.from(lat),
    atomicNumbers: Uint8Array.from(Z),
    crystalIndex: Int32Array.from(crystal),
  };
}
