import { radiusGraphBatch } from '@crys/graph';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomArray, randomIndices, TEST_BACKENDS, useBackend, valCrystals } from '../test/helpers.js';
import { Egnn, type EgnnArgs } from './egnn.js';
import { DEFAULT_EDGE_CHUNK_SIZE } from './egnn-conv.js';
import { HeapExhaustedError, InvalidArgumentError } from './errors.js';
import { EgnnInference, type EgnnInferenceInputs, type EgnnInferenceOutputs } from './inference.js';

// Float32 on both sides with different summation orders (tfjs sums in float32, the plain path in float64 before
// rounding), over 4 layers: outputs agree to ~1e-6 of their scale. We allow 1e-5 of max(1, largest |value|).
const TOL = 1e-5;

/** The tfjs forward pass on the same arrays, as plain arrays. */
function tfjsOutputs(net: Egnn, g: EgnnInferenceInputs) {
  const N = g.atomicNumbers.length;
  const E = g.src.length;
  return tf.tidy(() => {
    const o = net.apply({
      atomicNumbers: tf.tensor1d(Int32Array.from(g.atomicNumbers), 'int32'),
      src: tf.tensor1d(g.src, 'int32'),
      dst: tf.tensor1d(g.dst, 'int32'),
      vectors: tf.tensor2d(Float32Array.from(g.vectors), [E, 3]),
      level: g.level && tf.tensor1d(Float32Array.from(g.level)),
      crystalIndex: g.crystalIndex && tf.tensor1d(g.crystalIndex, 'int32'),
    });
    expect(o.nodeFeatures.shape).toEqual([N, net.units]);
    return {
      edgeOutputs: o.edgeOutputs.dataSync().slice() as Float32Array,
      nodeFeatures: o.nodeFeatures.dataSync().slice() as Float32Array,
      distances: o.distances.dataSync().slice() as Float32Array,
    };
  });
}

/** max |a − b| / max(1, max |b|); Infinity when either has a non-finite entry. */
function scaledDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) return Number.POSITIVE_INFINITY;
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

function expectSameOutputs(net: Egnn, g: EgnnInferenceInputs): void {
  const want = tfjsOutputs(net, g);
  const simd = net.compileInference();
  expect(simd.simd).toBe(true);
  // The WebAssembly SIMD kernels and the plain-loop fallback.
  for (const infer of [simd, new EgnnInference(net, { simd: false })]) {
    const got = infer.apply(g);
    expect(scaledDiff(got.distances, want.distances)).toBeLessThan(TOL);
    expect(scaledDiff(got.nodeFeatures, want.nodeFeatures)).toBeLessThan(TOL);
    expect(scaledDiff(got.edgeOutputs, want.edgeOutputs)).toBeLessThan(TOL);
  }
}

/**
 * Edge arrays of a batch of val crystals, with float32 edge vectors r_e = (x_dst + τ − x_src)·L, each crystal's index
 * and a level per crystal (read only by networks with `levelFeatures`).
 */
function crystalGraph(name: 'perov_5' | 'carbon_24', count: number, offset = 0): EgnnInferenceInputs {
  const b = radiusGraphBatch(valCrystals(name, count, offset), { cutoff: 5 });
  const E = b.src.length;
  const vectors = new Float32Array(3 * E);
  for (let e = 0; e < E; e++) {
    const s = b.src[e];
    const d = b.dst[e];
    const L = b.crystalIndex[s] * 9;
    const f = [0, 1, 2].map((k) => b.fracCoords[3 * d + k] + b.image[3 * e + k] - b.fracCoords[3 * s + k]);
    for (let j = 0; j < 3; j++)
      vectors[3 * e + j] = f[0] * b.lattices[L + j] + f[1] * b.lattices[L + 3 + j] + f[2] * b.lattices[L + 6 + j];
  }
  const level = Float32Array.from({ length: b.numGraphs }, (_, k) => 0.05 + (0.9 * k) / Math.max(1, b.numGraphs - 1));
  return { atomicNumbers: b.atomicNumbers, src: b.src, dst: b.dst, vectors, level, crystalIndex: b.crystalIndex };
}

/**
 * A random multigraph on N atoms: random edges (some beyond the 5 Å cutoff), image self-loops (src = dst, r = a
 * lattice vector) and zero-length edges (coincident atoms, src ≠ dst, r = 0, and one src = dst, r = 0).
 */
function randomGraph(N: number, E: number, seed: number): EgnnInferenceInputs {
  const src = randomIndices(E + 6, N, seed);
  const dst = randomIndices(E + 6, N, seed + 1);
  const vectors = new Float64Array(3 * (E + 6));
  const r = randomArray(3 * E, seed + 2);
  for (let i = 0; i < 3 * E; i++) vectors[i] = 3.5 * r[i];
  for (let k = 0; k < 3; k++) {
    dst[E + k] = src[E + k];
    vectors[3 * (E + k) + k] = 3.9; // self-loop through a lattice translation
  }
  for (let k = 3; k < 6; k++) dst[E + k] = (src[E + k] + (k === 5 ? 0 : 1)) % N; // r = 0
  const atomicNumbers = new Uint8Array(N);
  for (let i = 0; i < N; i++) atomicNumbers[i] = 1 + ((i * 37 + seed) % 90);
  // Two "graphs" for the level input (the atoms alternate between them).
  const crystalIndex = Int32Array.from({ length: N }, (_, i) => i % 2);
  return { atomicNumbers, src, dst, vectors, level: Float64Array.of(0.2, 0.85), crystalIndex };
}

describe.each(TEST_BACKENDS)('Egnn.compileInference() (%s)', (backend) => {
  let net: Egnn;
  beforeAll(async () => {
    await useBackend(backend);
    net = new Egnn({ seed: 3 }); // the peer's architecture: F = 64, K = 16, 4 layers
  });
  afterAll(() => net.dispose());

  test('compileInference().apply(g) equals apply(g) on real perov_5 and carbon_24 val crystals', () => {
    expectSameOutputs(net, crystalGraph('perov_5', 1));
    expectSameOutputs(net, crystalGraph('perov_5', 4, 1));
    expectSameOutputs(net, crystalGraph('carbon_24', 1));
    expectSameOutputs(net, crystalGraph('carbon_24', 3, 1));
  });

  test('compileInference().apply(g) equals apply(g) and is finite on graphs with self-loops and zero-length edges', () => {
    const g = randomGraph(7, 120, 11);
    const out = net.compileInference().apply(g);
    for (const a of [out.edgeOutputs, out.nodeFeatures, out.distances]) expect(a.every(Number.isFinite)).toBe(true);
    expect(out.distances[g.src.length - 1]).toBeCloseTo(1e-6, 12);
    expectSameOutputs(net, g);
  });
});

describe('Egnn.compileInference() options', () => {
  beforeAll(() => useBackend('cpu'));
  const cases: EgnnArgs[] = [
    { basis: 'bessel' },
    { envelope: 'polynomial' },
    { aggregation: 'mean' },
    { gating: true },
    { layerNorm: true },
    { units: 24, hiddenUnits: 40, basisSize: 9, layers: 2, edgeOutputs: 3, cutoff: 4.5, maxAtomicNumber: 95 },
    { basis: 'bessel', envelope: 'polynomial', aggregation: 'mean', gating: true, layerNorm: true, units: 16 },
    { levelFeatures: 8 },
    { vectorChannels: 5 },
    { levelFeatures: 6, vectorChannels: 3, aggregation: 'mean', units: 12, hiddenUnits: 20 },
    { vectorChannels: 40, units: 16, hiddenUnits: 8, gating: true, layerNorm: true },
    // @crys/model's action network.
    { units: 64, basisSize: 32, cutoff: 8, aggregation: 'mean', levelFeatures: 16, vectorChannels: 16 },
    { aggregation: 'weighted-mean' },
    { aggregation: 'weighted-mean', vectorChannels: 5 },
    { aggregation: 'weighted-mean', envelope: 'polynomial', basis: 'bessel', gating: true, layerNorm: true, units: 16 },
    // @crys/model's action network on a cutoff graph.
    { units: 64, basisSize: 32, cutoff: 8, aggregation: 'weighted-mean', levelFeatures: 16, vectorChannels: 16 },
  ];
  for (const args of cases) {
    test(`compileInference() of new Egnn(${JSON.stringify(args)}) equals apply`, () => {
      const net = new Egnn({ units: 32, layers: 3, seed: 5, ...args });
      try {
        expectSameOutputs(net, randomGraph(6, 90, 21));
        expectSameOutputs(net, crystalGraph('perov_5', 2));
      } finally {
        net.dispose();
      }
    });
  }

  test('compileInference() handles a graph without edges and atoms without edges', () => {
    const g = {
      atomicNumbers: new Uint8Array([6, 8]),
      src: new Int32Array(0),
      dst: new Int32Array(0),
      vectors: new Float32Array(0),
    };
    const nodeFeatures: Float32Array[] = [];
    for (const aggregation of ['mean', 'weighted-mean'] as const) {
      const net = new Egnn({ units: 8, layers: 2, seed: 1, aggregation, vectorChannels: 2 });
      try {
        const out = net.compileInference().apply(g);
        expect(out.edgeOutputs.length).toBe(0);
        expect(out.nodeFeatures.length).toBe(16);
        expect(out.nodeFeatures.every(Number.isFinite)).toBe(true);
        nodeFeatures.push(out.nodeFeatures);
        // Atom 2 centres no edge (it is only a neighbour): it aggregates 0 either way, Σ / max(0, 1) or Σ / (0 + ε).
        const r = randomGraph(3, 30, 4);
        expectSameOutputs(net, { ...r, src: Int32Array.from(r.src, (i) => i % 2) });
      } finally {
        net.dispose();
      }
    }
    // Without edges the mean and the weighted mean both aggregate 0: the same network.
    expect(firstBitDifference(nodeFeatures[1], nodeFeatures[0])).toBe(-1);
  });

  for (const vectorChannels of [0, 3]) {
    test(`compileInference() equals apply with 'weighted-mean' when apply takes its edges in chunks (vectorChannels ${vectorChannels})`, () => {
      const net = new Egnn({ units: 16, layers: 3, seed: 6, aggregation: 'weighted-mean', vectorChannels });
      try {
        const g = crystalGraph('carbon_24', 2);
        expect(g.src.length).toBeGreaterThan(40);
        // apply: the edge-chunked branch of EgnnConv.call (chunks of 7); the compiled pass in chunks of 5 and whole.
        net.edgeChunkSize = 7;
        const want = tfjsOutputs(net, g);
        for (const edgeChunkSize of [5, Infinity]) {
          const got = net.compileInference({ edgeChunkSize }).apply(g);
          expect(scaledDiff(got.nodeFeatures, want.nodeFeatures)).toBeLessThan(TOL);
          expect(scaledDiff(got.edgeOutputs, want.edgeOutputs)).toBeLessThan(TOL);
        }
      } finally {
        net.dispose();
      }
    });
  }

  test('compileInference() snapshots the weights: later weight updates need a new compile', () => {
    const net = new Egnn({ units: 8, layers: 2, seed: 2 });
    try {
      const g = randomGraph(5, 40, 3);
      const infer = net.compileInference();
      const before = infer.apply(g).edgeOutputs;
      const { weights } = net.save();
      net.setWeights(weights.map((w) => w * 1.5));
      expect(scaledDiff(infer.apply(g).edgeOutputs, before)).toBe(0);
      const fresh = net.compileInference().apply(g).edgeOutputs;
      expect(scaledDiff(fresh, before)).toBeGreaterThan(1e-3);
      expectSameOutputs(net, g);
    } finally {
      net.dispose();
    }
  });

  test('EgnnInference.apply names the argument and what arrived on bad input', () => {
    const net = new Egnn({ units: 8, layers: 1, seed: 2 });
    const infer = net.compileInference();
    net.dispose();
    const g = randomGraph(4, 10, 1);
    expect(() =>
      infer.apply({ ...g, atomicNumbers: [1, 2] as unknown as Uint8Array }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: EgnnInference.apply: atomicNumbers must be a Uint8Array, Uint16Array or Int32Array, got Array of length 2]`,
    );
    expect(() =>
      infer.apply({ ...g, atomicNumbers: new Uint8Array([1, 2, 101, 4]) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: EgnnInference.apply: atomicNumbers must be in [0, 100], got 101 at position 2]`,
    );
    expect(() =>
      infer.apply({ ...g, src: Float32Array.from(g.src) as unknown as Int32Array }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: EgnnInference.apply: src must be an Int32Array, got Float32Array of length 16]`,
    );
    expect(() => infer.apply({ ...g, dst: g.dst.subarray(1) })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: EgnnInference.apply: dst must be an Int32Array of length E = 16, got Int32Array of length 15]`,
    );
    expect(() => infer.apply({ ...g, vectors: g.vectors.subarray(3) })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: EgnnInference.apply: vectors must be a Float32Array or Float64Array of length 3·E = 48, got Float64Array of length 45]`,
    );
    const bad = g.dst.slice();
    bad[7] = 4;
    expect(() => infer.apply({ ...g, dst: bad })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: EgnnInference.apply: dst must be in [0, 4), got 4 at position 7]`,
    );
  });

  test('EgnnInference.apply of a network with levelFeatures names a missing or bad level or crystalIndex', () => {
    const net = new Egnn({ units: 8, layers: 1, seed: 2, levelFeatures: 4 });
    const infer = net.compileInference();
    net.dispose();
    const g = randomGraph(4, 10, 1);
    expect(() => infer.apply({ ...g, level: undefined })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: EgnnInference.apply: level must be a Float32Array or Float64Array of B levels (the network has levelFeatures), got undefined]`,
    );
    expect(() => infer.apply({ ...g, crystalIndex: g.crystalIndex?.subarray(1) })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: EgnnInference.apply: crystalIndex must be an Int32Array of length N = 4 (the network has levelFeatures), got Int32Array of length 3]`,
    );
    expect(() => infer.apply({ ...g, level: Float32Array.of(0.5) })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: EgnnInference.apply: crystalIndex must be in [0, B = 1) (one level per graph), got 1 at position 1]`,
    );
  });
});

/** The first index where `a` and `b` differ in their bits (NaNs included), or −1 when they are bit for bit equal. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

function expectBitEqual(got: EgnnInferenceOutputs, want: EgnnInferenceOutputs, label: string): void {
  expect(firstBitDifference(got.edgeOutputs, want.edgeOutputs), `edgeOutputs, ${label}`).toBe(-1);
  expect(firstBitDifference(got.nodeFeatures, want.nodeFeatures), `nodeFeatures, ${label}`).toBe(-1);
  expect(firstBitDifference(got.distances, want.distances), `distances, ${label}`).toBe(-1);
}

describe('EgnnInference edge chunks', () => {
  beforeAll(() => useBackend('cpu'));

  const variants: [string, EgnnArgs][] = [
    ['sum', {}],
    ['mean, gated', { aggregation: 'mean', gating: true }],
    ['mean, level, vector channels', { aggregation: 'mean', levelFeatures: 8, vectorChannels: 4 }],
    ['weighted-mean, level, vector channels', { aggregation: 'weighted-mean', levelFeatures: 8, vectorChannels: 4 }],
  ];
  for (const [name, args] of variants) {
    for (const simd of [true, false]) {
      test(`apply(g) with edgeChunkSize 1, 3, 4, 5, 64, E − 1 and Infinity equals one pass bit for bit (${name}, simd ${simd})`, () => {
        const net = new Egnn({ units: 32, layers: 3, seed: 7, ...args });
        try {
          const g = crystalGraph('carbon_24', 3, 1);
          const E = g.src.length;
          expect(E).toBeGreaterThan(64);
          const whole = new EgnnInference(net, { simd, edgeChunkSize: Infinity });
          expect(whole.simd).toBe(simd);
          const want = whole.apply(g);
          // One instance, its chunk size changed between calls: the heap keeps the previous call's scratch.
          const infer = new EgnnInference(net, { simd });
          for (const chunk of [Infinity, 64, 5, 4, 3, 1, E - 1, Infinity]) {
            infer.edgeChunkSize = chunk;
            expectBitEqual(infer.apply(g), want, `chunk ${chunk}`);
          }
          // Egnn.compileInference passes both options through.
          const compiled = net.compileInference({ simd, edgeChunkSize: 5 });
          expect([compiled.simd, compiled.edgeChunkSize]).toEqual([simd, 5]);
          expectBitEqual(compiled.apply(g), want, 'compileInference({ edgeChunkSize: 5 })');
        } finally {
          net.dispose();
        }
      });
    }
  }

  test('compileInference() takes edges in chunks of DEFAULT_EDGE_CHUNK_SIZE by default', () => {
    const net = new Egnn({ units: 8, layers: 1, seed: 2 });
    try {
      expect(net.compileInference().edgeChunkSize).toBe(DEFAULT_EDGE_CHUNK_SIZE);
      expect(new EgnnInference(net, { simd: false }).edgeChunkSize).toBe(DEFAULT_EDGE_CHUNK_SIZE);
    } finally {
      net.dispose();
    }
  });

  test('compileInference, new EgnnInference and the edgeChunkSize setter reject a chunk size that is not a positive integer or Infinity', () => {
    const net = new Egnn({ units: 8, layers: 1, seed: 2 });
    try {
      expect(() => net.compileInference({ edgeChunkSize: 0 })).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: Egnn.compileInference: edgeChunkSize must be a positive integer or Infinity, got 0]`,
      );
      expect(() => new EgnnInference(net, { edgeChunkSize: 2.5 })).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: EgnnInference: edgeChunkSize must be a positive integer or Infinity, got 2.5]`,
      );
      const infer = net.compileInference({ edgeChunkSize: 16 });
      for (const bad of [-4, Number.NaN, Number.NEGATIVE_INFINITY, '8' as unknown as number]) {
        let error: unknown;
        try {
          infer.edgeChunkSize = bad;
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).parameter).toBe('edgeChunkSize');
        expect(infer.edgeChunkSize).toBe(16);
      }
      expect(() => {
        infer.edgeChunkSize = -4;
      }).toThrowErrorMatchingInlineSnapshot(
        `[InvalidArgumentError: EgnnInference: edgeChunkSize must be a positive integer or Infinity, got -4]`,
      );
    } finally {
      net.dispose();
    }
  });

  test('with edges in chunks the heap grows with the chunk, not with E', () => {
    const net = new Egnn({ units: 8, hiddenUnits: 8, basisSize: 4, layers: 2, seed: 4 });
    try {
      const g = randomGraph(500, 100_000, 5);
      const twice = randomGraph(500, 200_000, 6);
      for (const simd of [true, false]) {
        const whole = new EgnnInference(net, { simd, edgeChunkSize: Infinity });
        const chunked = new EgnnInference(net, { simd, edgeChunkSize: 256 });
        expectBitEqual(chunked.apply(g), whole.apply(g), `simd ${simd}`);
        // The one-pass layout takes E·(K + Hp + max(Fp, Op)) = E·20 floats of scratch: 8 MB here.
        expect(whole.heapBytes).toBeGreaterThan(100_006 * 20 * 4);
        expect(chunked.heapBytes).toBeLessThan(whole.heapBytes / 16);
        const bytes = chunked.heapBytes;
        chunked.apply(twice);
        expect(chunked.heapBytes).toBe(bytes);
      }
    } finally {
      net.dispose();
    }
  });

  test('EgnnInference.apply throws HeapExhaustedError, and keeps working, when the heap cannot grow', () => {
    const net = new Egnn({ seed: 1 }); // F = 64: N4·448 floats of node scratch, 5.4 GB for 3·10⁶ atoms
    try {
      const huge = {
        atomicNumbers: new Uint8Array(3_000_000),
        src: new Int32Array(0),
        dst: new Int32Array(0),
        vectors: new Float32Array(0),
      };
      const g = randomGraph(6, 40, 9);
      const want = new EgnnInference(net, { simd: false }).apply(g);
      const simd = net.compileInference();
      expect(() => simd.apply(huge)).toThrowErrorMatchingInlineSnapshot(
        `[HeapExhaustedError: EgnnInference.apply: EgnnInference's heap (0.4 MiB, 4 GiB at most) cannot hold its node buffers and one chunk of edges (5127 MiB); use a smaller edgeChunkSize or fewer atoms]`,
      );
      const plain = net.compileInference({ simd: false });
      expect(() => plain.apply(huge)).toThrowErrorMatchingInlineSnapshot(
        `[HeapExhaustedError: EgnnInference.apply: EgnnInference's heap (0.4 MiB, 4 GiB at most) cannot hold its node buffers and one chunk of edges (5127 MiB); use a smaller edgeChunkSize or fewer atoms]`,
      );
      for (const infer of [simd, plain]) {
        expect(() => infer.apply(huge)).toThrow(HeapExhaustedError);
        expect(scaledDiff(infer.apply(g).edgeOutputs, want.edgeOutputs)).toBeLessThan(TOL);
      }
    } finally {
      net.dispose();
    }
  });
});
