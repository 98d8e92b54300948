import { radiusGraphBatch } from '@crys/graph';
import { type Crystal, createCrystal, wrapFrac } from '@crys/lattice';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fdCheck, randomArray, TEST_BACKENDS, useBackend, valCrystals } from '../test/helpers.js';
import { Egnn, type EgnnArgs } from './egnn.js';
import { EdgeHead, EgnnConv, WEIGHTED_MEAN_EPSILON } from './egnn-conv.js';
import { SpeciesEmbedding } from './embedding.js';
import { disposeGraphTensors, edgeVectors, type GraphTensors, graphTensors } from './graph-tensors.js';
import { gatherRows } from './ops/gather-rows.js';
import { LevelEmbedding } from './level-embedding.js';
import { BesselBasis, CosineCutoff, edgeLengths, GaussianBasis, PolynomialCutoff } from './radial.js';
import { _referenceReadout } from './readout.js';
import { VectorChannels } from './vector-channels.js';

const CUTOFF = 5;

/** The level inputs of a network with `levelFeatures` (a level per crystal, 0.1, 0.25, …), nothing otherwise. */
function levelInputs(net: Egnn, t: GraphTensors): { level?: tf.Tensor1D; crystalIndex?: tf.Tensor1D } {
  if (net.levelFeatures === 0) return {};
  return {
    level: tf.tensor1d(Float32Array.from({ length: t.numGraphs }, (_, k) => 0.1 + 0.15 * k)),
    crystalIndex: t.crystalIndex,
  };
}

/** Runs the network plus the peer's readout on a batch of crystals; returns plain arrays. */
function run(net: Egnn, crystals: Crystal[]) {
  const batch = radiusGraphBatch(crystals, { cutoff: CUTOFF });
  const t = graphTensors(batch);
  const out = tf.tidy(() => {
    const vectors = edgeVectors(t.fracCoords, t.lattices, t.src, t.dst, t.image, t.edgeCrystalIndex);
    const o = net.apply({ atomicNumbers: t.atomicNumbers, src: t.src, dst: t.dst, vectors, ...levelInputs(net, t) });
    const r = _referenceReadout(
      o.edgeOutputs,
      vectors,
      o.distances,
      t.src,
      t.edgeCrystalIndex,
      t.numNodes,
      t.numGraphs,
    );
    return {
      h: o.nodeFeatures.dataSync().slice(),
      w: o.edgeOutputs.dataSync().slice(),
      a: r.atomVectors.dataSync().slice(),
      A: r.latticeActions.dataSync().slice(),
    };
  });
  disposeGraphTensors(t);
  return { ...out, batch };
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** max |a − b| / max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e / Math.max(maxAbs(b), 1e-12);
}

function randomOrthogonal(seed: number, reflect: boolean): number[] {
  // Gram–Schmidt on a seeded random matrix; a reflection flips the last row.
  const r = randomArray(9, seed);
  const rows = [0, 1, 2].map((i) => [r[3 * i], r[3 * i + 1], r[3 * i + 2]]);
  const q: number[][] = [];
  for (const v of rows) {
    const u = v.slice();
    for (const p of q) {
      const d = u[0] * p[0] + u[1] * p[1] + u[2] * p[2];
      for (let k = 0; k < 3; k++) u[k] -= d * p[k];
    }
    const n = Math.hypot(u[0], u[1], u[2]);
    q.push(u.map((x) => x / n));
  }
  if (reflect) q[2] = q[2].map((x) => -x);
  return q.flat();
}

/** L → L·Rᵀ (rotates every Cartesian vector v → R·v). */
function rotateLattice(c: Crystal, R: number[]): Crystal {
  const L = c.lattice;
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      out[3 * i + j] = L[3 * i] * R[3 * j] + L[3 * i + 1] * R[3 * j + 1] + L[3 * i + 2] * R[3 * j + 2];
  return createCrystal({ lattice: out, fracCoords: c.fracCoords, atomicNumbers: c.atomicNumbers });
}

// Float32 tolerances for symmetry checks: the graph is rebuilt in float64 and the network runs in float32 over
// sums of ~20–100 messages, so outputs agree to ~1e-6 relative; we allow 1e-4 relative to the largest value.
const SYM_TOL = 1e-4;

const VARIANTS: [string, EgnnArgs][] = [
  ['plain', {}],
  ['level + vector channels', { aggregation: 'mean', levelFeatures: 8, vectorChannels: 4 }],
  ['weighted mean, level + vector channels', { aggregation: 'weighted-mean', levelFeatures: 8, vectorChannels: 4 }],
];

describe.each(
  TEST_BACKENDS.flatMap((b) => VARIANTS.map(([name, args]) => [b, name, args] as const)),
)('Egnn on real val crystals (%s, %s)', (backend, _variant, args) => {
  let net: Egnn;
  let crystals: Crystal[];
  beforeAll(async () => {
    await useBackend(backend);
    net = new Egnn({ units: 32, layers: 3, seed: 3, ...args });
    crystals = [...valCrystals('perov_5', 3), ...valCrystals('carbon_24', 3)];
  });
  afterAll(() => net.dispose());

  test('edge outputs and node features are invariant and atom vectors / lattice actions equivariant under rotations and reflections', () => {
    const base = run(net, crystals);
    for (const [seed, reflect] of [
      [5, false],
      [6, true],
    ] as const) {
      const R = randomOrthogonal(seed, reflect);
      const rot = run(
        net,
        crystals.map((c) => rotateLattice(c, R)),
      );
      expect(relErr(rot.w, base.w)).toBeLessThan(SYM_TOL);
      expect(relErr(rot.h, base.h)).toBeLessThan(SYM_TOL);
      const aRot = new Float64Array(base.a.length);
      for (let i = 0; i < base.a.length; i += 3)
        for (let j = 0; j < 3; j++)
          aRot[i + j] = R[3 * j] * base.a[i] + R[3 * j + 1] * base.a[i + 1] + R[3 * j + 2] * base.a[i + 2];
      expect(relErr(rot.a, aRot)).toBeLessThan(SYM_TOL);
      const ARot = new Float64Array(base.A.length);
      for (let b = 0; b < base.A.length; b += 9)
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 3; j++) {
            let s = 0;
            for (let k = 0; k < 3; k++)
              for (let l = 0; l < 3; l++) s += R[3 * i + k] * base.A[b + 3 * k + l] * R[3 * j + l];
            ARot[b + 3 * i + j] = s;
          }
      expect(relErr(rot.A, ARot)).toBeLessThan(SYM_TOL);
    }
  });

  test('node features and atom vectors are unchanged by a translation of all atoms (with wrapping)', () => {
    const base = run(net, crystals);
    const shifted = crystals.map((c, k) => {
      const t = randomArray(3, 40 + k);
      const f = c.fracCoords.map((x, i) => x + t[i % 3]);
      return createCrystal({
        lattice: c.lattice,
        fracCoords: wrapFrac(new Float64Array(f.length), f),
        atomicNumbers: c.atomicNumbers,
      });
    });
    const sh = run(net, shifted);
    expect(relErr(sh.h, base.h)).toBeLessThan(SYM_TOL);
    expect(relErr(sh.a, base.a)).toBeLessThan(SYM_TOL);
    expect(relErr(sh.A, base.A)).toBeLessThan(SYM_TOL);
  });

  test('node features and atom vectors follow a permutation of the atoms', () => {
    const base = run(net, crystals);
    const perms: number[][] = [];
    const permuted = crystals.map((c) => {
      const n = c.atomicNumbers.length;
      const p = Array.from({ length: n }, (_, i) => (i * 5 + 3) % n);
      if (new Set(p).size !== n) p.reverse(); // (5i+3) mod n is a permutation unless 5 | n; then reverse
      const perm = new Set(p).size === n ? p : Array.from({ length: n }, (_, i) => n - 1 - i);
      perms.push(perm);
      const frac = new Float64Array(3 * n);
      const z = new Uint8Array(n);
      perm.forEach((src, i) => {
        frac.set(c.fracCoords.subarray(3 * src, 3 * src + 3), 3 * i);
        z[i] = c.atomicNumbers[src];
      });
      return createCrystal({ lattice: c.lattice, fracCoords: frac, atomicNumbers: z });
    });
    const pr = run(net, permuted);
    const F = net.units;
    const hWant = new Float32Array(base.h.length);
    const aWant = new Float32Array(base.a.length);
    let off = 0;
    perms.forEach((perm) => {
      perm.forEach((src, i) => {
        hWant.set(base.h.subarray((off + src) * F, (off + src + 1) * F), (off + i) * F);
        aWant.set(base.a.subarray((off + src) * 3, (off + src + 1) * 3), (off + i) * 3);
      });
      off += perm.length;
    });
    expect(relErr(pr.h, hWant)).toBeLessThan(SYM_TOL);
    expect(relErr(pr.a, aWant)).toBeLessThan(SYM_TOL);
    expect(relErr(pr.A, base.A)).toBeLessThan(SYM_TOL);
  });

  test('the network is finite in value and gradient at zero distance (self-loop image and coincident atoms)', () => {
    // Two carbon atoms at the same position plus an edge from atom 0 to itself with image 0: |r| = 0 twice.
    const t = graphTensors({
      src: Int32Array.from([0, 0, 1, 0]),
      dst: Int32Array.from([1, 0, 0, 1]),
      image: Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
      fracCoords: Float64Array.from([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]),
      lattices: Float64Array.from([3, 0, 0, 0, 3, 0, 0, 0, 3]),
      atomicNumbers: Uint8Array.from([6, 6]),
      crystalIndex: Int32Array.from([0, 0]),
    });
    const vars = net.trainableVariables;
    const level = levelInputs(net, t);
    const frac = tf.variable(t.fracCoords);
    const lat = tf.variable(t.lattices);
    const { value, grads } = tf.variableGrads(() => {
      const v = edgeVectors(frac, lat, t.src, t.dst, t.image, t.edgeCrystalIndex);
      const o = net.apply({ atomicNumbers: t.atomicNumbers, src: t.src, dst: t.dst, vectors: v, ...level });
      const r = _referenceReadout(o.edgeOutputs, v, o.distances, t.src, t.edgeCrystalIndex, t.numNodes, t.numGraphs);
      return tf.addN([
        tf.sum(tf.square(o.nodeFeatures)),
        tf.sum(tf.square(r.atomVectors)),
        tf.sum(tf.square(r.latticeActions)),
      ]) as tf.Scalar;
    }, [...vars, frac, lat]);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    for (const g of Object.values(grads)) expect(g.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([value, ...Object.values(grads), frac, lat, level.level ?? []]);
    disposeGraphTensors(t);
  });

  test('apply and a training step leave no tensors behind', () => {
    const batch = radiusGraphBatch(crystals.slice(0, 2), { cutoff: CUTOFF });
    const t = graphTensors(batch);
    const level = levelInputs(net, t);
    const opt = tf.train.adam(1e-3);
    const loss = () =>
      tf.tidy(() => {
        const v = edgeVectors(t.fracCoords, t.lattices, t.src, t.dst, t.image, t.edgeCrystalIndex);
        const inputs = { atomicNumbers: t.atomicNumbers, src: t.src, dst: t.dst, vectors: v, ...level };
        return tf.mean(tf.square(net.apply(inputs).edgeOutputs)) as tf.Scalar;
      });
    opt.minimize(loss, false, net.trainableVariables); // creates Adam's slots once
    const before = tf.memory().numTensors;
    loss().dispose();
    opt.minimize(loss, false, net.trainableVariables);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    level.level?.dispose();
    disposeGraphTensors(t);
  });
});

test('Egnn with levelFeatures or vectorChannels orders its weights embedding, level, (conv, vec) per layer, head and seeds its layers 0, 1, 10 + l, 100 + l, 999', () => {
  const seed = 4;
  const net = new Egnn({ units: 8, basisSize: 6, layers: 2, levelFeatures: 4, vectorChannels: 3, seed });
  const names = net.weights.map((w) => w.name.split('/')[0]);
  expect([...new Set(names)]).toEqual(['embedding', 'level', 'conv0', 'vec0', 'conv1', 'vec1', 'head']);
  const alone = [
    new LevelEmbedding({ name: 'level', features: 4, units: 8, seed: seed * 1000 + 1 }),
    new EgnnConv({ name: 'conv1', units: 8, edgeFeatures: 6, seed: seed * 1000 + 11 }),
    new VectorChannels({ name: 'vec1', units: 8, edgeFeatures: 6, channels: 3, seed: seed * 1000 + 101 }),
    new EdgeHead({ name: 'head', units: 8, edgeFeatures: 6, seed: seed * 1000 + 999 }),
  ];
  const byName = new Map(net.weights.map((w) => [w.name, w.variable]));
  for (const layer of alone) {
    for (const w of layer.weights) expect(byName.get(w.name)?.dataSync()).toEqual(w.variable.dataSync());
    layer.dispose();
  }
  // The plain network keeps its own layout: conv l at l + 1, the head at L + 1.
  const plain = new Egnn({ units: 8, basisSize: 6, layers: 2, seed });
  const head = new EdgeHead({ name: 'head', units: 8, edgeFeatures: 6, seed: seed * 1000 + 3 });
  expect(plain.head.weights[0].variable.dataSync()).toEqual(head.weights[0].variable.dataSync());
  for (const x of [net, plain, head]) x.dispose();
});

describe('gradients of every layer (cpu, central differences, eps = 1e-2, relative tolerance 2e-2)', () => {
  beforeAll(() => useBackend('cpu'));
  const E = 9,
    N = 4,
    F = 6,
    K = 5;
  const src = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3, 0]);
  const dst = Int32Array.from([1, 2, 0, 3, 3, 1, 0, 2, 0]);
  const d0 = Float32Array.from(randomArray(E, 50), (x) => 2.5 + 2 * x); // 0.5 … 4.5 Å
  const probe = (n: number, seed: number) => tf.tensor(randomArray(n, seed));
  const TOL = 2e-2;

  test('GaussianBasis, BesselBasis, CosineCutoff and PolynomialCutoff match finite differences in d', () => {
    for (const layer of [new GaussianBasis({ size: K, cutoff: 5 }), new BesselBasis({ size: K, cutoff: 5 })]) {
      const f = (d: tf.Tensor) =>
        tf.sum(tf.mul(layer.apply(d as tf.Tensor1D), tf.reshape(probe(E * K, 51), [E, K]))) as tf.Scalar;
      expect(fdCheck(f, d0, [E], { eps: 1e-3 }).worst).toBeLessThan(TOL);
    }
    for (const layer of [new CosineCutoff({ cutoff: 5 }), new PolynomialCutoff({ cutoff: 5 })]) {
      const f = (d: tf.Tensor) => tf.sum(tf.mul(layer.apply(d as tf.Tensor1D), probe(E, 52))) as tf.Scalar;
      expect(fdCheck(f, d0, [E], { eps: 1e-3 }).worst).toBeLessThan(TOL);
    }
    const f = (v: tf.Tensor) => tf.sum(tf.mul(edgeLengths(v as tf.Tensor2D), probe(3, 53))) as tf.Scalar;
    expect(fdCheck(f, randomArray(9, 54), [3, 3], { eps: 1e-3 }).worst).toBeLessThan(TOL);
  });

  /** Finite differences for a weight: analytic gradient from variableGrads, numeric by assigning perturbed values. */
  function fdWeight(variable: tf.Variable, loss: () => tf.Scalar, samples = 12): number {
    const x0 = variable.dataSync().slice() as Float32Array;
    const { value, grads } = tf.variableGrads(loss, [variable]);
    const g = grads[variable.name].dataSync().slice();
    tf.dispose([value, ...Object.values(grads)]);
    const eps = 1e-2;
    let worst = 0;
    for (let s = 0; s < Math.min(samples, x0.length); s++) {
      const k = Math.floor((s * x0.length) / samples);
      const at = (delta: number) => {
        const x = x0.slice();
        x[k] += delta;
        variable.assign(tf.tensor(x, variable.shape));
        return tf.tidy(() => loss().dataSync()[0]);
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      worst = Math.max(worst, Math.abs(fd - g[k]) / Math.max(Math.abs(fd), Math.abs(g[k]), 1e-2));
    }
    variable.assign(tf.tensor(x0, variable.shape));
    return worst;
  }

  test('SpeciesEmbedding matches finite differences in its table', () => {
    const emb = new SpeciesEmbedding({ units: F, maxAtomicNumber: 10, seed: 1 });
    emb.build();
    const z = tf.tensor1d([1, 6, 6, 8], 'int32');
    const loss = () => tf.sum(tf.tanh(tf.mul(emb.apply(z), tf.reshape(probe(N * F, 55), [N, F])))) as tf.Scalar;
    expect(fdWeight(emb.table, loss)).toBeLessThan(TOL);
  });

  for (const options of [
    {},
    { gating: true, layerNorm: true, aggregation: 'mean' as const },
    { aggregation: 'weighted-mean' as const },
  ]) {
    test(`EgnnConv ${JSON.stringify(options)} matches finite differences in its inputs and weights`, () => {
      const conv = new EgnnConv({ units: F, edgeFeatures: K, seed: 2, ...options });
      const e0 = randomArray(E * K, 56),
        h0 = randomArray(N * F, 57),
        fc0 = Float32Array.from(randomArray(E, 58), (x) => 0.5 + 0.5 * x);
      const w = tf.reshape(probe(N * F, 59), [N, F]);
      const s = tf.tensor1d(src, 'int32'),
        d = tf.tensor1d(dst, 'int32');
      const run = (h: tf.Tensor, e: tf.Tensor, fc: tf.Tensor) =>
        tf.sum(
          tf.tanh(
            tf.mul(
              conv.apply({
                nodeFeatures: h as tf.Tensor2D,
                edgeFeatures: e as tf.Tensor2D,
                envelope: fc as tf.Tensor1D,
                src: s,
                dst: d,
              }),
              w,
            ),
          ),
        ) as tf.Scalar;
      const H = tf.tensor2d(h0, [N, F]),
        Ef = tf.tensor2d(e0, [E, K]),
        FC = tf.tensor1d(fc0);
      expect(fdCheck((h) => run(h, Ef, FC), h0, [N, F]).worst).toBeLessThan(TOL);
      expect(fdCheck((e) => run(H, e, FC), e0, [E, K]).worst).toBeLessThan(TOL);
      expect(fdCheck((fc) => run(H, Ef, fc), fc0, [E]).worst).toBeLessThan(TOL);
      for (const v of conv.trainableVariables) expect(fdWeight(v, () => run(H, Ef, FC), 4)).toBeLessThan(TOL);
    });
  }

  test('EdgeHead matches finite differences in its inputs and weights', () => {
    const head = new EdgeHead({ units: F, edgeFeatures: K, seed: 4 });
    const e0 = randomArray(E * K, 60),
      h0 = randomArray(N * F, 61);
    const s = tf.tensor1d(src, 'int32'),
      d = tf.tensor1d(dst, 'int32');
    const FC = tf.tensor1d(Float32Array.from(randomArray(E, 62), (x) => 0.5 + 0.5 * x));
    const w = tf.reshape(probe(E * 2, 63), [E, 2]);
    const run = (h: tf.Tensor, e: tf.Tensor) =>
      tf.sum(
        tf.tanh(
          tf.mul(
            head.apply({
              nodeFeatures: h as tf.Tensor2D,
              edgeFeatures: e as tf.Tensor2D,
              envelope: FC,
              src: s,
              dst: d,
            }),
            w,
          ),
        ),
      ) as tf.Scalar;
    const H = tf.tensor2d(h0, [N, F]),
      Ef = tf.tensor2d(e0, [E, K]);
    expect(fdCheck((h) => run(h, Ef), h0, [N, F]).worst).toBeLessThan(TOL);
    expect(fdCheck((e) => run(H, e), e0, [E, K]).worst).toBeLessThan(TOL);
    for (const v of head.trainableVariables) expect(fdWeight(v, () => run(H, Ef), 4)).toBeLessThan(TOL);
  });

  test('LevelEmbedding matches finite differences in the level and its weights', () => {
    const layer = new LevelEmbedding({ features: 6, units: F, seed: 5 });
    const t0 = Float32Array.of(0.1, 0.45, 0.9);
    const w = tf.reshape(probe(3 * F, 64), [3, F]);
    const run = (t: tf.Tensor) => tf.sum(tf.tanh(tf.mul(layer.apply(t as tf.Tensor1D), w))) as tf.Scalar;
    expect(fdCheck(run, t0, [3], { eps: 1e-3 }).worst).toBeLessThan(TOL);
    const T = tf.tensor1d(t0);
    for (const v of layer.trainableVariables) expect(fdWeight(v, () => run(T), 4)).toBeLessThan(TOL);
    layer.dispose();
  });

  test.each([
    'mean',
    'weighted-mean',
  ] as const)('VectorChannels (%s) matches finite differences in its inputs and weights', (aggregation) => {
    const layer = new VectorChannels({ units: F, edgeFeatures: K, channels: 3, seed: 6, aggregation });
    const e0 = randomArray(E * K, 65),
      h0 = randomArray(N * F, 66),
      u0 = randomArray(E * 3, 67),
      fc0 = Float32Array.from(randomArray(E, 68), (x) => 0.5 + 0.5 * x);
    const w = tf.reshape(probe(N * F, 69), [N, F]);
    const s = tf.tensor1d(src, 'int32'),
      d = tf.tensor1d(dst, 'int32');
    const run = (h: tf.Tensor, e: tf.Tensor, fc: tf.Tensor, u: tf.Tensor) =>
      tf.sum(
        tf.tanh(
          tf.mul(
            layer.apply({
              nodeFeatures: h as tf.Tensor2D,
              edgeFeatures: e as tf.Tensor2D,
              envelope: fc as tf.Tensor1D,
              unitVectors: u as tf.Tensor2D,
              src: s,
              dst: d,
            }),
            w,
          ),
        ),
      ) as tf.Scalar;
    const H = tf.tensor2d(h0, [N, F]),
      Ef = tf.tensor2d(e0, [E, K]),
      FC = tf.tensor1d(fc0),
      U = tf.tensor2d(u0, [E, 3]);
    expect(fdCheck((h) => run(h, Ef, FC, U), h0, [N, F]).worst).toBeLessThan(TOL);
    expect(fdCheck((e) => run(H, e, FC, U), e0, [E, K]).worst).toBeLessThan(TOL);
    expect(fdCheck((fc) => run(H, Ef, fc, U), fc0, [E]).worst).toBeLessThan(TOL);
    expect(fdCheck((u) => run(H, Ef, FC, u), u0, [E, 3]).worst).toBeLessThan(TOL);
    for (const v of layer.trainableVariables) expect(fdWeight(v, () => run(H, Ef, FC, U), 4)).toBeLessThan(TOL);
    layer.dispose();
  });

  test('Egnn on a real crystal matches finite differences in fractional coordinates and lattice', () => {
    const net = new Egnn({ units: 8, basisSize: 6, layers: 2, seed: 9 });
    const [c] = valCrystals('perov_5', 1);
    const t = graphTensors(radiusGraphBatch([c], { cutoff: CUTOFF }));
    const loss = (frac: tf.Tensor, lat: tf.Tensor) => {
      const v = edgeVectors(frac as tf.Tensor2D, lat as tf.Tensor3D, t.src, t.dst, t.image, t.edgeCrystalIndex);
      const o = net.apply({ atomicNumbers: t.atomicNumbers, src: t.src, dst: t.dst, vectors: v });
      const r = _referenceReadout(o.edgeOutputs, v, o.distances, t.src, t.edgeCrystalIndex, t.numNodes, t.numGraphs);
      return tf.add(tf.sum(tf.tanh(r.atomVectors)), tf.sum(tf.tanh(r.latticeActions))) as tf.Scalar;
    };
    // eps = 1e-3 (fractional / Å): small enough that no edge crosses the cutoff-free region's curvature badly.
    expect(
      fdCheck((f) => loss(f, t.lattices), t.fracCoords.dataSync() as Float32Array, [t.numNodes, 3], {
        eps: 1e-3,
        samples: 15,
      }).worst,
    ).toBeLessThan(5e-2);
    expect(
      fdCheck((l) => loss(t.fracCoords, l), t.lattices.dataSync() as Float32Array, [1, 3, 3], { eps: 1e-3, samples: 9 })
        .worst,
    ).toBeLessThan(5e-2);
    disposeGraphTensors(t);
    net.dispose();
  });
});

describe.each(TEST_BACKENDS)("'weighted-mean' aggregation divides by the soft degree Σ f(d_e) + ε (%s)", (backend) => {
  beforeAll(() => useBackend(backend));
  // Atom 3's edges all have f = 0 (at the cutoff), atom 4 centres no edge: both aggregate 0.
  const N = 5;
  const E = 24;
  const F = 8;
  const K = 4;
  const src = Int32Array.from({ length: E }, (_, e) => (e < 21 ? e % 3 : 3));
  const dst = Int32Array.from({ length: E }, (_, e) => (e * 7 + 1) % N);
  const f = Float32Array.from(randomArray(E, 80), (x, e) => (e >= 21 || e % 5 === 0 ? 0 : 0.5 + 0.5 * x));
  const soft = new Float64Array(N).fill(WEIGHTED_MEAN_EPSILON);
  const deg = new Float64Array(N);
  for (let e = 0; e < E; e++) {
    soft[src[e]] += f[e];
    deg[src[e]]++;
  }
  const edges = (envelope: ArrayLike<number>) => ({
    nodeFeatures: tf.tensor2d(randomArray(N * F, 81), [N, F]),
    edgeFeatures: tf.tensor2d(randomArray(E * K, 82), [E, K]),
    envelope: tf.tensor1d(Float32Array.from(envelope)),
    src: tf.tensor1d(src, 'int32'),
    dst: tf.tensor1d(dst, 'int32'),
  });

  test("EgnnConv: Σ m_e f(d_e) / (Σ f(d_e) + ε) is 'sum' on the envelope f(d_e) / s_src, in one pass and in chunks", () => {
    const weighted = new EgnnConv({ units: F, edgeFeatures: K, aggregation: 'weighted-mean', seed: 3 });
    const sum = new EgnnConv({ units: F, edgeFeatures: K, aggregation: 'sum', seed: 3 });
    const x = edges(f);
    const want = tf.tidy(() =>
      sum
        .apply(edges(Array.from(f, (v, e) => v / soft[src[e]])))
        .dataSync()
        .slice(),
    );
    const got = tf.tidy(() => weighted.apply(x).dataSync().slice());
    expect(relErr(got, want)).toBeLessThan(1e-5);
    weighted.edgeChunkSize = 5;
    expect(
      relErr(
        tf.tidy(() => weighted.apply(x).dataSync().slice()),
        want,
      ),
    ).toBeLessThan(1e-5);
    // The plain mean differs (it divides by deg(i) = 7, 7, 7, 3).
    const mean = new EgnnConv({ units: F, edgeFeatures: K, aggregation: 'mean', seed: 3 });
    expect(
      relErr(
        tf.tidy(() => mean.apply(x).dataSync().slice()),
        want,
      ),
    ).toBeGreaterThan(1e-2);
    for (const l of [weighted, sum, mean]) l.dispose();
  });

  test("VectorChannels: 'weighted-mean' is 'mean' on the envelope f(d_e)·deg(src) / s_src", () => {
    const weighted = new VectorChannels({
      units: F,
      edgeFeatures: K,
      channels: 3,
      aggregation: 'weighted-mean',
      seed: 4,
    });
    const mean = new VectorChannels({ units: F, edgeFeatures: K, channels: 3, seed: 4 });
    expect(mean.aggregation).toBe('mean');
    const unitVectors = tf.tensor2d(randomArray(E * 3, 83), [E, 3]);
    // The node updates W₃·|v|² (the layer returns h + W₃·|v|²).
    const update = (layer: VectorChannels, envelope: ArrayLike<number>) =>
      tf.tidy(() => {
        const x = { ...edges(envelope), unitVectors };
        return tf.sub(layer.apply(x), x.nodeFeatures).dataSync().slice();
      });
    const want = update(
      mean,
      Array.from(f, (v, e) => (v * deg[src[e]]) / soft[src[e]]),
    );
    expect(relErr(update(weighted, f), want)).toBeLessThan(1e-5);
    expect(relErr(update(mean, f), want)).toBeGreaterThan(1e-2);
    for (const l of [weighted, mean]) l.dispose();
    unitVectors.dispose();
  });
});

/** Typed-array inputs of a network: a graph and its float32 edge vectors r_e = (x_dst + τ − x_src)·L. */
interface ArrayGraph {
  atomicNumbers: Uint8Array;
  src: Int32Array;
  dst: Int32Array;
  vectors: Float32Array;
  level: Float32Array;
  crystalIndex: Int32Array;
}

function arrayGraph(crystals: Crystal[], cutoff: number): ArrayGraph {
  const b = radiusGraphBatch(crystals, { cutoff });
  const E = b.src.length;
  const vectors = new Float32Array(3 * E);
  for (let e = 0; e < E; e++) {
    const L = b.crystalIndex[b.src[e]] * 9;
    const f = [0, 1, 2].map(
      (k) => b.fracCoords[3 * b.dst[e] + k] + b.image[3 * e + k] - b.fracCoords[3 * b.src[e] + k],
    );
    for (let j = 0; j < 3; j++)
      vectors[3 * e + j] = f[0] * b.lattices[L + j] + f[1] * b.lattices[L + 3 + j] + f[2] * b.lattices[L + 6 + j];
  }
  const level = Float32Array.from({ length: b.numGraphs }, (_, k) => 0.3 + 0.2 * k);
  return { atomicNumbers: b.atomicNumbers, src: b.src, dst: b.dst, vectors, level, crystalIndex: b.crystalIndex };
}

/** `g` with one more edge, src → dst, of length `length` along x (exactly, for a float32 length; appended last). */
function withEdge(g: ArrayGraph, src: number, dst: number, length: number): ArrayGraph {
  const vectors = new Float32Array(g.vectors.length + 3);
  vectors.set(g.vectors);
  vectors.set([length, 0, 0], g.vectors.length);
  return { ...g, src: Int32Array.of(...g.src, src), dst: Int32Array.of(...g.dst, dst), vectors };
}

/** Edge outputs of `net` on `g`: the tfjs forward pass and the compiled one. */
function edgeOutputsBoth(net: Egnn, g: ArrayGraph): { tfjs: Float32Array; compiled: Float32Array } {
  const E = g.src.length;
  const tfjs = tf.tidy(
    () =>
      net
        .apply({
          atomicNumbers: tf.tensor1d(Int32Array.from(g.atomicNumbers), 'int32'),
          src: tf.tensor1d(g.src, 'int32'),
          dst: tf.tensor1d(g.dst, 'int32'),
          vectors: tf.tensor2d(g.vectors, [E, 3]),
          level: tf.tensor1d(g.level),
          crystalIndex: tf.tensor1d(g.crystalIndex, 'int32'),
        })
        .edgeOutputs.dataSync()
        .slice() as Float32Array,
  );
  return { tfjs, compiled: net.compileInference().apply(g).edgeOutputs };
}

/**
 * A perov_5 val crystal with every atom moved by up to 0.025 in fractional coordinates (≈ 0.1 Å): no atom is an
 * inversion centre any more, so the vector channels are not 0 (in the ideal cubic cell they vanish by symmetry).
 */
function distortedPerovskite(): Crystal {
  const [c] = valCrystals('perov_5', 1);
  const r = randomArray(c.fracCoords.length, 90);
  const f = c.fracCoords.map((x, i) => x + 0.025 * r[i]);
  return createCrystal({
    lattice: c.lattice,
    fracCoords: wrapFrac(new Float64Array(f.length), f),
    atomicNumbers: c.atomicNumbers,
  });
}

describe.each(TEST_BACKENDS)('an edge entering the radius graph at the cutoff (%s)', (backend) => {
  beforeAll(() => useBackend(backend));
  // A periodic radius graph (a distorted perov_5 val crystal at 3.5 Å), then one more edge from its atom with the
  // fewest edges (6) with f(d) = 0 (d = r_c exactly) or f(d) ≈ 2.5e-6 (d = 0.999 r_c, just inside), as an edge enters
  // the graph when atoms move. With the weighted mean (messages and vector channels) the other edges' outputs do not
  // move (measured: 0 at r_c, ≤ 3e-7 just inside, relative to the largest output); with the plain mean that atom's
  // edge count goes from 6 to 7 and they jump (5e-4 to 1e-3 at this initialisation).
  const cutoff = 3.5;
  const cases: [EgnnArgs, 'continuous' | 'jumps'][] = [
    [{ aggregation: 'weighted-mean' }, 'continuous'],
    [{ aggregation: 'weighted-mean', levelFeatures: 8, vectorChannels: 4 }, 'continuous'],
    [{ aggregation: 'mean' }, 'jumps'],
    [{ aggregation: 'mean', levelFeatures: 8, vectorChannels: 4 }, 'jumps'],
    [{ aggregation: 'sum' }, 'continuous'],
  ];
  // At initialisation the vector channels move the network's outputs by little, so each layer alone as well: the
  // updates it makes to the node features (out − h), with and without the extra edge. Just inside the cutoff the
  // change is first order in f(d): 0.9999 r_c here (f ≈ 2.5e-8), as a vector channel's near-cancelling sum |v_i| can be
  // a hundred times smaller than its terms (at 0.999 r_c its update moves by 2e-4 with the weighted mean; by 0.27
  // with the plain mean).
  test.each([
    ['weighted-mean', 'continuous'],
    ['mean', 'jumps'],
  ] as const)('EgnnConv and VectorChannels (%s) alone: their node updates are %s', (aggregation, expected) => {
    const g = arrayGraph([distortedPerovskite()], cutoff);
    const N = g.atomicNumbers.length;
    const F = 16;
    const K = 8;
    const conv = new EgnnConv({ units: F, edgeFeatures: K, aggregation, seed: 21 });
    const vec = new VectorChannels({ units: F, edgeFeatures: K, channels: 4, aggregation, seed: 22 });
    const basis = new GaussianBasis({ size: K, cutoff });
    const envelope = new CosineCutoff({ cutoff });
    const updates = (graph: ArrayGraph) =>
      tf.tidy(() => {
        const E = graph.src.length;
        const vectors = tf.tensor2d(graph.vectors, [E, 3]);
        const d = edgeLengths(vectors);
        const x = {
          nodeFeatures: tf.tensor2d(randomArray(N * F, 23), [N, F]),
          edgeFeatures: basis.apply(d),
          envelope: envelope.apply(d),
          src: tf.tensor1d(graph.src, 'int32'),
          dst: tf.tensor1d(graph.dst, 'int32'),
        };
        const unitVectors = tf.div(vectors, tf.reshape(d, [-1, 1])) as tf.Tensor2D;
        return [
          tf.sub(conv.apply(x), x.nodeFeatures).dataSync().slice(),
          tf
            .sub(vec.apply({ ...x, unitVectors }), x.nodeFeatures)
            .dataSync()
            .slice(),
        ];
      });
    const base = updates(g);
    for (const length of [cutoff, 0.9999 * cutoff]) {
      const more = updates(withEdge(g, 1, 2, length));
      for (const [k, layer] of ['EgnnConv', 'VectorChannels'].entries()) {
        const change = relErr(more[k], base[k]);
        if (expected === 'continuous') expect(change, `${layer}, length ${length}`).toBeLessThan(1e-5);
        else expect(change, `${layer}, length ${length}`).toBeGreaterThan(5e-4);
      }
    }
    conv.dispose();
    vec.dispose();
  });

  test.each(cases)('Egnn(%j): the other edges’ outputs are %s', (args, expected) => {
    const net = new Egnn({ units: 32, layers: 3, seed: 12, cutoff, ...args });
    try {
      const g = arrayGraph([distortedPerovskite()], cutoff);
      const N = g.atomicNumbers.length;
      const E = g.src.length;
      const O = net.edgeOutputs;
      const deg = new Array<number>(N).fill(0);
      for (const i of g.src) deg[i]++;
      const atom = deg.indexOf(Math.min(...deg));
      expect(deg[atom]).toBe(6);
      const base = edgeOutputsBoth(net, g);
      for (const length of [cutoff, 0.999 * cutoff]) {
        const more = edgeOutputsBoth(net, withEdge(g, atom, (atom + 1) % N, length));
        for (const pass of ['tfjs', 'compiled'] as const) {
          const w = more[pass];
          const change = relErr(w.subarray(0, E * O), base[pass]);
          const label = `${pass}, extra edge of length ${length}`;
          if (expected === 'continuous') expect(change, label).toBeLessThan(1e-5);
          else expect(change, label).toBeGreaterThan(1e-4);
          // The new edge's own outputs carry its envelope: 0 at the cutoff.
          const own = Math.max(...Array.from(w.subarray(E * O), Math.abs));
          expect(own, label).toBeLessThanOrEqual(length === cutoff ? 0 : 1e-4);
        }
      }
    } finally {
      net.dispose();
    }
  });
});

describe.each(TEST_BACKENDS)('edgeVectors on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test("one pass over the edges gives the bits of its chain of ops, and under a tape the chain's gradient", () => {
    const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
    const batch = radiusGraphBatch([...valCrystals('perov_5', 6), ...valCrystals('carbon_24', 3)], { cutoff: CUTOFF });
    const t = graphTensors(batch);
    // and a random one: coordinates outside [0, 1), skewed lattices of mixed scales, images up to ±3
    const E = 5003;
    const frac = tf.tensor2d(
      randomArray(3 * 40, 3).map((v) => 3 * v),
      [40, 3],
    );
    const lat = tf.tensor3d(
      randomArray(9 * 7, 4).map((v, i) => v * 10 ** ((i % 5) - 2)),
      [7, 3, 3],
    );
    const pick = (n: number, seed: number) =>
      tf.tensor1d(
        randomArray(E, seed).map((v) => Math.floor((v + 1) * 0.5 * n) % n),
        'int32',
      );
    const image = tf.tensor2d(
      randomArray(3 * E, 8).map((v) => Math.round(3 * v)),
      [E, 3],
      'int32',
    );
    const cases = [
      [t.fracCoords, t.lattices, t.src, t.dst, t.image, t.edgeCrystalIndex],
      [frac, lat, pick(40, 5), pick(40, 6), image, pick(7, 7)],
      // a float32 image: on wasm the WebAssembly loop, split across the kernel threads when there are several
      [frac, lat, pick(40, 5), pick(40, 6), tf.cast(image, 'float32') as tf.Tensor2D, pick(7, 7)],
    ] as const;
    for (const [f, l, src, dst, img, ec] of cases) {
      const fast = edgeVectors(f, l, src, dst, img, ec);
      const chain = tf.tidy(() => {
        const df = tf.sub(tf.add(gatherRows(f, dst), img), gatherRows(f, src));
        return tf.sum(tf.mul(tf.reshape(df, [src.shape[0], 3, 1]), gatherRows(l, ec)), 1);
      });
      expect(bits(fast)).toEqual(bits(chain));
      // Under a tape the same kernel runs, and its registered gradient is the chain's (to float32 rounding).
      const w = tf.randomNormal([src.shape[0], 3], 0, 1, 'float32', 11);
      const ours = (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(edgeVectors(x as tf.Tensor2D, y as tf.Tensor3D, src, dst, img, ec), w)) as tf.Scalar;
      const theirs = (x: tf.Tensor, y: tf.Tensor) => {
        const df = tf.sub(tf.add(gatherRows(x, dst), img), gatherRows(x, src));
        const r = tf.sum(tf.mul(tf.reshape(df, [src.shape[0], 3, 1]), gatherRows(y, ec)), 1);
        return tf.sum(tf.mul(r, w)) as tf.Scalar;
      };
      const taped = tf.tidy(() => {
        const v = edgeVectors(f, l, src, dst, img, ec);
        return tf.grads((x: tf.Tensor, y: tf.Tensor) => {
          expect(bits(edgeVectors(x as tf.Tensor2D, y as tf.Tensor3D, src, dst, img, ec))).toEqual(bits(v));
          return ours(x, y);
        })([f, l]);
      });
      const reference = tf.grads(theirs)([f, l]);
      for (let i = 0; i < 2; i++) {
        const a = taped[i].dataSync();
        const b = reference[i].dataSync();
        const scale = Math.max(...Array.from(b, Math.abs));
        expect(taped[i].shape).toEqual(reference[i].shape);
        for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThanOrEqual(2e-6 * scale);
      }
      tf.dispose([fast, chain, w, ...taped, ...reference]);
    }
    expect(() => edgeVectors(frac, lat, pick(41, 9), pick(40, 6), image, pick(7, 7))).toThrow(
      /edgeVectors: src must be in \[0, 40\)/,
    );
    disposeGraphTensors(t);
    tf.dispose([frac, lat, image]);
  });
});
