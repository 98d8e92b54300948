import { fc, test as ftest } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { fdCheck, randomArray, randomIndices, TEST_BACKENDS, useBackend } from '../test/helpers.js';
import { shareWasmClones } from './backend.js';
import { exp, gaussianBasis } from './ops/exp.js';
import { edgeFirstLayer } from './ops/edge-first-layer.js';
import { gatherRows } from './ops/gather-rows.js';
import { gatherRowsAdd } from './ops/gather-rows-add.js';
import { hasWasmSimd } from './ops/kernel-registry.js';
import { biasGradient, denseInputGradient, linear, weightGradient } from './ops/linear.js';
import { segmentCounts, segmentMean } from './ops/segment-mean.js';
import { segmentSum } from './ops/segment-sum.js';
import { silu } from './ops/silu.js';
import { padColumns, sliceColumns, sliceColumnsAddBias } from './ops/slice-columns.js';
import { addSame } from './ops/add-same.js';

function naiveSegmentSum(x: Float32Array, seg: Int32Array, S: number, F: number): Float64Array {
  const out = new Float64Array(S * F);
  for (let e = 0; e < seg.length; e++) for (let f = 0; f < F; f++) out[seg[e] * F + f] += x[e * F + f];
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  expect(worst).toBeLessThan(tol);
}

describe.each(TEST_BACKENDS)('kernels on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('gatherRows(x, indices) picks rows, including repeated and int32 rows', () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const idx = tf.tensor1d([2, 0, 2, 1], 'int32');
    expect(gatherRows(x, idx).arraySync()).toEqual([
      [5, 6],
      [1, 2],
      [5, 6],
      [3, 4],
    ]);
    expect(gatherRows(tf.tensor1d([7, 8, 9], 'int32'), idx).arraySync()).toEqual([9, 7, 9, 8]);
    expect(gatherRows(tf.tensor3d([[[1, 2]], [[3, 4]], [[5, 6]]]), idx).shape).toEqual([4, 1, 2]);
    expect(gatherRows(x, tf.tensor1d([], 'int32')).shape).toEqual([0, 2]);
  });

  test('gatherRows of rows of 1, 3, 5 and 9 values (float32 and int32) over many indices is tf.gather', () => {
    const E = 20_011;
    const idx = tf.tensor1d(randomIndices(E, 57, 12), 'int32');
    for (const shape of [[57], [57, 3], [57, 5], [57, 3, 3]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(randomArray(size, size), shape);
      const xi = tf.tensor(Int32Array.from(randomIndices(size, 1000, size)), shape, 'int32');
      expect(Array.from(gatherRows(x, idx).dataSync())).toEqual(Array.from(tf.gather(x, idx).dataSync()));
      expect(Array.from(gatherRows(xi, idx).dataSync())).toEqual(Array.from(tf.gather(xi, idx).dataSync()));
      expect(gatherRows(x, idx).shape).toEqual([E, ...shape.slice(1)]);
      tf.dispose([x, xi]);
    }
    idx.dispose();
  });

  test('segmentSum(x, ids, S) sums rows into unsorted segments and leaves empty segments zero', () => {
    const F = 5,
      E = 200,
      S = 17;
    const xs = randomArray(E * F, 3);
    const ids = randomIndices(E, S - 1, 4); // segment S-1 stays empty
    const got = segmentSum(tf.tensor2d(xs, [E, F]), tf.tensor1d(ids, 'int32'), S).dataSync();
    expectClose(got, naiveSegmentSum(xs, ids, S, F));
    expect(Array.from(got.slice((S - 1) * F))).toEqual([0, 0, 0, 0, 0]);
    expect(segmentSum(tf.tensor1d([1, 2, 4]), tf.tensor1d([1, 1, 0], 'int32'), 2).arraySync()).toEqual([4, 3]);
    expect(segmentSum(tf.zeros([0, 2]), tf.tensor1d([], 'int32'), 2).arraySync()).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  test('segmentMean(x, ids, S) divides by segment sizes and gives zeros (not NaN) for empty segments', () => {
    const m = tf.tensor2d([
      [1, 1],
      [2, 2],
      [4, 4],
    ]);
    const ids = tf.tensor1d([0, 2, 0], 'int32');
    expect(segmentMean(m, ids, 3).arraySync()).toEqual([
      [2.5, 2.5],
      [0, 0],
      [2, 2],
    ]);
    expect(segmentMean(m, ids, 3, segmentCounts(ids, 3)).arraySync()).toEqual([
      [2.5, 2.5],
      [0, 0],
      [2, 2],
    ]);
    expect(segmentCounts(ids, 3).arraySync()).toEqual([2, 0, 1]);
  });

  test('gatherRowsAdd(a, ia, b, ib, c) equals gatherRows(a, ia) + gatherRows(b, ib) + c', () => {
    const a = tf.tensor2d(randomArray(12, 1), [4, 3]);
    const b = tf.tensor2d(randomArray(6, 2), [2, 3]);
    const ia = tf.tensor1d(randomIndices(9, 4, 5), 'int32');
    const ib = tf.tensor1d(randomIndices(9, 2, 6), 'int32');
    const c = tf.tensor2d(randomArray(27, 7), [9, 3]);
    const want = tf.add(tf.add(gatherRows(a, ia), gatherRows(b, ib)), c).dataSync();
    expectClose(gatherRowsAdd(a, ia, b, ib, c).dataSync(), want, 1e-6);
  });

  test('silu(x) and linear(x, W, b) match their definitions', () => {
    const x = tf.tensor1d([-3, -0.5, 0, 0.5, 3]);
    expectClose(silu(x).dataSync(), tf.mul(x, tf.sigmoid(x)).dataSync(), 1e-6);
    const X = tf.tensor2d(randomArray(20, 8), [5, 4]);
    const W = tf.tensor2d(randomArray(12, 9), [4, 3]);
    const bias = tf.tensor1d([1, 2, 3]);
    expectClose(linear(X, W, bias).dataSync(), tf.add(tf.matMul(X, W), bias).dataSync(), 1e-6);
    expectClose(linear(X, W).dataSync(), tf.matMul(X, W).dataSync(), 1e-6);
  });

  // Finite differences in float32: central differences with eps = 1e-2 on smooth functions (a weighted sum of the
  // kernel's output, then tanh so the function is not linear); relative tolerance 2e-2.
  const N = 7,
    F = 4,
    E = 23;
  const idx = randomIndices(E, N, 11);
  const idx2 = randomIndices(E, 3, 12);
  const weights = randomArray(E * F, 13);
  const nodeWeights = randomArray(N * F, 14);

  test('gatherRows gradient matches central finite differences', () => {
    const f = (x: tf.Tensor) =>
      tf.sum(tf.tanh(tf.mul(gatherRows(x as tf.Tensor2D, tf.tensor1d(idx, 'int32')), tf.tensor2d(weights, [E, F]))));
    expect(fdCheck(f, randomArray(N * F, 15), [N, F]).worst).toBeLessThan(2e-2);
  });

  test('segmentSum gradient matches central finite differences', () => {
    const f = (x: tf.Tensor) =>
      tf.sum(
        tf.tanh(tf.mul(segmentSum(x as tf.Tensor2D, tf.tensor1d(idx, 'int32'), N), tf.tensor2d(nodeWeights, [N, F]))),
      );
    expect(fdCheck(f, randomArray(E * F, 16), [E, F]).worst).toBeLessThan(2e-2);
  });

  test('segmentMean gradient matches central finite differences', () => {
    const f = (x: tf.Tensor) =>
      tf.sum(
        tf.tanh(tf.mul(segmentMean(x as tf.Tensor2D, tf.tensor1d(idx, 'int32'), N), tf.tensor2d(nodeWeights, [N, F]))),
      );
    expect(fdCheck(f, randomArray(E * F, 17), [E, F]).worst).toBeLessThan(2e-2);
  });

  test('gatherRowsAdd gradients in a, b and c match central finite differences', () => {
    const a0 = randomArray(N * F, 18),
      b0 = randomArray(3 * F, 19),
      c0 = randomArray(E * F, 20);
    const run = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(
        tf.tanh(
          tf.mul(
            gatherRowsAdd(
              a as tf.Tensor2D,
              tf.tensor1d(idx, 'int32'),
              b as tf.Tensor2D,
              tf.tensor1d(idx2, 'int32'),
              c as tf.Tensor2D,
            ),
            tf.tensor2d(weights, [E, F]),
          ),
        ),
      );
    expect(fdCheck((a) => run(a, tf.tensor2d(b0, [3, F]), tf.tensor2d(c0, [E, F])), a0, [N, F]).worst).toBeLessThan(
      2e-2,
    );
    expect(fdCheck((b) => run(tf.tensor2d(a0, [N, F]), b, tf.tensor2d(c0, [E, F])), b0, [3, F]).worst).toBeLessThan(
      2e-2,
    );
    expect(fdCheck((c) => run(tf.tensor2d(a0, [N, F]), tf.tensor2d(b0, [3, F]), c), c0, [E, F]).worst).toBeLessThan(
      2e-2,
    );
  });

  test('silu and linear gradients match central finite differences', () => {
    expect(
      fdCheck(
        (x) => tf.sum(tf.mul(silu(x), tf.tensor1d(randomArray(9, 21)))),
        randomArray(9, 22).map((v) => v * 4),
        [9],
      ).worst,
    ).toBeLessThan(2e-2);
    const X0 = randomArray(15, 23),
      W0 = randomArray(12, 24),
      b0 = randomArray(4, 25);
    const out = tf.tensor2d(randomArray(20, 26), [5, 4]);
    const run = (X: tf.Tensor, W: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.tanh(tf.mul(linear(X as tf.Tensor2D, W as tf.Tensor2D, b as tf.Tensor1D), out)));
    expect(fdCheck((X) => run(X, tf.tensor2d(W0, [3, 4]), tf.tensor1d(b0)), X0, [5, 3]).worst).toBeLessThan(2e-2);
    expect(fdCheck((W) => run(tf.tensor2d(X0, [5, 3]), W, tf.tensor1d(b0)), W0, [3, 4]).worst).toBeLessThan(2e-2);
    expect(fdCheck((b) => run(tf.tensor2d(X0, [5, 3]), tf.tensor2d(W0, [3, 4]), b), b0, [4]).worst).toBeLessThan(2e-2);
  });

  // tfjs clones every tensor it saves for a backward pass; on wasm, once asked, our Identity kernel shares the buffer.
  test('after shareWasmClones(), tf.clone shares the buffer on wasm (a counted reference), and the clone outlives its source', () => {
    if (backend === 'wasm') shareWasmClones();
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const y = tf.clone(x);
    const b = tf.backend() as unknown as { refCount?(dataId: object): number };
    if (backend === 'wasm') {
      expect(y.dataId).toBe(x.dataId);
      expect(b.refCount?.(x.dataId)).toBe(2);
    }
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(silu(t), t)))(y);
    expect(g.shape).toEqual([3, 2]);
    y.dispose();
    if (backend === 'wasm') expect(b.refCount?.(y.dataId)).toBe(0);
    g.dispose();
    expect(tf.clone(tf.tensor1d(['a', 'b'], 'string')).arraySync()).toEqual(['a', 'b']);
  });

  // Rows of a multiple of 4 floats and dense layers of a multiple of 8 outputs take the WebAssembly SIMD kernels on
  // wasm (on tfjs's own heap), with row counts that are not a multiple of 4.
  test('on SIMD-sized rows, every kernel matches a plain reference', () => {
    expect(hasWasmSimd()).toBe(backend === 'wasm');
    const [N, E, F, H] = [6, 23, 8, 16];
    const ia = randomIndices(E, N, 31);
    const ib = randomIndices(E, N, 32);
    const a = randomArray(N * F, 33);
    const b = randomArray(N * F, 34);
    const c = randomArray(E * F, 35);
    const W = randomArray(F * H, 36);
    const bias = randomArray(H, 37);
    const x = randomArray(E * F, 38).map((v) => 6 * v);
    const got = tf.tidy(() => {
      const A = tf.tensor2d(a, [N, F]);
      const iA = tf.tensor1d(ia, 'int32');
      return {
        gather: gatherRows(A, iA).dataSync(),
        sum: segmentSum(tf.tensor2d(c, [E, F]), iA, N).dataSync(),
        add: gatherRowsAdd(A, iA, tf.tensor2d(b, [N, F]), tf.tensor1d(ib, 'int32'), tf.tensor2d(c, [E, F])).dataSync(),
        dense: linear(tf.tensor2d(x, [E, F]), tf.tensor2d(W, [F, H]), tf.tensor1d(bias)).dataSync(),
        silu: silu(tf.tensor2d(x, [E, F])).dataSync(),
      };
    });
    expectClose(
      got.gather,
      Array.from({ length: E * F }, (_, k) => a[ia[Math.floor(k / F)] * F + (k % F)]),
    );
    expectClose(got.sum, naiveSegmentSum(c, ia, N, F));
    expectClose(
      got.add,
      Array.from({ length: E * F }, (_, k) => {
        const e = Math.floor(k / F);
        return a[ia[e] * F + (k % F)] + b[ib[e] * F + (k % F)] + c[k];
      }),
    );
    expectClose(
      got.dense,
      Array.from({ length: E * H }, (_, k) => {
        const [e, j] = [Math.floor(k / H), k % H];
        let s = bias[j];
        for (let q = 0; q < F; q++) s += x[e * F + q] * W[q * H + j];
        return s;
      }),
    );
    expectClose(
      got.silu,
      Array.from(x, (v) => v / (1 + Math.exp(-v))),
    );
  });

  test('on SIMD-sized rows, linear and silu gradients match central finite differences', () => {
    const [M, F, H] = [9, 8, 16];
    const X0 = randomArray(M * F, 41).map((v) => 3 * v);
    const W0 = randomArray(F * H, 42);
    const b0 = randomArray(H, 43);
    const out = tf.tensor2d(randomArray(M * H, 44), [M, H]);
    const run = (X: tf.Tensor, W: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(silu(linear(X as tf.Tensor2D, W as tf.Tensor2D, b as tf.Tensor1D)), out));
    const opts = { samples: 16 };
    expect(fdCheck((X) => run(X, tf.tensor2d(W0, [F, H]), tf.tensor1d(b0)), X0, [M, F], opts).worst).toBeLessThan(2e-2);
    expect(fdCheck((W) => run(tf.tensor2d(X0, [M, F]), W, tf.tensor1d(b0)), W0, [F, H], opts).worst).toBeLessThan(2e-2);
    expect(fdCheck((b) => run(tf.tensor2d(X0, [M, F]), tf.tensor2d(W0, [F, H]), b), b0, [H], opts).worst).toBeLessThan(
      2e-2,
    );
    out.dispose();
  });

  // Under a gradient tape on wasm, silu saves σ(x) and the output (its backward pass has no exponential), and the SIMD
  // dense layer has a registered gradient, so only the gradients the backward pass needs are computed.
  test('under a gradient tape, silu gives the same values, and linear computes only the gradients asked for', async () => {
    const x = tf.tensor2d(
      randomArray(7 * 8, 51).map((v) => 30 * v),
      [7, 8],
    );
    const outside = silu(x).dataSync();
    let inside: Float32Array | undefined;
    const g = tf.grad((t: tf.Tensor) => {
      const y = silu(t as tf.Tensor2D);
      inside = y.dataSync() as Float32Array;
      return tf.sum(y);
    })(x);
    expectClose(inside as Float32Array, outside, 1e-6);
    const want = Array.from(x.dataSync(), (v) => {
      const s = 1 / (1 + Math.exp(-v));
      return s * (1 + v * (1 - s));
    });
    expectClose(g.dataSync(), want, 1e-5);
    const W = tf.tensor2d(randomArray(8 * 16, 52), [8, 16]);
    const b = tf.tensor1d(randomArray(16, 53));
    const profile = await tf.profile(() => {
      const dW = tf.grad((w: tf.Tensor) => tf.sum(linear(x, w as tf.Tensor2D, b)))(W);
      dW.dataSync();
      dW.dispose();
    });
    const names = profile.kernels.map((k) => k.name).filter((n) => n.startsWith('Crys'));
    if (backend === 'wasm') expect(names.sort()).toEqual(['CrysSimdLinear', 'CrysSimdMatMulTN']);
    tf.dispose([x, g, W, b]);
  });

  test('the bias gradient sums row blocks in order, the same bits when the weight gradient summed it in its own pass', () => {
    // 5003 rows: 3 blocks of 1668 rows (the weight gradient's blocks), each summed from 0 in row order, then the blocks.
    const [E, n, m] = [5003, 8, 16];
    const x = tf.tensor2d(randomArray(E * n, 61), [E, n]);
    const gOut = Float32Array.from(randomArray(E * m, 62));
    const W = tf.variable(tf.tensor2d(randomArray(n * m, 63), [n, m]));
    const b = tf.variable(tf.tensor1d(randomArray(m, 64)));
    const rows = 4 * Math.ceil(E / 3 / 4);
    const want = new Float32Array(m);
    for (let k = 0; k < 3; k++) {
      const block = new Float32Array(m);
      for (let e = k * rows; e < Math.min(E, (k + 1) * rows); e++)
        for (let j = 0; j < m; j++) block[j] = Math.fround(block[j] + gOut[e * m + j]);
      for (let j = 0; j < m; j++) want[j] = Math.fround(want[j] + block[j]);
    }
    const loss = () => tf.sum(tf.mul(linear(x, W, b), tf.tensor2d(gOut, [E, m])));
    const both = tf.variableGrads(loss as () => tf.Scalar, [W, b]);
    const alone = tf.variableGrads(loss as () => tf.Scalar, [b]);
    const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
    if (backend === 'wasm' && hasWasmSimd()) {
      expect(bits(both.grads[b.name])).toEqual(Array.from(new Uint32Array(want.buffer)));
      expect(bits(alone.grads[b.name])).toEqual(Array.from(new Uint32Array(want.buffer)));
      // Sums kept for one g are never taken for another of the same shape.
      const g1 = tf.tensor2d(randomArray(E * m, 65), [E, m]);
      const g2 = tf.tensor2d(gOut, [E, m]);
      const w1 = weightGradient(x, g1, true);
      const b2 = biasGradient(g2);
      expect(bits(b2)).toEqual(Array.from(new Uint32Array(want.buffer)));
      tf.dispose([g1, g2, w1, b2]);
    } else expectClose(both.grads[b.name].dataSync(), want, 1e-3);
    let dW = 0;
    const wGrad = both.grads[W.name].dataSync();
    const xs = x.dataSync();
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let e = 0; e < E; e++) s += xs[e * n + i] * gOut[e * m + j];
        dW = Math.max(dW, Math.abs(wGrad[i * m + j] - s) / (1 + Math.abs(s)));
      }
    expect(dW).toBeLessThan(1e-4);
    tf.dispose([x, W, b, both.value, alone.value, ...Object.values(both.grads), ...Object.values(alone.grads)]);
  });

  test('sliceColumns and padColumns of 20 011 rows are tf.slice and tf.pad', () => {
    const x = tf.tensor2d(randomArray(20_011 * 6, 81), [20_011, 6]);
    expect(Array.from(sliceColumns(x, 2, 3).dataSync())).toEqual(
      Array.from(tf.slice(x, [0, 2], [20_011, 3]).dataSync()),
    );
    const padded = padColumns(x, 1, 9);
    expect(Array.from(padded.dataSync())).toEqual(
      Array.from(
        tf
          .pad(x, [
            [0, 0],
            [1, 2],
          ])
          .dataSync(),
      ),
    );
    tf.dispose([x, padded]);
  });

  test('linear with no inputs or no outputs (a zero-width product) gives the bias or an empty matrix, and its gradients', () => {
    tf.tidy(() => {
      const b = tf.tensor1d(randomArray(8, 91));
      const empty = tf.zeros([6, 0]) as tf.Tensor2D;
      const y = linear(empty, tf.zeros([0, 8]) as tf.Tensor2D, b);
      expect(y.shape).toEqual([6, 8]);
      expect(Array.from(y.dataSync())).toEqual(Array.from(tf.tile(tf.reshape(b, [1, 8]), [6, 1]).dataSync()));
      const x = tf.tensor2d(randomArray(6 * 4, 92), [6, 4]);
      expect(linear(x, tf.zeros([4, 0]) as tf.Tensor2D).shape).toEqual([6, 0]);
      const [gx, gw] = tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(linear(a as tf.Tensor2D, w as tf.Tensor2D)))([
        x,
        tf.zeros([4, 0]),
      ]);
      expect(Array.from(gx.dataSync())).toEqual(new Array(24).fill(0));
      expect(gw.shape).toEqual([4, 0]);
    });
  });

  test('addSame(a, b) is tf.add with its gradients, bit for bit (a size that is no multiple of 4; broadcasting falls back)', () => {
    const [R, C] = [20_011, 7];
    const a = tf.tensor2d(randomArray(R * C, 86), [R, C]);
    const b = tf.tensor2d(randomArray(R * C, 87), [R, C]);
    const dy = tf.tensor2d(randomArray(R * C, 88), [R, C]);
    const same = (x: tf.Tensor, y: tf.Tensor) =>
      expect(Array.from(new Uint32Array(x.dataSync().slice().buffer))).toEqual(
        Array.from(new Uint32Array(y.dataSync().slice().buffer)),
      );
    same(addSame(a, b), tf.add(a, b));
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.mul(addSame(x, y), x))([a, b], dy);
    const [ea, eb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.mul(tf.add(x, y), x))([a, b], dy);
    same(ga, ea);
    same(gb, eb);
    const row = tf.tensor1d(randomArray(C, 89));
    same(addSame(a, row), tf.add(a, row));
    tf.dispose([a, b, dy, ga, gb, ea, eb, row]);
  });

  test('sliceColumnsAddBias of 20 011 rows is tf.add(tf.slice(x), bias) with its gradients, bit for bit', () => {
    const x = tf.tensor2d(randomArray(20_011 * 8, 83), [20_011, 8]);
    const bias = tf.tensor1d(randomArray(2, 84));
    const dy = tf.tensor2d(randomArray(20_011 * 2, 85), [20_011, 2]);
    const stock = (t: tf.Tensor, b: tf.Tensor) => tf.add(tf.slice(t, [0, 3], [20_011, 2]), b) as tf.Tensor2D;
    const ours = (t: tf.Tensor, b: tf.Tensor) => sliceColumnsAddBias(t as tf.Tensor2D, 3, 2, b as tf.Tensor1D);
    const same = (a: tf.Tensor, b: tf.Tensor) =>
      expect(Array.from(new Uint32Array(a.dataSync().slice().buffer))).toEqual(
        Array.from(new Uint32Array(b.dataSync().slice().buffer)),
      );
    same(ours(x, bias), stock(x, bias));
    const [gx, gb] = tf.grads(ours)([x, bias], dy);
    const [ex, eb] = tf.grads(stock)([x, bias], dy);
    same(gx, ex);
    same(gb, eb);
    tf.dispose([x, bias, dy, gx, gb, ex, eb]);
  });

  test('sliceColumns(x, begin, size) takes columns of float32 and int32 matrices; its gradient fills the rest with 0', () => {
    const x = tf.tensor2d(randomArray(7 * 5, 61), [7, 5]);
    const xs = x.dataSync();
    expectClose(
      sliceColumns(x, 1, 3).dataSync(),
      Array.from({ length: 21 }, (_, k) => xs[Math.floor(k / 3) * 5 + 1 + (k % 3)]),
      1e-12,
    );
    expect(sliceColumns(x, 5, 0).shape).toEqual([7, 0]);
    expect(Array.from(sliceColumns(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 1, 1).dataSync())).toEqual([2, 4]);
    const weights = tf.tensor2d(randomArray(7 * 2, 62), [7, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(sliceColumns(t as tf.Tensor2D, 2, 2), weights)))(x);
    const ws = weights.dataSync();
    expectClose(
      g.dataSync(),
      Array.from({ length: 35 }, (_, k) => {
        const [r, c] = [Math.floor(k / 5), k % 5];
        return c === 2 || c === 3 ? ws[r * 2 + c - 2] : 0;
      }),
      1e-12,
    );
    tf.dispose([x, weights, g]);
  });

  // Dense layers with a few outputs (an edge head's) run tfjs's matmul forward; on wasm their weight and bias
  // gradients pad the upstream gradient to the SIMD kernels' widths.
  test('linear gradients with a narrow output (2 columns) match central finite differences', () => {
    const [M, F, H] = [9, 8, 2];
    const X0 = randomArray(M * F, 63);
    const W0 = randomArray(F * H, 64);
    const b0 = randomArray(H, 65);
    const out = tf.tensor2d(randomArray(M * H, 66), [M, H]);
    const run = (X: tf.Tensor, W: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.tanh(tf.mul(linear(X as tf.Tensor2D, W as tf.Tensor2D, b as tf.Tensor1D), out)));
    expect(fdCheck((W) => run(tf.tensor2d(X0, [M, F]), W, tf.tensor1d(b0)), W0, [F, H]).worst).toBeLessThan(2e-2);
    expect(fdCheck((b) => run(tf.tensor2d(X0, [M, F]), tf.tensor2d(W0, [F, H]), b), b0, [H]).worst).toBeLessThan(2e-2);
    expect(fdCheck((X) => run(X, tf.tensor2d(W0, [F, H]), tf.tensor1d(b0)), X0, [M, F]).worst).toBeLessThan(2e-2);
    out.dispose();
  });

  test('linear: rows past the last whole block of 4 are one float64 sum per value (bias, then k in order), rounded once', () => {
    const [M, K, H] = [7, 24, 16];
    const xs = Float32Array.from(randomArray(M * K, 71));
    const ws = Float32Array.from(randomArray(K * H, 72));
    const bs = Float32Array.from(randomArray(H, 73));
    const got = tf.tidy(() => linear(tf.tensor2d(xs, [M, K]), tf.tensor2d(ws, [K, H]), tf.tensor1d(bs)).dataSync());
    if (backend !== 'wasm') return; // elsewhere tf.matMul + bias
    for (let r = 4; r < M; r++) {
      for (let j = 0; j < H; j++) {
        let a = bs[j];
        for (let q = 0; q < K; q++) a += xs[r * K + q] * ws[q * H + j];
        expect(got[r * H + j]).toBe(Math.fround(a));
      }
    }
  });

  test('edgeFirstLayer is gatherRowsAdd(a, ia, b, ib, linear(x, w, bias)) bit for bit, values and gradients', () => {
    const bitsOf = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
    for (const [N, E, K, F] of [
      [7, 1003, 16, 64],
      [40, 12_058, 16, 64],
      [5, 6, 9, 8],
    ]) {
      tf.tidy(() => {
        const a = tf.tensor2d(randomArray(N * F, E + 1), [N, F]);
        const b = tf.tensor2d(randomArray(N * F, E + 2), [N, F]);
        const x = tf.tensor2d(randomArray(E * K, E + 3), [E, K]);
        const w = tf.tensor2d(randomArray(K * F, E + 4), [K, F]);
        const bias = tf.tensor1d(randomArray(F, E + 5));
        const ia = tf.tensor1d(randomIndices(E, N, E + 6), 'int32');
        const ib = tf.tensor1d(randomIndices(E, N, E + 7), 'int32');
        const up = tf.tensor2d(randomArray(E * F, E + 8), [E, F]);
        const fused = (aa: tf.Tensor, bb: tf.Tensor, xx: tf.Tensor, ww: tf.Tensor, bs: tf.Tensor) =>
          edgeFirstLayer(
            aa as tf.Tensor2D,
            ia,
            bb as tf.Tensor2D,
            ib,
            xx as tf.Tensor2D,
            ww as tf.Tensor2D,
            bs as tf.Tensor1D,
          );
        const apart = (aa: tf.Tensor, bb: tf.Tensor, xx: tf.Tensor, ww: tf.Tensor, bs: tf.Tensor) =>
          gatherRowsAdd(
            aa as tf.Tensor2D,
            ia,
            bb as tf.Tensor2D,
            ib,
            linear(xx as tf.Tensor2D, ww as tf.Tensor2D, bs as tf.Tensor1D),
          );
        expect(bitsOf(fused(a, b, x, w, bias))).toEqual(bitsOf(apart(a, b, x, w, bias)));
        const gf = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(fused(t[0], t[1], t[2], t[3], t[4]), up)))([
          a,
          b,
          x,
          w,
          bias,
        ]);
        const ga = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(apart(t[0], t[1], t[2], t[3], t[4]), up)))([
          a,
          b,
          x,
          w,
          bias,
        ]);
        for (let i = 0; i < 5; i++)
          expect({ E, input: i, bits: bitsOf(gf[i]) }).toEqual({ E, input: i, bits: bitsOf(ga[i]) });
      });
    }
  });

  test('a narrow linear (outputs not a multiple of 8) gives the bits of tf.matMul + bias, last rows included', () => {
    const bitsOf = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
    for (const [M, K, H] of [
      [4, 8, 1],
      [7, 64, 2],
      [1001, 64, 2],
      [203, 16, 3],
      [66, 128, 2],
      [5, 24, 5],
      [130, 32, 12],
      [3, 64, 2],
      [41, 17, 2],
    ]) {
      tf.tidy(() => {
        const x = tf.tensor2d(randomArray(M * K, M + K), [M, K]);
        const w = tf.tensor2d(randomArray(K * H, K + H), [K, H]);
        const b = tf.tensor1d(randomArray(H, H));
        expect({ M, K, H, bits: bitsOf(linear(x, w, b)) }).toEqual({
          M,
          K,
          H,
          bits: bitsOf(tf.add(tf.matMul(x, w), b)),
        });
        expect({ M, K, H, bits: bitsOf(linear(x, w)) }).toEqual({ M, K, H, bits: bitsOf(tf.matMul(x, w)) });
      });
    }
  });

  test("linear's input gradient g·wᵀ is the product with the transposed weights, bit for bit, and differentiable", () => {
    const bitsOf = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
    for (const [M, K, H] of [
      [12, 64, 64],
      [13, 16, 64],
      [1003, 64, 8],
      [6, 24, 32],
    ]) {
      tf.tidy(() => {
        const x = tf.tensor2d(randomArray(M * K, M + K), [M, K]);
        const w = tf.tensor2d(randomArray(K * H, K + H), [K, H]);
        const g = tf.tensor2d(randomArray(M * H, M + H + 1), [M, H]);
        const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(linear(v as tf.Tensor2D, w), g)))(x);
        // tf.transpose makes the weights `[H, K]` explicitly; linear of that runs the untransposed kernel path
        expect({ M, K, H, bits: bitsOf(dx) }).toEqual({ M, K, H, bits: bitsOf(linear(g, tf.transpose(w))) });
        expect({ M, K, H, bits: bitsOf(denseInputGradient(g, w)) }).toEqual({ M, K, H, bits: bitsOf(dx) });
        // differentiated again (its registered gradient with the transpose): against tf.matMul's
        const c = tf.tensor2d(randomArray(M * K, M + 7), [M, K]);
        const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(denseInputGradient(a as tf.Tensor2D, b as tf.Tensor2D), c)),
        )([g, w]);
        const theirs = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, false, true), c)))([
          g,
          w,
        ]);
        for (let i = 0; i < 2; i++) expectClose(ours[i].dataSync(), theirs[i].dataSync(), 1e-4);
      });
    }
  });

  test("gaussianBasis gives the bits of its chain of ops (flushed tails included), and the chain's gradient", () => {
    const bitsOf = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
    for (const [E, K, cutoff] of [
      [12_058, 16, 5],
      [7, 8, 4],
      [1, 4, 6],
      [301, 12, 3],
      [50, 6, 5],
    ]) {
      tf.tidy(() => {
        // distances from 0 to twice the cutoff (far ones flush to 0), a few exactly at a centre
        const ds = Float32Array.from(
          { length: E },
          (_, e) => ((Math.abs(Math.sin(e * 12.9898)) * 2 + 1e-3) * cutoff) / 2,
        );
        ds[0] = 0;
        if (E > 3) ds[3] = cutoff;
        const d = tf.tensor1d(ds);
        const step = cutoff / (K - 1);
        const gamma = 0.5 / (step * step);
        const chain = (x: tf.Tensor) => {
          const mu = tf.mul(tf.range(0, K, 1, 'float32'), step);
          return exp(tf.mul(tf.square(tf.sub(tf.reshape(x, [-1, 1]), tf.reshape(mu, [1, K]))), -gamma));
        };
        expect({ E, K, bits: bitsOf(gaussianBasis(d, K, step, gamma)) }).toEqual({ E, K, bits: bitsOf(chain(d)) });
        const w = tf.randomNormal([E, K], 0, 1, 'float32', 3);
        const ours = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gaussianBasis(x as tf.Tensor1D, K, step, gamma), w)))(d);
        const theirs = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(chain(x), w)))(d);
        expectClose(ours.dataSync(), theirs.dataSync(), 1e-6);
      });
    }
  });

  test('silu computes every value alike in its unrolled and single-vector loops, with and without a tape', () => {
    const bitsOf = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
    const underTape = (t: tf.Tensor) => {
      let y: tf.Tensor | undefined;
      tf.grad((v: tf.Tensor) => {
        y = tf.keep(silu(v as tf.Tensor2D));
        return tf.sum(y);
      })(t).dispose();
      return y as tf.Tensor;
    };
    for (const n of [4, 16, 20, 36, 4 * 1003 + 12]) {
      const xs = Float32Array.from(randomArray(n, n), (v) => 12 * v);
      for (const run of [(t: tf.Tensor) => silu(t as tf.Tensor2D), underTape]) {
        const full = tf.tidy(() => run(tf.tensor2d(xs, [n / 4, 4])).dataSync());
        // each row of 4 alone runs the single-vector loop only
        for (let r = 0; r < n / 4; r += Math.max(1, Math.floor(n / 40))) {
          const row = tf.tidy(() => run(tf.tensor2d(xs.slice(4 * r, 4 * r + 4), [1, 4])).dataSync());
          expect({ n, r, bits: bitsOf(row) }).toEqual({ n, r, bits: bitsOf(full.slice(4 * r, 4 * r + 4)) });
        }
      }
    }
  });

  test('exp matches Math.exp to float32 rounding, flushes below −87 to 0, and has the gradient eˣ', () => {
    const xs = Float32Array.from({ length: 4003 }, (_, i) => -120 + (210 * i) / 4002);
    xs[7] = Number.NaN;
    const got = tf.tidy(() => exp(tf.tensor1d(xs)).dataSync());
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (Number.isNaN(x)) expect(got[i]).toBeNaN();
      else if (x < -87) expect(got[i]).toBeLessThan(1.7e-38);
      else if (x > 88.8) expect(got[i]).toBe(Number.POSITIVE_INFINITY);
      else if (x <= 88) expect(Math.abs(got[i] - Math.exp(x)) / Math.exp(x)).toBeLessThan(3e-7);
    }
    expect(fdCheck((t) => tf.sum(exp(t)), randomArray(13, 91), [13], { eps: 1e-3 }).worst).toBeLessThan(1e-2);
  });

  test('kernels and their gradients leave no tensors behind', () => {
    const x = tf.tensor2d(randomArray(N * F, 27), [N, F]);
    const ids = tf.tensor1d(idx, 'int32');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const g = tf.grads((a: tf.Tensor) => tf.sum(silu(segmentMean(gatherRows(a as tf.Tensor2D, ids), ids, N))))([x]);
      g[0].dataSync();
    });
    const v = tf.tidy(() => tf.variable(tf.tensor2d(randomArray(4, 1), [2, 2])));
    const { value, grads } = tf.variableGrads(
      () => tf.sum(gatherRowsAdd(v, ids.slice(0, 1), v, ids.slice(1, 1), tf.ones([1, 2]))),
      [v],
    );
    tf.dispose([value, ...Object.values(grads), v]);
    expect(tf.memory().numTensors).toBe(before);
  });

  ftest.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 1e6 })], {
    numRuns: 20,
  })('segmentSum(gatherRows(x, ids)) sums x[i]·count(i) for any index vector', (E, S, seed) => {
    const ids = randomIndices(E, S, seed);
    const xs = randomArray(S * 3, seed + 1);
    const got = tf.tidy(() =>
      segmentSum(
        gatherRows(tf.tensor2d(xs, [S, 3]), tf.tensor1d(ids, 'int32')),
        tf.tensor1d(ids, 'int32'),
        S,
      ).dataSync(),
    );
    const count = new Float64Array(S);
    for (const i of ids) count[i]++;
    const want = Array.from(xs, (v, k) => v * count[Math.floor(k / 3)]);
    expectClose(got, want, 1e-5);
  });

  test('gatherRows and segmentSum reject out-of-range indices without leaking', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[1], [2]]);
    const bad = tf.tensor1d([0, 2], 'int32');
    expect(() => gatherRows(x, bad)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: gatherRows: indices must be in [0, 2), got 2 at position 1]`,
    );
    expect(() => segmentSum(x, tf.tensor1d([0, -1], 'int32'), 2)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: segmentSum: segmentIds must be in [0, 2), got -1 at position 1]`,
    );
    tf.dispose([x, bad]);
    expect(tf.memory().numTensors).toBe(before + 1); // the inline int32 tensor above
  });

  test('indices checked once are checked again against a smaller row count', () => {
    const ids = tf.tensor1d([0, 2, 1], 'int32');
    const x3 = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    const x2 = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(gatherRows(x3, ids).dataSync())).toEqual([1, 2, 3, 7, 8, 9, 4, 5, 6]);
    expect(Array.from(gatherRows(x3, ids).dataSync())).toEqual([1, 2, 3, 7, 8, 9, 4, 5, 6]);
    expect(() => gatherRows(x2, ids)).toThrow('gatherRows: indices must be in [0, 2), got 2 at position 1');
    expect(() => segmentSum(x3, ids, 2)).toThrow('segmentSum: segmentIds must be in [0, 2), got 2 at position 1');
    tf.dispose([ids, x3, x2]);
  });
});

test('kernel argument errors name the function, the argument and what arrived', () => {
  const x = tf.tensor2d([[1], [2]]);
  expect(() => gatherRows(x, tf.tensor1d([0, 1]) as tf.Tensor1D)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: gatherRows: indices must be an int32 tensor of rank 1, got float32 tensor of shape [2]]`,
  );
  expect(() => segmentSum(x, tf.tensor1d([0], 'int32'), 2)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: segmentSum: segmentIds must be an int32 tensor of shape [2], got int32 tensor of shape [1]]`,
  );
  expect(() => segmentSum(x, tf.tensor1d([0, 1], 'int32'), -1)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: segmentSum: numSegments must be a non-negative integer, got -1]`,
  );
  expect(() =>
    linear(
      x,
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    ),
  ).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: linear: kernel must have shape [1, out], got float32 tensor of shape [2, 2]]`,
  );
  expect(() =>
    segmentSum(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([0, 1], 'int32'), 2),
  ).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: segmentSum: x must be a float32 tensor of rank >= 1, got int32 tensor of shape [2]]`,
  );
  expect(() => sliceColumns(x, 1, 1)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: sliceColumns: size must be an integer in [0, 0], got 1]`,
  );
  expect(() => sliceColumns(x, -1, 1)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: sliceColumns: begin must be an integer in [0, 1], got -1]`,
  );
  expect(() => sliceColumns(tf.tensor1d([1]) as unknown as tf.Tensor2D, 0, 1)).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: sliceColumns: x must be a float32 or int32 tensor of rank 2, got float32 tensor of shape [1]]`,
  );
});
