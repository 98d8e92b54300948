import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  add,
  antisymmetricPart,
  copy,
  create,
  determinant,
  frobenius,
  fromValues,
  identity,
  invert,
  multiply,
  scale,
  subtract,
  symmetricPart,
  transformRow,
  transpose,
} from './mat3.js';

const mat3 = fc.float64Array({ minLength: 9, maxLength: 9, min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });

describe('mat3 kernels', () => {
  test.prop([mat3])('symmetricPart(m) + antisymmetricPart(m) equals m', (m) => {
    const s = symmetricPart(create(), m),
      w = antisymmetricPart(create(), m);
    for (let i = 0; i < 9; i++) expect(s[i] + w[i]).toBeCloseTo(m[i], 9);
    expect(Array.from(s)).toEqual(Array.from(transpose(create(), s)));
    const wt = transpose(create(), w);
    for (let i = 0; i < 9; i++) expect(w[i] + wt[i]).toBe(0);
  });

  test.prop([mat3.filter((m) => Math.abs(determinant(m)) > 1e-3 * Math.max(1, frobenius(m)) ** 3)])(
    'invert(out, m) gives m · m⁻¹ = I',
    (m) => {
      const inv = invert(create(), m)!;
      const p = multiply(create(), m, inv);
      const id = identity();
      for (let i = 0; i < 9; i++) expect(p[i]).toBeCloseTo(id[i], 6);
    },
  );

  test('invert(out, m) returns null and leaves out untouched for a singular m', () => {
    const out = fromValues([7, 7, 7, 7, 7, 7, 7, 7, 7]);
    expect(invert(out, [1, 2, 3, 2, 4, 6, 0, 0, 1])).toBeNull();
    expect(Array.from(out)).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 7]);
  });

  test('fromValues accepts nine numbers or nested rows', () => {
    expect(
      Array.from(
        fromValues([
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ]),
      ),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  // Every out-param kernel, run once into a fresh array and once with out = first input.
  const binary = { multiply, add, subtract } as const;
  for (const [name, fn] of Object.entries(binary)) {
    test.prop([mat3, mat3])(`${name}(out, a, b) gives the same result when out is a or b`, (a, b) => {
      const expected = fn(create(), a, b);
      expect(Array.from(fn(Float64Array.from(a), Float64Array.from(a), b))).toEqual(Array.from(expected));
      const bb = Float64Array.from(b);
      expect(Array.from(fn(bb, a, bb))).toEqual(Array.from(expected));
    });
  }
  const unary = {
    copy,
    transpose,
    symmetricPart,
    antisymmetricPart,
    scale: (o: Float64Array, a: Float64Array) => scale(o, a, 2.5),
    invert: (o: Float64Array, a: Float64Array) => invert(o, a) ?? o.fill(Number.NaN),
  } as const;
  for (const [name, fn] of Object.entries(unary)) {
    test.prop([mat3])(`${name}(out, a) gives the same result when out is a`, (a) => {
      const expected = fn(create(), a);
      const alias = Float64Array.from(a);
      expect(Array.from(fn(alias, alias))).toEqual(Array.from(expected));
    });
  }

  test('transformRow(out, v, m) computes v · m and may write over v', () => {
    const v = Float64Array.of(1, 2, 3);
    expect(Array.from(transformRow(v, v, [1, 0, 0, 0, 2, 0, 1, 1, 1]))).toEqual([4, 7, 3]);
  });
});
