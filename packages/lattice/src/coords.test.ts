import { expect, test } from 'vitest';
import { latticeFromParameters } from './cell.js';
import { fracToCart, minimumImage, wrapFrac } from './coords.js';

test('wrapFrac(out, frac) never returns 1.0 or −0', () => {
  const out = wrapFrac(new Float64Array(4), [-1e-20, -0, 1, 2.25]);
  expect(Array.from(out)).toEqual([0, 0, 0, 0.25]);
  expect(Object.is(out[1], -0)).toBe(false);
});

test('minimumImage(out, d, L) finds the shortest image in an obtuse cell where rounding fails', () => {
  const L = latticeFromParameters(1, 1, 1, 90, 90, 150);
  const d = Float64Array.of(0.5, 0.49, 0);
  const images = new Int32Array(3);
  const r = minimumImage(new Float64Array(3), d, L, images);
  let best = Infinity;
  for (let a = -3; a <= 3; a++)
    for (let b = -3; b <= 3; b++)
      for (let c = -3; c <= 3; c++) {
        const v = fracToCart(new Float64Array(3), [d[0] + a, d[1] + b, d[2] + c], L);
        best = Math.min(best, Math.hypot(v[0], v[1], v[2]));
      }
  expect(Math.hypot(r[0], r[1], r[2])).toBeCloseTo(best, 12);
  const check = fracToCart(new Float64Array(3), [d[0] + images[0], d[1] + images[1], d[2] + images[2]], L);
  for (let k = 0; k < 3; k++) expect(check[k]).toBeCloseTo(r[k], 12);
});
