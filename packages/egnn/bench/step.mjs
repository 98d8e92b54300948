// The benchmarked step of the 4-layer network on one case, shared by run.mjs (timed beside the peer) and
// profile-step.mjs (profiled by kernel): the forward pass to the peer's readout, and a training step (forward,
// backward and Adam as @crys/model trains) on fixed random targets.
import { _referenceReadout, adamUpdateAll, disposeGraphTensors, edgeVectors, graphTensors } from '@crys/egnn';
import * as tf from '@tensorflow/tfjs';
import { rng } from './data.mjs';

/**
 * `forward()` (call inside a tidy) and `train()` of `net` on case `c`: a dataset batch (`c.batch`, a
 * `radiusGraphBatch` result) or a synthetic graph (`c.tensors()`), with `c.N` atoms in `c.B` crystals.
 * `dispose()` frees the case's tensors, targets and Adam moments (not the network).
 */
export function networkStep(net, c) {
  const vars = net.trainableVariables;
  // Adam as @crys/model trains (and as torch.optim.Adam, lr 1e-3): one fused kernel for all the weights.
  const moments = vars.map((v) => [tf.variable(tf.zerosLike(v), false), tf.variable(tf.zerosLike(v), false)]);
  let applied = 0;
  const minimize = (lossFn) => {
    const { value, grads } = tf.variableGrads(lossFn, vars);
    applied++;
    const stepSize = (1e-3 * Math.sqrt(1 - 0.999 ** applied)) / (1 - 0.9 ** applied);
    const slots = vars.map((w, i) => ({ w, m: moments[i][0], v: moments[i][1], g: grads[w.name] }));
    adamUpdateAll(slots, { stepSize, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    tf.dispose([value, ...Object.values(grads)]);
  };
  const r = rng(7);
  const tgtA = tf.tensor2d(
    Float32Array.from({ length: c.N * 3 }, () => r() - 0.5),
    [c.N, 3],
  );
  const tgtL = tf.tensor3d(
    Float32Array.from({ length: c.B * 9 }, () => r() - 0.5),
    [c.B, 3, 3],
  );
  const gt = c.batch ? graphTensors(c.batch) : undefined;
  const st = c.batch ? undefined : c.tensors();
  const forward = () => {
    // Dataset batches compute edge vectors from fractional coordinates and lattices inside the step (as the
    // peer's model(batch) does); synthetic graphs take vectors directly (the peer's forward_edges).
    const t = gt ?? st;
    const vectors = gt
      ? edgeVectors(gt.fracCoords, gt.lattices, gt.src, gt.dst, gt.image, gt.edgeCrystalIndex)
      : st.vectors;
    const o = net.apply({ atomicNumbers: t.atomicNumbers, src: t.src, dst: t.dst, vectors });
    return _referenceReadout(o.edgeOutputs, vectors, o.distances, t.src, t.edgeCrystalIndex, c.N, c.B);
  };
  const train = () =>
    minimize(() => {
      const { atomVectors, latticeActions } = forward();
      return tf.add(tf.mean(tf.square(tf.sub(atomVectors, tgtA))), tf.mean(tf.square(tf.sub(latticeActions, tgtL))));
    });
  const dispose = () => {
    if (gt) disposeGraphTensors(gt);
    if (st) tf.dispose(Object.values(st));
    tf.dispose([tgtA, tgtL, ...moments.flat()]);
  };
  return { forward, train, dispose };
}
