import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import { linearAssignment } from './linear-assignment.js';

function bruteForce(cost: Float64Array, n: number): number {
  let best = Number.POSITIVE_INFINITY;
  const perm = Array.from({ length: n }, (_, i) => i);
  const rec = (k: number, acc: number): void => {
    if (acc >= best) return;
    if (k === n) {
      best = acc;
      return;
    }
    for (let i = k; i < n; i++) {
      [perm[k], perm[i]] = [perm[i], perm[k]];
      rec(k + 1, acc + cost[k * n + perm[k]]);
      [perm[k], perm[i]] = [perm[i], perm[k]];
    }
  };
  rec(0, 0);
  return best;
}

test.prop([
  fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constant(Number.POSITIVE_INFINITY)), {
        minLength: n * n,
        maxLength: n * n,
      }),
    ),
  ),
])(
  'linearAssignment(cost, n) finds the minimum-cost permutation, or null when only forbidden pairs complete one',
  ([n, c]) => {
    const cost = Float64Array.from(c);
    const best = bruteForce(cost, n);
    const sol = linearAssignment(cost, n);
    if (best === Number.POSITIVE_INFINITY) {
      expect(sol).toBeNull();
      return;
    }
    expect(sol).not.toBeNull();
    const s = sol as Int32Array;
    expect(new Set(s).size).toBe(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += cost[i * n + s[i]];
    expect(total).toBeCloseTo(best, 9);
  },
);

it('linearAssignment(cost, 3) solves a known 3×3 problem', () => {
  const cost = Float64Array.of(4, 1, 3, 2, 0, 5, 3, 2, 2);
  expect(Array.from(linearAssignment(cost, 3) ?? [])).toEqual([1, 0, 2]);
});
