/**
 * The action head on batches of 64 val crystals (perov_5: N = 320; carbon_24: N ≈ 580), 5 Å radius graphs:
 * edge → action (edgeActions) and application (applyActions) as float32 tfjs ops on the default Node backend
 * (cpu; `CRYS_BACKEND=wasm` selects wasm through @crys/egnn's `initBackend`), forward and forward + backward,
 * beside the Float64 plain-array pipeline. Inputs are built once,
 * outside the timed functions. No peer: the PyTorch comparison of the whole network is @crys/egnn's bench.
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendName, initBackend } from '@crys/egnn';
import { radiusGraphBatch } from '@crys/graph';
import { bench, describe } from 'vitest';
import { applyActions, applyActionsFromArrays } from '../src/apply.js';
import { edgeActions, edgeActionsFromArrays } from '../src/edge-actions.js';
import { invariantWeights, readVal } from '../test/crystals.js';

const CUTOFF = 5;
const backend = await initBackend((process.env.CRYS_BACKEND as BackendName | undefined) ?? 'cpu');

for (const name of ['perov_5', 'carbon_24'] as const) {
  const crystals = readVal(name, 64);
  const batch = radiusGraphBatch(crystals, { cutoff: CUTOFF, vectors: true });
  const vectors = batch.vectors!;
  const weights = invariantWeights(batch.atomicNumbers, batch, vectors, CUTOFF);
  const B = batch.numGraphs,
    N = batch.numNodes,
    E = batch.src.length;
  const tVectors = tf.tensor2d(Float32Array.from(vectors), [E, 3]);
  const tWeights = tf.tensor2d(Float32Array.from(weights), [E, 2]);
  const tLattices = tf.tensor3d(Float32Array.from(batch.lattices), [B, 3, 3]);
  const tFrac = tf.tensor2d(Float32Array.from(batch.fracCoords), [N, 3]);
  const src = tf.tensor1d(batch.src, 'int32');
  const edgeCrystal = tf.tensor1d(batch.edgeCrystalIndex, 'int32');
  const crystalIndex = tf.tensor1d(batch.crystalIndex, 'int32');

  const step = (v: tf.Tensor, w: tf.Tensor) => {
    const a = edgeActions(v as tf.Tensor2D, w as tf.Tensor2D, src, edgeCrystal, N, B);
    return applyActions(tLattices, tFrac, crystalIndex, a.latticeAction, a.atomActionsCart);
  };
  const lossGrad = tf.grads((v: tf.Tensor, w: tf.Tensor) => {
    const o = step(v, w);
    return tf.add(tf.sum(o.lattices), tf.sum(o.frac));
  });

  describe(`${name}: 64 crystals, N = ${N}, E = ${E} (5 Å), tfjs ${backend}`, () => {
    bench('tensor forward: edgeActions + applyActions', () => {
      tf.tidy(() => {
        const o = step(tVectors, tWeights);
        o.frac.dataSync();
        o.lattices.dataSync();
      });
    });
    bench('tensor forward + backward (gradients w.r.t. edge vectors and weights)', () => {
      tf.tidy(() => {
        for (const g of lossGrad([tVectors, tWeights])) g.dataSync();
      });
    });
    bench('plain Float64: edgeActionsFromArrays + applyActionsFromArrays', () => {
      const a = edgeActionsFromArrays(vectors, weights, batch.src, batch.edgeCrystalIndex, N, B);
      applyActionsFromArrays(batch.lattices, batch.fracCoords, batch.crystalIndex, a.latticeAction, a.atomActionsCart);
    });
  });
}
