import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomArray, randomIndices, useBackend } from '../test/helpers.js';
import { kernelThreads, setKernelThreads, shareWasmClones } from './backend.js';
import { Egnn } from './egnn.js';
import { InvalidArgumentError } from './errors.js';
import { adamUpdate, adamUpdateAll } from './ops/adam.js';
import { gatherRows } from './ops/gather-rows.js';
import { linear, linearModule } from './ops/linear.js';
import { outerRows } from './ops/outer-rows.js';
import { scaleRows } from './ops/scale-rows.js';
import { segmentSum } from './ops/segment-sum.js';
import { edgeVectors } from './graph-tensors.js';
import { wasmStorage } from './ops/storage.js';
import { gatherRowsModule } from './ops/gather-rows.js';
import { isShared, tfjsHeap } from './wasm/instance.js';
import { padColumns, sliceColumns, sliceColumnsAddBias } from './ops/slice-columns.js';
import { addSame } from './ops/add-same.js';
import { withSharedMemory } from './wasm/shared-heap.js';
import { runParts, startThreads } from './wasm/threads.js';

/** The bits of every value (so -0 ≠ 0 and NaNs compare by payload). */
const bits = (t: tf.Tensor): Uint32Array => new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer);

/** Expects two bit patterns equal; a failure names the first differing value (not a diff of thousands). */
function expectSameBits(actual: Uint32Array, expected: Uint32Array, label: string): void {
  let first = -1;
  for (let i = 0; i < Math.max(actual.length, expected.length) && first < 0; i++) {
    if (actual[i] !== expected[i]) first = i;
  }
  expect({ label, length: actual.length, firstDifference: first }).toEqual({
    label,
    length: expected.length,
    firstDifference: -1,
  });
}

/** A random multigraph big enough that every kernel splits its work across threads. */
function graph(N: number, E: number, seed: number) {
  const vectors = randomArray(3 * E, seed).map((v) => 3 * v + 0.5 * Math.sign(v));
  return {
    atomicNumbers: tf.tensor1d(
      randomIndices(N, 80, seed + 1).map((z) => z + 1),
      'int32',
    ),
    src: tf.tensor1d(Int32Array.from(randomIndices(E, N, seed + 2)).sort(), 'int32'),
    dst: tf.tensor1d(randomIndices(E, N, seed + 3), 'int32'),
    vectors: tf.tensor2d(vectors, [E, 3]),
  };
}

describe('withSharedMemory(binary)', () => {
  test('flips the one defined memory to shared, and nothing else', () => {
    // (module (memory 1 2)): header, memory section [count 1, flags 1, min 1, max 2].
    const plain = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 4, 1, 1, 1, 2]);
    const shared = withSharedMemory(plain) as Uint8Array;
    expect(Array.from(shared)).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 4, 1, 3, 1, 2]);
    expect(plain[11]).toBe(1);
    const instance = new WebAssembly.Instance(
      new WebAssembly.Module(new Uint8Array([...shared, 7, 5, 1, 1, 0x6d, 2, 0])), // + (export "m" (memory 0))
    );
    expect(isShared(instance.exports.m as WebAssembly.Memory)).toBe(true);
  });

  test('is null without exactly one memory with a maximum, or for what is not a module', () => {
    expect(withSharedMemory(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1]))).toBeNull(); // no max
    expect(withSharedMemory(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toBeNull(); // no memory
    expect(withSharedMemory(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toBeNull();
  });
});

describe('kernel threads on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    shareWasmClones();
  });
  afterAll(async () => {
    await setKernelThreads(1);
  });

  test("initBackend loads tfjs-backend-wasm's heap as a shared memory in Node", () => {
    const heap = tfjsHeap(tf.backend());
    expect(heap).not.toBeNull();
    expect(isShared(heap as WebAssembly.Memory)).toBe(true);
  });

  test('setKernelThreads(count) starts and stops the workers; kernelThreads() reports the count', async () => {
    expect(await setKernelThreads(2)).toBe(2);
    expect(kernelThreads()).toBe(2);
    expect(await setKernelThreads(3)).toBe(3);
    expect(kernelThreads()).toBe(3);
    expect(await setKernelThreads(1)).toBe(1);
    expect(kernelThreads()).toBe(1);
  });

  test('setKernelThreads refuses counts outside 1 … 64 and non-integers', async () => {
    for (const bad of [0, -1, 1.5, 65, Number.NaN]) {
      await expect(setKernelThreads(bad)).rejects.toThrow(InvalidArgumentError);
    }
    await expect(setKernelThreads(0)).rejects.toThrow(/setKernelThreads.*count.*\[1, 64\].*got 0/);
  });

  test('every kernel gives the same bits with 1, 2 and 3 threads', async () => {
    const [E, N, F] = [3001, 157, 64];
    const x = tf.tensor2d(randomArray(E * F, 1), [E, F]);
    const w = tf.tensor2d(randomArray(F * F, 2), [F, F]);
    const b = tf.tensor1d(randomArray(F, 3));
    const h = tf.tensor2d(randomArray(N * F, 4), [N, F]);
    const idx = tf.tensor1d(randomIndices(E, N, 5), 'int32');
    const s = tf.tensor2d(randomArray(E, 6), [E, 1]);
    const xb = tf.tensor2d(randomArray(40_001 * F, 7), [40_001, F]);
    const yb = tf.tensor2d(randomArray(40_001 * F, 8), [40_001, F]);
    const x3 = tf.tensor2d(randomArray(1000 * 3, 9), [1000, 3]);
    const i3 = tf.tensor1d(randomIndices(40_001, 1000, 10), 'int32');
    const lat = tf.tensor3d(randomArray(9 * 1000, 11), [1000, 3, 3]);
    const run = (): Uint32Array[] => {
      const outputs = tf.tidy(() => {
        const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor, hh: tf.Tensor) =>
          tf.sum(
            tf.mul(
              linear(scaleRows(tf.sigmoid(xx) as tf.Tensor2D, s), ww as tf.Tensor2D, b),
              gatherRows(hh as tf.Tensor2D, idx),
            ),
          ),
        )([x, w, h]);
        // A weight gradient over more rows than one block of its sum (2048), and a bias gradient split by columns.
        const wide = tf.grads((ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.mul(linear(xb, ww as tf.Tensor2D, bb as tf.Tensor1D), yb)),
        )([w, b]);
        // Rows of 3 values over 40 001 indices: the word-by-word gather, split across threads; then the scalar
        // kernels on narrow rows (scaled rows of 3, outer products of 3 × 3 and their gradient).
        const g3 = gatherRows(x3, i3);
        const s3 = tf.reshape(sliceColumns(g3, 1, 1), [-1, 1]) as tf.Tensor2D;
        const [outerGrad] = tf.grads((aa: tf.Tensor) =>
          tf.sum(tf.mul(outerRows(aa as tf.Tensor2D, g3), tf.sin(outerRows(g3, g3)))),
        )([g3]);
        const vectors = edgeVectors(x3, lat, i3, tf.reverse(i3), g3, tf.reverse(i3));
        const narrow = [scaleRows(g3, s3), outerRows(g3, g3), outerGrad, segmentSum(g3, i3, 1000), vectors];
        const columns = [
          sliceColumns(yb, 5, 3),
          padColumns(sliceColumns(yb, 0, 2), 3, 8),
          sliceColumnsAddBias(yb, 1, 2, tf.slice(b, 0, 2)),
        ];
        return [
          linear(x, w, b),
          addSame(xb, yb),
          segmentSum(x, idx, N),
          gatherRows(h, idx),
          scaleRows(x, s),
          ...wide,
          g3,
          ...narrow,
          ...columns,
          ...grads,
        ];
      });
      const result = outputs.map(bits);
      tf.dispose(outputs);
      return result;
    };
    await setKernelThreads(1);
    const one = run();
    for (const count of [2, 3]) {
      expect(await setKernelThreads(count)).toBe(count);
      const many = run();
      for (let i = 0; i < one.length; i++) expectSameBits(many[i], one[i], `output ${i} with ${count} threads`);
    }
    await setKernelThreads(1);
    tf.dispose([x, w, b, h, idx, s, xb, yb, x3, i3, lat]);
  });

  test('a weight gradient summed in blocks (more than 2048 rows) is xᵀ·g to float32 rounding (relative to Σ|x·g|)', async () => {
    await setKernelThreads(2);
    const [E, n, m] = [40_003, 8, 16];
    const xs = randomArray(E * n, 31);
    const gs = randomArray(E * m, 32);
    const got = tf.tidy(() => {
      const g = tf.tensor2d(gs, [E, m]);
      return tf.grad((w: tf.Tensor) => tf.sum(tf.mul(linear(tf.tensor2d(xs, [E, n]), w as tf.Tensor2D), g)))(
        tf.zeros([n, m]),
      );
    });
    const values = got.dataSync();
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let exact = 0;
        let scale = 0; // Σ|x·g|: float32 sums of E terms are accurate relative to it
        for (let e = 0; e < E; e++) {
          exact += xs[e * n + i] * gs[e * m + j];
          scale += Math.abs(xs[e * n + i] * gs[e * m + j]);
        }
        worst = Math.max(worst, Math.abs(values[i * m + j] - exact) / scale);
      }
    }
    expect(worst).toBeLessThan(2e-6);
    got.dispose();
    await setKernelThreads(1);
  });

  test('a network forward pass and a training step (gradients, Adam) are bit-for-bit the same with 1 and 2 threads', async () => {
    const g = graph(300, 6000, 7);
    const step = async (threads: number) => {
      expect(await setKernelThreads(threads)).toBe(threads);
      const net = new Egnn({ units: 64, layers: 2, vectorChannels: 8, aggregation: 'weighted-mean', seed: 3 });
      const vars = net.trainableVariables;
      const forward = bits(tf.tidy(() => net.apply(g).edgeOutputs));
      const moments = vars.map((v) => [tf.variable(tf.zerosLike(v), false), tf.variable(tf.zerosLike(v), false)]);
      for (let t = 1; t <= 2; t++) {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(net.apply(g).edgeOutputs)), vars);
        // all the weights in one call (its parts across the threads)
        const slots = vars.map((w, i) => ({ w, m: moments[i][0], v: moments[i][1], g: grads[w.name] }));
        adamUpdateAll(slots, { stepSize: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
        tf.dispose([value, ...Object.values(grads)]);
      }
      const weights = vars.map(bits);
      tf.dispose(moments.flat());
      net.dispose();
      return { forward, weights };
    };
    const one = await step(1);
    const two = await step(2);
    expectSameBits(two.forward, one.forward, 'edge outputs');
    two.weights.forEach((w, i) => {
      expectSameBits(w, one.weights[i], `weight ${i}`);
    });
    await setKernelThreads(1);
    tf.dispose(Object.values(g));
  });

  test.each([2, 3])('each of 2 … 32 parts runs once on %i threads (front and back claims)', async (n) => {
    await setKernelThreads(n);
    const heap = tfjsHeap(tf.backend()) as WebAssembly.Memory;
    const storage = wasmStorage(tf.backend(), 'test');
    // colSum adds one row of b onto its 4 outputs: a part run twice would leave 2·b, a part never run 0.
    const b = tf.tensor1d(Float32Array.from({ length: 4 * 32 }, (_, i) => i + 1));
    const bp = storage.read(b).byteOffset;
    for (const parts of [2, 3, 7, 31, 32]) {
      for (let round = 0; round < 20; round++) {
        const out = tf.zeros([4 * parts]);
        const o = storage.read(out).byteOffset;
        const calls = Array.from({ length: parts }, (_, p) => [o + 16 * p, bp + 16 * p, 1, 4, 4]);
        runParts(linearModule, heap, 'colSum', calls);
        expect(Array.from(out.dataSync() as Float32Array)).toEqual(Array.from({ length: 4 * parts }, (_, i) => i + 1));
        out.dispose();
      }
    }
    b.dispose();
    await setKernelThreads(1);
  });

  test('a kernel part that traps, on whichever thread, throws on the calling thread, and the threads keep working', async () => {
    await setKernelThreads(2);
    const heap = tfjsHeap(tf.backend()) as WebAssembly.Memory;
    const beyond = heap.buffer.byteLength; // every row read from here is out of bounds
    const out = tf.zeros([4]);
    const zero = tf.tensor1d([0], 'int32');
    const storage = wasmStorage(tf.backend(), 'test');
    const [o, i0] = [storage.read(out).byteOffset, storage.read(zero).byteOffset];
    // 32 parts of one row, one valid: the others read past the heap and trap wherever they run (a worker reports
    // back with its message).
    const calls = Array.from({ length: 32 }, (_, i) => [o, i === 0 ? o : beyond, i0, 1, 4]);
    for (let round = 0; round < 5; round++) {
      expect(() => runParts(gatherRowsModule, heap, 'gatherRows', calls)).toThrow(/out of bounds/);
    }
    tf.dispose([out, zero]);
    const x = tf.tensor2d(randomArray(4000 * 64, 8), [4000, 64]);
    const idx = tf.tensor1d(randomIndices(4000, 4000, 9), 'int32');
    const got = gatherRows(x, idx);
    expectSameBits(bits(got), bits(tf.gather(x, idx)), 'gatherRows on 2 threads');
    tf.dispose([x, idx, got]);
    await setKernelThreads(1);
  });
});

describe('kernel threads elsewhere', () => {
  test('on cpu setKernelThreads leaves one thread', async () => {
    await useBackend('cpu');
    expect(await setKernelThreads(2)).toBe(1);
    expect(kernelThreads()).toBe(1);
  });

  test('a memory that is not shared gets no threads', async () => {
    expect(await startThreads(new WebAssembly.Memory({ initial: 1 }), 2)).toBe(1);
  });
});

describe.each(['cpu', 'wasm'] as const)('adamUpdate on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('is bit-for-bit the op-by-op float32 update, over several steps and a size that is not a multiple of 4', () => {
    const n = 1027;
    const g = tf.tensor1d(randomArray(n, 11));
    const start = () => [
      tf.variable(tf.tensor1d(randomArray(n, 12))),
      tf.variable(tf.tensor1d(randomArray(n, 13).map((v) => 0.1 * v))),
      tf.variable(tf.tensor1d(randomArray(n, 14).map((v) => 1e-3 * Math.abs(v)))),
    ];
    const fused = start();
    const ops = start();
    const step = { stepSize: 3.16e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, gradScale: 0.731 };
    for (let t = 0; t < 3; t++) {
      adamUpdate(fused[0], fused[1], fused[2], g, step);
      tf.tidy(() => {
        const [w, m, v] = ops;
        const gs = tf.mul(g, step.gradScale);
        m.assign(tf.add(tf.mul(m, step.beta1), tf.mul(gs, 1 - step.beta1)));
        v.assign(tf.add(tf.mul(v, step.beta2), tf.mul(tf.square(gs), 1 - step.beta2)));
        w.assign(tf.sub(w, tf.mul(tf.div(m, tf.add(tf.sqrt(v), step.epsilon)), step.stepSize)));
      });
    }
    for (let i = 0; i < 3; i++) expectSameBits(bits(fused[i]), bits(ops[i]), `variable ${i}`);
    tf.dispose([g, ...fused, ...ops]);
  });

  test('adamUpdateAll updates several weights in one call, each bit for bit as adamUpdate', () => {
    // more weights than a kernel job's parts (MAX_PARTS = 32): the update runs in two jobs
    const shapes = [[7], [64, 64], [3, 5], [1], [16, 8], ...Array.from({ length: 32 }, (_, i) => [i + 1, 4])];
    const start = () =>
      shapes.map((shape, i) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return {
          w: tf.variable(tf.tensor(randomArray(n, 20 + i), shape)),
          m: tf.variable(
            tf.tensor(
              randomArray(n, 30 + i).map((v) => 0.1 * v),
              shape,
            ),
          ),
          v: tf.variable(
            tf.tensor(
              randomArray(n, 40 + i).map((v) => 1e-3 * Math.abs(v)),
              shape,
            ),
          ),
          g: tf.tensor(randomArray(n, 50 + i), shape),
        };
      });
    const all = start();
    const one = start();
    const step = { stepSize: 3.16e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, gradScale: 0.5 };
    for (let t = 0; t < 2; t++) {
      adamUpdateAll(all, step);
      for (const { w, m, v, g } of one) adamUpdate(w, m, v, g, step);
    }
    all.forEach((a, i) => {
      for (const k of ['w', 'm', 'v'] as const) expectSameBits(bits(a[k]), bits(one[i][k]), `slot ${i} ${k}`);
    });
    const before = tf.memory().numTensors;
    adamUpdateAll([], step);
    adamUpdateAll(all, step);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => adamUpdateAll([all[0], { ...all[1], g: tf.zeros([4]) }], step)).toThrow(
      /adamUpdateAll.*slots\[1\]\.g.*shape \[64, 64\]/,
    );
    tf.dispose([...all, ...one].flatMap((s) => [s.w, s.m, s.v, s.g]));
  });

  test('refuses a tensor of another shape and a non-finite constant, naming them', () => {
    const w = tf.variable(tf.zeros([4]));
    const m = tf.variable(tf.zeros([4]));
    const v = tf.variable(tf.zeros([4]));
    const step = { stepSize: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    expect(() => adamUpdate(w, m, v, tf.zeros([5]), step)).toThrow(/adamUpdate.*g.*shape \[4\].*\[5\]/);
    expect(() => adamUpdate(w, m, v, tf.zeros([4]), { ...step, stepSize: Number.NaN })).toThrow(/step\.stepSize/);
    tf.dispose([w, m, v]);
  });
});

describe.each(['cpu', 'wasm'] as const)('scaleRows on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  // 16 columns take the SIMD loop on wasm, 9, 3 and 2 the scalar one.
  test.each([16, 9, 3, 2])('is tf.mul(x, s) with its gradients, bit for bit (%i columns)', (F) => {
    const E = 1001;
    const x = tf.tensor2d(randomArray(E * F, 21), [E, F]);
    const s = tf.tensor2d(randomArray(E, 22), [E, 1]);
    const dy = tf.tensor2d(randomArray(E * F, 23), [E, F]);
    const f = (op: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a as tf.Tensor2D, b as tf.Tensor2D))([x, s], dy);
    expectSameBits(bits(scaleRows(x, s)), bits(tf.mul(x, s)), 'scaleRows(x, s)');
    const [gx, gs] = f(scaleRows);
    const [ex, es] = f((a, b) => tf.mul(a, b));
    expectSameBits(bits(gx), bits(ex), 'gx');
    expectSameBits(bits(gs), bits(es), 'gs');
    tf.dispose([x, s, dy, gx, gs, ex, es]);
  });
});

describe('segmentSum on wasm', () => {
  beforeAll(() => useBackend('wasm'));

  // Rows of 3 and 9 values (and single values) take the scalar loop, which replaced tf.scatterND there.
  test.each([[3], [9], [1], [16]])('is tf.scatterND bit for bit on rows of %i values', (F) => {
    const [E, S] = [5003, 211];
    const x = F === 1 ? tf.tensor1d(randomArray(E, 51)) : tf.tensor2d(randomArray(E * F, 51), [E, F]);
    const ids = tf.tensor1d(randomIndices(E, S, 52), 'int32');
    const want = tf.scatterND(tf.reshape(ids, [-1, 1]), x, [S, ...x.shape.slice(1)]);
    const got = segmentSum(x, ids, S);
    expectSameBits(bits(got), bits(want), `segmentSum of rows of ${F}`);
    tf.dispose([x, ids, want, got]);
  });
});

describe.each(['cpu', 'wasm'] as const)('outerRows on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('is the broadcasting tf.mul of [E, C, 1] and [E, 1, 3] with its gradients, bit for bit', () => {
    const [E, C] = [777, 16];
    const a = tf.tensor2d(randomArray(E * C, 41), [E, C]);
    const b = tf.tensor2d(randomArray(E * 3, 42), [E, 3]);
    const dy = tf.tensor2d(randomArray(E * 3 * C, 43), [E, 3 * C]);
    const stock = (x: tf.Tensor2D, y: tf.Tensor2D) =>
      tf.reshape(tf.mul(tf.reshape(x, [E, C, 1]), tf.reshape(y, [E, 1, 3])), [E, 3 * C]) as tf.Tensor2D;
    const f = (op: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => op(x as tf.Tensor2D, y as tf.Tensor2D))([a, b], dy);
    expectSameBits(bits(outerRows(a, b)), bits(stock(a, b)), 'outerRows(a, b)');
    const [ga, gb] = f(outerRows);
    const [ea, eb] = f(stock);
    expectSameBits(bits(ga), bits(ea), 'gradient of a');
    expectSameBits(bits(gb), bits(eb), 'gradient of b');
    tf.dispose([a, b, dy, ga, gb, ea, eb]);
  });
});
