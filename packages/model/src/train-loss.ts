import * as tf from '@tensorflow/tfjs';
import type { Crystal } from '@crys/lattice';
import { boundedDeformation } from '@crys/actions';
import { expSymmetric, InvalidArgumentError, latticeParameters, multiply } from '@crys/lattice';
import { buildInputs, disposeInputs } from './batch.js';
import { type ActionModel, type LatticeStats, modelGraphSpec } from './model.js';
import { atomSigma, type TrainingSample } from './tasks.js';

/** The loss of a batch and its two parts (scalars owned by the caller's tidy). */
export interface LossParts {
  total: tf.Scalar;
  atom: tf.Scalar;
  lattice: tf.Scalar;
}

/** Floors of the lattice-parameter spread: Å for a, b, c and degrees for α, β, γ. */
export const LATTICE_STD_FLOOR: readonly number[] = [0.05, 0.05, 0.05, 1, 1, 1];

/**
 * Mean and (floored) standard deviation of the six lattice parameters of a set of crystals.
 *
 * @example
 * const stats = latticeStats(train); stats.std[3]; // ≥ 1 (degrees)
 */
export function latticeStats(crystals: readonly Crystal[]): LatticeStats {
  const sum = new Float64Array(6),
    sq = new Float64Array(6);
  for (const c of crystals) {
    const p = latticeParameters(c.lattice);
    const v = [p.a, p.b, p.c, p.alpha, p.beta, p.gamma];
    for (let i = 0; i < 6; i++) {
      sum[i] += v[i];
      sq[i] += v[i] * v[i];
    }
  }
  const n = Math.max(1, crystals.length);
  const mean = Array.from(sum, (s) => s / n);
  const std = mean.map((m, i) => Math.max(LATTICE_STD_FLOOR[i], Math.sqrt(Math.max(0, sq[i] / n - m * m))));
  return { mean, std };
}

/**
 * a, b, c (Å) and α, β, γ (degrees) of a batch of lattices [B, 3, 3] (rows are the lattice vectors), as a
 * differentiable [B, 6] tensor (cosines clipped to ±(1 − 1e-6) so the arccosine's gradient stays finite).
 *
 * @example
 * latticeParameterTensor(tf.tensor3d([[[3, 0, 0], [0, 4, 0], [0, 0, 5]]])); // [[3, 4, 5, 90, 90, 90]]
 */
export function latticeParameterTensor(lattices: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const [a, b, c] = tf.split(lattices, 3, 1).map((t) => tf.reshape(t, [-1, 3]));
    const norm = (x: tf.Tensor) => tf.sqrt(tf.sum(tf.square(x), 1));
    const la = norm(a),
      lb = norm(b),
      lc = norm(c);
    const angle = (x: tf.Tensor, y: tf.Tensor, lx: tf.Tensor, ly: tf.Tensor) =>
      tf.mul(
        tf.acos(tf.clipByValue(tf.div(tf.sum(tf.mul(x, y), 1), tf.mul(lx, ly)), -1 + 1e-6, 1 - 1e-6)),
        180 / Math.PI,
      );
    return tf.stack([la, lb, lc, angle(b, c, lb, lc), angle(a, c, la, lc), angle(a, b, la, lb)], 1) as tf.Tensor2D;
  });
}

/**
 * The network inputs of a batch of noised samples and a closure computing its loss (to run under `tf.tidy` or
 * `tf.variableGrads`): the mean squared error of the atom actions (weighted by noise level when `atomNoiseScale`
 * is set) plus `latticeWeight` times that of the lattice log-deformation; for lattice recovery, the standardised
 * lattice-parameter error of L_t·exp(Â). The caller disposes `inputs`.
 *
 * @example
 * const { inputs, loss } = batchLoss(model, samples, 10);
 * const total = tf.tidy(() => loss().total.dataSync()[0]);
 * disposeInputs(inputs);
 */
export function batchLoss(
  model: ActionModel,
  samples: TrainingSample[],
  latticeWeight: number,
  atomNoiseScale = 0,
): { inputs: ReturnType<typeof buildInputs>; loss: () => LossParts } {
  const table = model.config.species;
  const inputs = buildInputs(
    samples.map((s) => ({
      lattice: s.lattice,
      frac: s.frac,
      atomicNumbers: Array.from(s.species, (i) => table[i]),
      level: s.level,
    })),
    modelGraphSpec(model.config),
  );
  const atomTarget = new Float32Array(3 * inputs.numNodes);
  const atomWeight = atomNoiseScale > 0 ? new Float32Array(inputs.numNodes) : undefined;
  let o = 0;
  for (const s of samples) {
    atomTarget.set(s.atomTarget, o);
    if (atomWeight)
      atomWeight.fill(
        1 + (atomSigma(model.config.task, s.level) / atomNoiseScale) ** 2,
        o / 3,
        o / 3 + s.species.length,
      );
    o += s.atomTarget.length;
  }
  const B = samples.length;
  const latticeTarget = new Float32Array(9 * B);
  for (let b = 0; b < B; b++) latticeTarget.set(samples[b].latticeTarget, 9 * b);
  const useAtoms = model.config.task.atomSigmaMax > 0;
  // Lattice recovery: loss on standardised a, b, c, α, β, γ of L_t·exp(Â) against the clean lattice's.
  let paramLoss: (() => tf.Scalar) | undefined;
  if (model.config.task.kind === 'lattice') {
    const s = model.config.latticeStats ?? latticeStats([]);
    const noised = new Float32Array(9 * B);
    const truth = new Float32Array(6 * B);
    const clean = new Float64Array(9);
    const g = new Float64Array(9);
    for (let b = 0; b < B; b++) {
      noised.set(samples[b].lattice, 9 * b);
      multiply(clean, samples[b].lattice, expSymmetric(g, samples[b].latticeTarget));
      const p = latticeParameters(clean);
      truth.set([p.a, p.b, p.c, p.alpha, p.beta, p.gamma], 6 * b);
    }
    const inv = Float32Array.from(s.std, (x) => 1 / x);
    paramLoss = () => {
      const out = model.network.forward(inputs);
      const predicted = tf.matMul(tf.tensor3d(noised, [B, 3, 3]), boundedDeformation(out.lattice, { map: 'exp' }));
      const err = tf.mul(
        tf.sub(latticeParameterTensor(predicted as tf.Tensor3D), tf.tensor2d(truth, [B, 6])),
        tf.tensor1d(inv),
      );
      return tf.mean(tf.square(err)) as tf.Scalar;
    };
  }
  // Property: the trace of the lattice output (an invariant per-crystal average, see `predictProperty`) against the
  // standardised value; reported as the total, with no atom or lattice part.
  if (model.config.task.kind === 'property') {
    const target = Float32Array.from(samples, (s, b) => {
      if (s.propertyTarget === undefined) {
        throw new InvalidArgumentError(
          'batchLoss',
          `samples[${b}]`,
          'has no propertyTarget (a property model needs one)',
        );
      }
      return s.propertyTarget;
    });
    paramLoss = () => {
      const out = model.network.forward(inputs);
      const trace = tf.sum(tf.mul(out.lattice, tf.eye(3).expandDims(0)), [1, 2]);
      return tf.mean(tf.square(tf.sub(trace, tf.tensor1d(target)))) as tf.Scalar;
    };
  }
  return {
    inputs,
    loss: () => {
      if (paramLoss && model.config.task.kind === 'property') {
        const total = paramLoss();
        return { total, atom: tf.scalar(0), lattice: tf.scalar(0) };
      }
      if (paramLoss) {
        const lattice = paramLoss();
        return { total: lattice, atom: tf.scalar(0), lattice };
      }
      const out = model.network.forward(inputs);
      const sq = tf.square(tf.sub(out.atoms, tf.tensor2d(atomTarget, [inputs.numNodes, 3])));
      const atom = useAtoms ? (tf.mean(sq) as tf.Scalar) : tf.scalar(0);
      const weighted =
        useAtoms && atomWeight
          ? (tf.mean(tf.mul(sq, tf.tensor2d(atomWeight, [inputs.numNodes, 1]))) as tf.Scalar)
          : atom;
      const lattice = tf.mean(tf.square(tf.sub(out.lattice, tf.tensor3d(latticeTarget, [B, 3, 3])))) as tf.Scalar;
      return { total: tf.add(weighted, tf.mul(lattice, latticeWeight)) as tf.Scalar, atom, lattice };
    },
  };
}

/**
 * Validation loss of a model on fixed noised samples (mean over samples, batched).
 *
 * @example
 * const { loss } = validationLoss(model, samples, 10);
 */
export function validationLoss(
  model: ActionModel,
  samples: TrainingSample[],
  latticeWeight: number,
  batchSize = 128,
  atomNoiseScale = 0,
): { loss: number; atomLoss: number; latticeLoss: number } {
  let atom = 0,
    lattice = 0,
    total = 0,
    count = 0;
  for (let i = 0; i < samples.length; i += batchSize) {
    const chunk = samples.slice(i, i + batchSize);
    const { inputs, loss } = batchLoss(model, chunk, latticeWeight, atomNoiseScale);
    const [a, l, t] = tf.tidy(() => {
      const p = loss();
      return [p.atom.dataSync()[0], p.lattice.dataSync()[0], p.total.dataSync()[0]];
    });
    disposeInputs(inputs);
    atom += a * chunk.length;
    lattice += l * chunk.length;
    total += t * chunk.length;
    count += chunk.length;
  }
  atom /= Math.max(1, count);
  lattice /= Math.max(1, count);
  // the same total as a training step: lattice recovery has only the (unweighted) lattice-parameter loss
  const loss = total / Math.max(1, count);
  return { loss, atomLoss: atom, latticeLoss: lattice };
}
