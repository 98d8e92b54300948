import { bench, describe } from 'vitest';
import { latticeFromParameters } from '../src/cell.js';
import { fracToCart, minimumImage, wrapFrac } from '../src/coords.js';
import { createRng } from '../src/random.js';

// Inputs are built once, outside the timed functions; each kernel runs beside a naive reference.
const L = latticeFromParameters(5.1, 6.3, 7.2, 75, 95, 110);
for (const n of [1_000, 10_000]) {
  const rng = createRng(n);
  const frac = Float64Array.from({ length: 3 * n }, () => -0.5 + 2 * rng.next());
  const delta = Float64Array.from({ length: 3 * n }, () => -1 + 2 * rng.next());
  const out = new Float64Array(3 * n);
  const rows = Array.from({ length: n }, (_, i) => [frac[3 * i], frac[3 * i + 1], frac[3 * i + 2]]);
  const l = [Array.from(L.subarray(0, 3)), Array.from(L.subarray(3, 6)), Array.from(L.subarray(6, 9))];

  describe(`fracToCart, ${n} atoms`, () => {
    bench('fracToCart(out, frac, L)', () => {
      fracToCart(out, frac, L);
    });
    bench('naive: rows.map(v => v · L) with nested arrays', () => {
      rows.map((v) => [0, 1, 2].map((c) => v[0] * l[0][c] + v[1] * l[1][c] + v[2] * l[2][c]));
    });
  });

  describe(`wrapFrac, ${n} atoms`, () => {
    bench('wrapFrac(out, frac)', () => {
      wrapFrac(out, frac);
    });
    bench('naive: Array.from(frac, x => ((x % 1) + 1) % 1)', () => {
      Array.from(frac, (x) => ((x % 1) + 1) % 1);
    });
  });

  describe(`minimumImage, ${n} atoms`, () => {
    bench('minimumImage(out, delta, L) (exact, LLL basis)', () => {
      minimumImage(out, delta, L);
    });
    bench('naive: 27 images around the rounded vector (inexact for skewed cells)', () => {
      for (let i = 0; i < 3 * n; i += 3) {
        let best = Number.POSITIVE_INFINITY;
        for (let a = -1; a <= 1; a++)
          for (let b = -1; b <= 1; b++)
            for (let c = -1; c <= 1; c++) {
              const g = [
                delta[i] - Math.round(delta[i]) + a,
                delta[i + 1] - Math.round(delta[i + 1]) + b,
                delta[i + 2] - Math.round(delta[i + 2]) + c,
              ];
              const v = [0, 1, 2].map((k) => g[0] * l[0][k] + g[1] * l[1][k] + g[2] * l[2][k]);
              best = Math.min(best, v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            }
        out[i] = best;
      }
    });
  });
}
