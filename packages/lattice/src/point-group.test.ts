import { describe, expect, it } from 'vitest';
import { latticeFromParameters } from './cell.js';
import { multiply } from './mat3.js';
import { latticePointGroup } from './point-group.js';

const orders: [string, number[], number][] = [
  ['cubic', [4, 4, 4, 90, 90, 90], 48],
  ['tetragonal', [4, 4, 5, 90, 90, 90], 16],
  ['orthorhombic', [3, 4, 5, 90, 90, 90], 8],
  ['hexagonal', [3, 3, 5, 90, 90, 120], 24],
  ['monoclinic', [3, 4, 5, 90, 100, 90], 4],
  ['triclinic', [3, 4, 5, 81, 97, 103], 2],
];

describe('latticePointGroup', () => {
  for (const [name, p, order] of orders) {
    it(`${name} cell has ${order} operations, identity first, closed under products, metric kept`, () => {
      const l = latticeFromParameters(p[0], p[1], p[2], p[3], p[4], p[5]);
      const ops = latticePointGroup(l);
      expect(ops.length).toBe(order);
      expect(Array.from(ops[0])).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
      const key = (r: ArrayLike<number>) => Array.from(r, (x) => Math.round(x)).join(',');
      const keys = new Set(ops.map(key));
      expect(keys.has('-1,0,0,0,-1,0,0,0,-1')).toBe(true);
      for (const a of ops) {
        for (const b of ops)
          expect(keys.has(key(multiply(new Float64Array(9), Float64Array.from(a), Float64Array.from(b))))).toBe(true);
        // R·L has the same metric as L
        const rl = multiply(new Float64Array(9), Float64Array.from(a), l);
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 3; j++) {
            let x = 0,
              y = 0;
            for (let q = 0; q < 3; q++) {
              x += rl[3 * i + q] * rl[3 * j + q];
              y += l[3 * i + q] * l[3 * j + q];
            }
            expect(x).toBeCloseTo(y, 9);
          }
      }
    });
  }

  it('rejects a bad tolerance and a singular lattice', () => {
    expect(() => latticePointGroup(latticeFromParameters(4, 4, 4, 90, 90, 90), { tolerance: 0 })).toThrow(/tolerance/);
    expect(() => latticePointGroup(new Float64Array(9))).toThrow();
  });
});
