// Numerical cross-check against the PyTorch peer (the peers' egnn_ref.py `case`, see tools/peers/): same weights, same two
// crystals and neighbour lists, every output compared. Tolerances (float32 on both sides, different summation
// orders): outputs within 1e-4 of the largest reference value; gradient norms and losses within 1e-3 relative.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../test/helpers.js';
import { loadPeerWeights, type PeerCase, peerBatch, peerWeightMap, readPeerCase } from '../test/peer.js';
import { Egnn } from './egnn.js';
import { disposeGraphTensors, edgeVectors, type GraphTensors, graphTensors } from './graph-tensors.js';
import { _referenceReadout } from './readout.js';

function maxRelErr(actual: ArrayLike<number>, expected: number[]): number {
  let scale = 0,
    err = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
  }
  return err / scale;
}

const flat = (x: number[][][], parts: number[]) => parts.flatMap((p) => x[p].flat());

describe.each(TEST_BACKENDS)('Egnn reproduces the PyTorch peer case on %s', (backend) => {
  let peer: PeerCase;
  let net: Egnn;
  let t: GraphTensors;
  beforeAll(async () => {
    await useBackend(backend);
    peer = readPeerCase();
    const { F, K, layers, cutoff, zmax } = peer.config;
    net = new Egnn({ units: F, basisSize: K, layers, cutoff, maxAtomicNumber: zmax });
    loadPeerWeights(net, peer.weights);
    t = graphTensors(peerBatch(peer));
  });
  afterAll(() => {
    disposeGraphTensors(t);
    net.dispose();
  });

  const forward = () => {
    const vectors = edgeVectors(t.fracCoords, t.lattices, t.src, t.dst, t.image, t.edgeCrystalIndex);
    const out = net.apply({ atomicNumbers: t.atomicNumbers, src: t.src, dst: t.dst, vectors });
    const r = _referenceReadout(
      out.edgeOutputs,
      vectors,
      out.distances,
      t.src,
      t.edgeCrystalIndex,
      t.numNodes,
      t.numGraphs,
    );
    return { vectors, ...out, ...r };
  };

  test('node features after layer 1 and at the end, edge weights, atom vectors and lattice actions match', () => {
    const ref = peer.outputs.float32;
    const ref64 = peer.outputs.float64;
    const errs: Record<string, number> = {};
    tf.tidy(() => {
      const o = forward();
      const e = net.basis.apply(o.distances);
      const fc = net.envelope.apply(o.distances);
      const h0 = net.embedding.apply(t.atomicNumbers);
      const h1 = net.convs[0].apply({ nodeFeatures: h0, edgeFeatures: e, envelope: fc, src: t.src, dst: t.dst });
      errs.h1 = maxRelErr(h1.dataSync(), flat(ref.h_after_layer1, [0, 1]));
      errs.hFinal = maxRelErr(o.nodeFeatures.dataSync(), flat(ref.h_final, [0, 1]));
      const e0 = peer.crystals[0].src.length;
      const w = o.edgeOutputs.arraySync();
      errs.edgeW = maxRelErr([...w.slice(0, 10), ...w.slice(e0, e0 + 10)].flat(), flat(ref.edge_w_first10, [0, 1]));
      errs.atomVec = maxRelErr(o.atomVectors.dataSync(), flat(ref.atom_vec, [0, 1]));
      errs.lattice = maxRelErr(o.latticeActions.dataSync(), flat(ref.lattice_action, [0, 1]));
      errs.atomVec64 = maxRelErr(o.atomVectors.dataSync(), flat(ref64.atom_vec, [0, 1]));
      errs.lattice64 = maxRelErr(o.latticeActions.dataSync(), flat(ref64.lattice_action, [0, 1]));
    });
    console.log(`peer case (${backend}) max |ours − peer| / max |peer|:`, JSON.stringify(errs));
    for (const v of Object.values(errs)) expect(v).toBeLessThan(1e-4);
  });

  test('loss, gradient norms of every peer parameter and the loss after one Adam step match', () => {
    const ref = peer.outputs.float32;
    const vars = net.trainableVariables;
    const lossFn = () => {
      const o = forward();
      return tf.add(tf.mean(tf.square(o.atomVectors)), tf.mean(tf.square(o.latticeActions))) as tf.Scalar;
    };
    const saved = net.save();
    const { value, grads } = tf.variableGrads(lossFn, vars);
    const loss = value.dataSync()[0];
    // Gradient norm per peer parameter (a split first-layer matrix sums the squares of its parts).
    const sq = new Map<string, number>();
    const pairs = peerWeightMap(net, peer.weights);
    for (const { ours, theirs, peerName } of pairs) {
      const g = grads[ours.name].dataSync();
      let s = 0;
      for (let i = 0; i < g.length; i++) s += g[i] * g[i];
      sq.set(peerName, (sq.get(peerName) ?? 0) + s);
      theirs.dispose();
    }
    let worstGrad = 0;
    for (const [name, s] of sq)
      worstGrad = Math.max(worstGrad, Math.abs(Math.sqrt(s) - ref.grads[name].norm) / ref.grads[name].norm);
    const { lr, betas, eps } = ref.adam;
    const opt = tf.train.adam(lr, betas[0], betas[1], eps);
    opt.applyGradients(grads as unknown as Parameters<typeof opt.applyGradients>[0]);
    const loss2 = tf.tidy(() => lossFn().dataSync()[0]);
    tf.dispose([value, ...Object.values(grads)]);
    opt.dispose();
    net.setWeights(saved.weights); // restore for the other tests
    const errs = {
      loss: Math.abs(loss - ref.loss) / ref.loss,
      gradNorms: worstGrad,
      lossAfterAdam: Math.abs(loss2 - ref.loss_after_one_adam_step) / ref.loss_after_one_adam_step,
    };
    console.log(`peer case (${backend}) relative errors:`, JSON.stringify(errs));
    expect(sq.size).toBe(Object.keys(ref.grads).length);
    for (const v of Object.values(errs)) expect(v).toBeLessThan(1e-3);
  });
});
