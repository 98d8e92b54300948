// Edges in chunks (inference on large graphs) and the wasm heap guard: the chunked forward pass equals the one-pass
// forward, the kernels it uses (sliceRows, segmentSumAdd) and their gradients, and the typed error that replaces
// heap corruption when tfjs-backend-wasm's heap is full.
import { radiusGraphBatch } from '@crys/graph';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { fdCheck, randomArray, randomIndices, TEST_BACKENDS, useBackend, valCrystals } from '../test/helpers.js';
import { Egnn, type EgnnArgs } from './egnn.js';
import { DEFAULT_EDGE_CHUNK_SIZE, EdgeHead, EgnnConv } from './egnn-conv.js';
import { HeapExhaustedError, InvalidArgumentError } from './errors.js';
import { disposeGraphTensors, edgeVectors, graphTensors } from './graph-tensors.js';
import { hasWasmSimd } from './ops/kernel-registry.js';
import { segmentSum, segmentSumAdd } from './ops/segment-sum.js';
import { sliceRows } from './ops/slice-rows.js';
import { wasmStorage } from './ops/storage.js';

/** A batch of real crystals as tensors (E is not a multiple of the chunk sizes below). */
function crystalInputs() {
  const batch = radiusGraphBatch(valCrystals('perov_5', 6), { cutoff: 5 });
  const t = graphTensors(batch);
  const vectors = edgeVectors(t.fracCoords, t.lattices, t.src, t.dst, t.image, t.edgeCrystalIndex);
  const inputs = { atomicNumbers: t.atomicNumbers, src: t.src, dst: t.dst, vectors };
  const dispose = () => {
    disposeGraphTensors(t);
    vectors.dispose();
  };
  return { inputs, E: batch.src.length, dispose };
}

function forward(net: Egnn, inputs: ReturnType<typeof crystalInputs>['inputs']) {
  return tf.tidy(() => {
    const o = net.apply(inputs);
    return { w: o.edgeOutputs.dataSync().slice(), h: o.nodeFeatures.dataSync().slice() };
  });
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let m = 1e-12;
  for (let i = 0; i < b.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return e / m;
}

const VARIANTS: [string, EgnnArgs][] = [
  ['sum', {}],
  ['mean, gating, layer norm, bessel', { aggregation: 'mean', gating: true, layerNorm: true, basis: 'bessel' }],
  ['weighted-mean, vector channels', { aggregation: 'weighted-mean', vectorChannels: 3 }],
];

describe.each(TEST_BACKENDS)('edges in chunks on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(VARIANTS)('Egnn.apply in chunks equals one pass (%s), chunk sizes 5, 8, E − 1, E', (_, args) => {
    const { inputs, E, dispose } = crystalInputs();
    const net = new Egnn({ units: 16, basisSize: 8, layers: 2, seed: 3, ...args, edgeChunkSize: Infinity });
    const whole = forward(net, inputs);
    for (const chunk of [5, 8, E - 1, E]) {
      net.edgeChunkSize = chunk;
      const before = tf.memory().numTensors;
      const got = forward(net, inputs);
      expect(tf.memory().numTensors).toBe(before);
      // Rows in SIMD blocks of 4 match bit for bit (chunks that are a multiple of 4); other chunks move a few rows
      // into the linear kernel's scalar tail, and cpu's matmul may block rows differently: float32 rounding.
      const exact = backend === 'wasm' && hasWasmSimd() && chunk % 4 === 0;
      const tol = exact ? 0 : 1e-6;
      expect(maxRelDiff(got.w, whole.w), `w, chunk ${chunk}`).toBeLessThanOrEqual(tol);
      expect(maxRelDiff(got.h, whole.h), `h, chunk ${chunk}`).toBeLessThanOrEqual(tol);
    }
    net.dispose();
    dispose();
  });

  test('under a gradient tape the layers take all edges at once: gradients do not depend on edgeChunkSize', () => {
    const { inputs, dispose } = crystalInputs();
    const net = new Egnn({ units: 16, basisSize: 8, layers: 2, seed: 5 });
    const grads = (chunk: number) => {
      net.edgeChunkSize = chunk;
      const vars = net.trainableVariables;
      return tf.tidy(() => {
        const loss = () => tf.sum(tf.square(net.apply(inputs).edgeOutputs)) as tf.Scalar;
        const { grads } = tf.variableGrads(loss, vars);
        return vars.map((v) => grads[v.name].dataSync().slice());
      });
    };
    const whole = grads(Infinity);
    const chunked = grads(7);
    for (let i = 0; i < whole.length; i++) expect(chunked[i]).toEqual(whole[i]);
    net.dispose();
    dispose();
  });

  test('a single EgnnConv and EdgeHead in chunks equal one pass', () => {
    const N = 9;
    const E = 50;
    const h = tf.tensor2d(randomArray(N * 8, 1), [N, 8]);
    const edges = {
      nodeFeatures: h,
      edgeFeatures: tf.tensor2d(randomArray(E * 4, 2), [E, 4]),
      envelope: tf.abs(tf.tensor1d(randomArray(E, 3))) as tf.Tensor1D,
      src: tf.tensor1d(randomIndices(E, N, 4), 'int32'),
      dst: tf.tensor1d(randomIndices(E, N, 5), 'int32'),
    };
    for (const layer of [
      new EgnnConv({ units: 8, edgeFeatures: 4, aggregation: 'mean', seed: 1, edgeChunkSize: Infinity }),
      new EgnnConv({ units: 8, edgeFeatures: 4, aggregation: 'weighted-mean', seed: 1, edgeChunkSize: Infinity }),
      new EdgeHead({ units: 8, edgeFeatures: 4, outputs: 3, seed: 2, edgeChunkSize: Infinity }),
    ]) {
      const whole = tf.tidy(() => layer.apply(edges).dataSync().slice());
      layer.edgeChunkSize = 3;
      const chunked = tf.tidy(() => layer.apply(edges).dataSync().slice());
      expect(maxRelDiff(chunked, whole)).toBeLessThanOrEqual(1e-6);
      layer.dispose();
    }
    tf.dispose(Object.values(edges));
  });

  test('sliceRows(x, start, size) copies rows of float32 and int32 tensors, and its gradient pads', () => {
    const x = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [3, 2],
    );
    expect(sliceRows(x, 1, 2).arraySync()).toEqual([
      [3, 4],
      [5, 6],
    ]);
    expect(sliceRows(x, 3, 0).shape).toEqual([0, 2]);
    expect(sliceRows(tf.tensor1d([7, 8, 9], 'int32'), 0, 2).arraySync()).toEqual([7, 8]);
    const { worst } = fdCheck((t) => tf.sum(tf.square(sliceRows(t, 2, 3))), randomArray(6 * 4, 7), [6, 4]);
    expect(worst).toBeLessThan(1e-2);
    const g = tf.grad((t: tf.Tensor) => tf.sum(sliceRows(t, 1, 1)))(x);
    expect(g.arraySync()).toEqual([
      [0, 0],
      [1, 1],
      [0, 0],
    ]);
  });

  test('sliceRows rejects rows outside x, naming the argument', () => {
    const x = tf.zeros([3, 2]);
    expect(() => sliceRows(x, -1, 1)).toThrow(InvalidArgumentError);
    expect(() => sliceRows(x, 4, 0)).toThrow(/start/);
    expect(() => sliceRows(x, 2, 2)).toThrow(/size/);
    expect(() => sliceRows(x, 0, 1.5)).toThrow(/size/);
  });

  test('segmentSumAdd(acc, x, ids) equals acc + segmentSum, and chained chunks equal one segmentSum exactly', () => {
    for (const F of [4, 3]) {
      const E = 101;
      const S = 13;
      const xs = tf.tensor2d(randomArray(E * F, 11 + F), [E, F]);
      const ids = tf.tensor1d(randomIndices(E, S, 12), 'int32');
      const acc = tf.tensor2d(randomArray(S * F, 13), [S, F]);
      const want = tf.add(acc, segmentSum(xs, ids, S)).dataSync();
      const got = segmentSumAdd(acc, xs, ids).dataSync();
      expect(maxRelDiff(got, want)).toBeLessThan(1e-6);
      // Chunks 0…39, 40…99, 100: the same additions in the same order as one pass.
      let sum = segmentSum(sliceRows(xs, 0, 40), sliceRows(ids, 0, 40), S);
      sum = segmentSumAdd(sum, sliceRows(xs, 40, 60), sliceRows(ids, 40, 60));
      sum = segmentSumAdd(sum, sliceRows(xs, 100, 1), sliceRows(ids, 100, 1));
      const one = segmentSum(xs, ids, S).dataSync();
      if (F === 4) expect(sum.dataSync()).toEqual(one);
      else expect(maxRelDiff(sum.dataSync(), one)).toBeLessThan(1e-6);
    }
  });

  test('segmentSumAdd gradients in acc and x match finite differences; bad inputs are named', () => {
    const ids = tf.tensor1d([2, 0, 2, 1, 2], 'int32');
    const x0 = randomArray(5 * 4, 21);
    const a0 = randomArray(3 * 4, 22);
    const acc = tf.tensor2d(a0, [3, 4]);
    const x = tf.tensor2d(x0, [5, 4]);
    const fx = fdCheck((t) => tf.sum(tf.square(segmentSumAdd(acc, t, ids))), x0, [5, 4]);
    const fa = fdCheck((t) => tf.sum(tf.square(segmentSumAdd(t, x, ids))), a0, [3, 4]);
    expect(fx.worst).toBeLessThan(1e-2);
    expect(fa.worst).toBeLessThan(1e-2);
    expect(() => segmentSumAdd(acc, tf.zeros([5, 3]), ids)).toThrow(/x/);
    expect(() => segmentSumAdd(acc, x, tf.tensor1d([0, 1], 'int32'))).toThrow(/segmentIds/);
    expect(() => segmentSumAdd(acc, x, tf.tensor1d([0, 1, 3, 0, 0], 'int32'))).toThrow(/segmentIds/);
  });
});

describe('edgeChunkSize', () => {
  test('defaults to 131072 and rejects anything but a positive integer or Infinity, naming it', () => {
    expect(DEFAULT_EDGE_CHUNK_SIZE).toBe(131072);
    const net = new Egnn({ units: 8, layers: 1 });
    expect(net.edgeChunkSize).toBe(131072);
    net.edgeChunkSize = 64;
    expect(net.convs[0].edgeChunkSize).toBe(64);
    expect(net.head.edgeChunkSize).toBe(64);
    for (const bad of [0, -1, 2.5, Number.NaN]) {
      expect(() => new Egnn({ edgeChunkSize: bad })).toThrow(/edgeChunkSize/);
      expect(() => {
        net.edgeChunkSize = bad;
      }).toThrow(InvalidArgumentError);
      expect(() => new EgnnConv({ units: 8, edgeFeatures: 4, edgeChunkSize: bad })).toThrow(/edgeChunkSize/);
    }
    expect(net.edgeChunkSize).toBe(64);
    // A run-time setting: not part of the saved configuration.
    expect(net.save().config).not.toMatch(/edgeChunkSize/);
    net.dispose();
  });
});

describe('wasm heap guard', () => {
  // tfjs-backend-wasm's malloc returns 0 when its heap (4 GiB at most) is full, and the backend places the tensor at
  // address 0 without checking, over the allocator's own records: the "memory access out of bounds" of the 10⁵-atom
  // benchmark. A fake backend stands in for a full heap (a real one takes 4 GiB).
  // With `records`, the backend also keeps tfjs-backend-wasm's record of each tensor's address (what alloc reads).
  function fakeBackend(offset: number, records = false) {
    const disposed: object[] = [];
    const buffer = new ArrayBuffer(4096);
    return {
      disposed,
      backend: {
        ...(records ? { dataIdMap: { get: () => ({ memoryOffset: offset }) } } : {}),
        makeOutput: (shape: number[], dtype: tf.DataType) => ({ dataId: { id: 1 }, shape, dtype }),
        typedArrayFromHeap: (info: tf.TensorInfo) =>
          new Float32Array(
            buffer,
            offset,
            info.shape.reduce((a, b) => a * b, 1),
          ),
        disposeData: (dataId: object) => {
          disposed.push(dataId);
          return true;
        },
      },
    };
  }

  test.each([
    false,
    true,
  ])('an output placed at address 0 raises HeapExhaustedError (and is released) instead of corrupting the heap (address records: %s)', (records) => {
    const { backend, disposed } = fakeBackend(0, records);
    const storage = wasmStorage(backend, 'CrysSimdLinear');
    expect(() => storage.alloc([16, 8], 'float32')).toThrow(HeapExhaustedError);
    expect(() => storage.alloc([16, 8], 'float32')).toThrow(/CrysSimdLinear.*\[16, 8\]/);
    expect(disposed.length).toBe(2);
  });

  test.each([
    false,
    true,
  ])('an output elsewhere, or an empty one, is allocated as usual (address records: %s)', (records) => {
    const { backend, disposed } = fakeBackend(64, records);
    const out = wasmStorage(backend, 'k').alloc([4, 4], 'float32');
    expect(out.values.byteOffset).toBe(64);
    expect(wasmStorage(fakeBackend(0, records).backend, 'k').alloc([0, 4], 'float32').values.length).toBe(0);
    expect(disposed.length).toBe(0);
  });
});
