import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { mul3, symEig, symExp, symLog, symmetricFrame } from './sym3.js';

const sym = fc
  .tuple(...Array.from({ length: 6 }, () => fc.double({ min: -2, max: 2, noNaN: true })))
  .map(([a, b, c, d, e, f]) => Float64Array.of(a, b, c, b, d, e, c, e, f));

describe('sym3', () => {
  test.prop([sym])('symEig(a) reconstructs a = V·diag(w)·Vᵀ with orthonormal V', (a) => {
    const w = new Float64Array(3),
      v = new Float64Array(9);
    symEig(a, w, v);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let r = 0,
          o = 0;
        for (let k = 0; k < 3; k++) {
          r += v[3 * i + k] * w[k] * v[3 * j + k];
          o += v[3 * k + i] * v[3 * k + j];
        }
        expect(r).toBeCloseTo(a[3 * i + j], 9);
        expect(o).toBeCloseTo(i === j ? 1 : 0, 9);
      }
    }
  });

  test.prop([sym])('symLog(symExp(a)) equals a', (a) => {
    const back = symLog(new Float64Array(9), symExp(new Float64Array(9), a));
    for (let i = 0; i < 9; i++) expect(back[i]).toBeCloseTo(a[i], 8);
  });

  const cell = fc
    .array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 9, maxLength: 9 })
    .map((d) => Float64Array.from(d, (x, i) => x + (i % 4 === 0 ? 4 : 0)));
  test.prop([cell])('symmetricFrame(L) is symmetric with the metric L·Lᵀ', (l) => {
    const s = symmetricFrame(new Float64Array(9), l);
    const ss = mul3(new Float64Array(9), s, s);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        expect(s[3 * i + j]).toBeCloseTo(s[3 * j + i], 9);
        const g = l[3 * i] * l[3 * j] + l[3 * i + 1] * l[3 * j + 1] + l[3 * i + 2] * l[3 * j + 2];
        expect(ss[3 * i + j]).toBeCloseTo(g, 6);
      }
    }
  });
});
