import { Egnn, edgeVectors, graphTensors, initBackend, segmentSum } from '@crys/egnn';
import { radiusGraphBatch } from '@crys/graph';
import { createCrystal } from '@crys/lattice';
import * as tf from '@tensorflow/tfjs';

tf.enableProdMode(); // quiet: no "install tfjs-node" banner if we fall back to cpu
console.log(await initBackend()); // wasm

// Rock-salt NaCl (conventional cubic cell, 8 atoms) and its radius graph at 5 Å.
const nacl = createCrystal({
  lattice: [5.64, 0, 0, 0, 5.64, 0, 0, 0, 5.64],
  fracCoords: [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5, 0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5, 0.5, 0.5, 0.5],
  atomicNumbers: [11, 11, 11, 11, 17, 17, 17, 17],
});
const graph = radiusGraphBatch([nacl], { cutoff: 5 });
const t = graphTensors(graph);

// A small periodic EGNN: per-edge invariant weights w_e, then per-atom vectors Σ_e w_e r_e (equivariant).
const net = new Egnn({ units: 16, layers: 2, seed: 42 });
const atomVectors = tf.tidy(() => {
  const vectors = edgeVectors(t.fracCoords, t.lattices, t.src, t.dst, t.image, t.edgeCrystalIndex);
  const { edgeOutputs } = net.apply({ atomicNumbers: t.atomicNumbers, src: t.src, dst: t.dst, vectors });
  return segmentSum(tf.mul(edgeOutputs.slice([0, 0], [-1, 1]), vectors), t.src, t.numNodes);
});
console.log(t.src.shape[0], atomVectors.shape); // 208 [8, 3]: 6 + 12 + 8 neighbours per atom within 5 Å
// By symmetry every atom of perfect rock salt feels no net vector:
console.log(Math.max(...Array.from(atomVectors.dataSync(), Math.abs)) < 1e-4); // true

// The same network on typed arrays, without tfjs (fast for one small crystal). It snapshots the weights.
const vt = edgeVectors(t.fracCoords, t.lattices, t.src, t.dst, t.image, t.edgeCrystalIndex);
const vectors = vt.dataSync() as Float32Array;
vt.dispose();
const fast = net.compileInference().apply({ ...graph, vectors }); // atomicNumbers, src, dst: typed arrays
const slow = tf.tidy(() => net.apply({ ...t, vectors: tf.tensor2d(vectors, [208, 3]) }).edgeOutputs.dataSync());
console.log(fast.edgeOutputs.every((w, i) => Math.abs(w - slow[i]) < 1e-5)); // true

// Weights and configuration save deterministically and load back.
const { config, weights } = net.save();
console.log(
  weights.length,
  Egnn.load(config, weights)
    .save()
    .weights.every((w, i) => w === weights[i]),
); // 6146 true
