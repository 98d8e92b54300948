import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { edgeOperators, edgeOperatorsInto, MIN_EDGE_LENGTH } from './operators.js';

const vec = fc
  .float64Array({ minLength: 3, maxLength: 3, min: -8, max: 8, noNaN: true })
  .filter((v) => Math.hypot(...v) > 1e-2);
const symStrain = fc
  .float64Array({ minLength: 6, maxLength: 6, min: -1, max: 1, noNaN: true })
  .map((v) => Float64Array.of(v[0], v[1], v[2], v[1], v[3], v[4], v[2], v[4], v[5]));

/** |r·(I + h·ε)| */
function strainedLength(r: Float64Array, eps: Float64Array, h: number): number {
  const out = [0, 0, 0];
  for (let j = 0; j < 3; j++) out[j] = r[j] + h * (r[0] * eps[j] + r[1] * eps[3 + j] + r[2] * eps[6 + j]);
  return Math.hypot(out[0], out[1], out[2]);
}

describe('edgeOperatorsInto', () => {
  test.prop([vec, symStrain])(
    "edgeOperatorsInto(out, r, 'length') is ∂|r·(I + ε)|/∂ε: Op : ε matches finite differences",
    (r, eps) => {
      const op = edgeOperatorsInto(new Float64Array(9), r, 'length');
      let contracted = 0;
      for (let i = 0; i < 9; i++) contracted += op[i] * eps[i];
      const h = 1e-6;
      const fd = (strainedLength(r, eps, h) - strainedLength(r, eps, -h)) / (2 * h);
      expect(contracted).toBeCloseTo(fd, 6);
    },
  );

  test.prop([vec, symStrain])("edgeOperatorsInto(out, r, 'direction') is ∂ln|r·(I + ε)|/∂ε", (r, eps) => {
    const op = edgeOperatorsInto(new Float64Array(9), r, 'direction');
    let contracted = 0;
    for (let i = 0; i < 9; i++) contracted += op[i] * eps[i];
    const h = 1e-6;
    const fd = (Math.log(strainedLength(r, eps, h)) - Math.log(strainedLength(r, eps, -h))) / (2 * h);
    expect(contracted).toBeCloseTo(fd, 6);
  });

  test.prop([vec])(
    'edgeOperatorsInto gives exactly symmetric operators with trace |r| (length) and 1 (direction)',
    (r) => {
      for (const kind of ['length', 'direction'] as const) {
        const op = edgeOperatorsInto(new Float64Array(9), r, kind);
        expect(op[1]).toBe(op[3]);
        expect(op[2]).toBe(op[6]);
        expect(op[5]).toBe(op[7]);
        expect(op[0] + op[4] + op[8]).toBeCloseTo(kind === 'length' ? Math.hypot(...r) : 1, 12);
      }
    },
  );

  it('edgeOperatorsInto gives the zero operator for r = 0 and for |r| below MIN_EDGE_LENGTH', () => {
    const out = new Float64Array(27).fill(7);
    edgeOperatorsInto(out, [0, 0, 0, MIN_EDGE_LENGTH / 2, 0, 0, 0, 0, 2], 'length');
    expect(Array.from(out)).toEqual([...new Array(18).fill(0), 0, 0, 0, 0, 0, 0, 0, 0, 2]);
  });
});

describe('edgeOperators (tensor)', () => {
  it('edgeOperators matches edgeOperatorsInto to float32 precision', () => {
    const r = Float64Array.from({ length: 30 }, (_, i) => 3 * Math.sin(1.7 * i + 0.3));
    for (const kind of ['length', 'direction'] as const) {
      const got = tf.tidy(() => edgeOperators(tf.tensor2d(Float32Array.from(r), [10, 3]), kind).dataSync());
      const want = edgeOperatorsInto(new Float64Array(90), r, kind);
      for (let i = 0; i < 90; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    }
  });

  it('edgeOperators is safe at r = 0: zero operator and finite (zero) gradient, no leaked tensors', () => {
    const before = tf.memory().numTensors;
    for (const kind of ['length', 'direction'] as const) {
      const [value, grad] = tf.tidy(() => {
        const x = tf.tensor2d([0, 0, 0, 1e-8, 0, 0, 1, 2, 2], [3, 3]);
        const f = (t: tf.Tensor) =>
          tf.sum(tf.mul(edgeOperators(t as tf.Tensor2D, kind), tf.range(1, 28).reshape([3, 3, 3])));
        return [edgeOperators(x, kind).dataSync(), tf.grad(f)(x).dataSync()];
      });
      expect(Array.from(value.slice(0, 18))).toEqual(new Array(18).fill(0));
      expect(Array.from(grad.slice(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
      expect(grad.every(Number.isFinite)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('edgeOperators(r) gradient matches finite differences of the Float64 operator', () => {
    const r = Float64Array.of(1.2, -0.4, 2.0, 0.3, 0.9, -1.1);
    const c = Float64Array.from({ length: 18 }, (_, i) => Math.cos(2.1 * i));
    for (const kind of ['length', 'direction'] as const) {
      const loss = (v: Float64Array) => {
        const op = edgeOperatorsInto(new Float64Array(18), v, kind);
        return op.reduce((s, x, i) => s + x * c[i], 0);
      };
      const grad = tf.tidy(() => {
        const f = (t: tf.Tensor) =>
          tf.sum(tf.mul(edgeOperators(t as tf.Tensor2D, kind), tf.tensor3d(Float32Array.from(c), [2, 3, 3])));
        return tf
          .grad(f)(tf.tensor2d(Float32Array.from(r), [2, 3]))
          .dataSync();
      });
      for (let i = 0; i < 6; i++) {
        const p = Float64Array.from(r),
          m = Float64Array.from(r);
        p[i] += 1e-6;
        m[i] -= 1e-6;
        expect(grad[i]).toBeCloseTo((loss(p) - loss(m)) / 2e-6, 4);
      }
    }
  });

  it('edgeOperators rejects a bad operator kind and a bad shape', () => {
    const x = tf.zeros([2, 2]) as tf.Tensor2D;
    expect(() => edgeOperators(x)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: edgeOperators: edgeVectors must be a tensor of shape [E, 3], got [2, 2]]`,
    );
    expect(() =>
      edgeOperators(tf.zeros([2, 3]) as tf.Tensor2D, 'strain' as 'length'),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: edgeOperators: operator must be 'direction' or 'length', got strain]`,
    );
    tf.dispose(x);
  });
});
