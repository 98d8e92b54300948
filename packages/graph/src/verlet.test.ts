import { fc, test } from '@fast-check/vitest';
import { createCrystal, createRng } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { radiusGraphFromArrays } from './radius-graph.js';
import { fracCoords, skewedLattice } from '../test/arbitraries.js';
import { edgeKeys, graphEdges } from '../test/brute.js';
import { loadVal } from '../test/datasets.js';
import { createVerletList, verletSafeMargin } from './verlet.js';

const cutoff = 4,
  skin = 0.8;

/** Keys farther than 1e-9 Å from the cutoff. */
function clear(g: Parameters<typeof graphEdges>[0]): string[] {
  return edgeKeys(graphEdges(g).filter((e) => Math.abs(e.distance - cutoff) > 1e-9));
}

describe('createVerletList', () => {
  test.prop(
    [
      skewedLattice,
      fracCoords,
      fc.array(fc.double({ min: -0.12, max: 0.12, noNaN: true }), { minLength: 9, maxLength: 9 }),
      fc.array(fc.double({ min: -0.15, max: 0.15, noNaN: true }), { minLength: 15, maxLength: 15 }),
    ],
    { numRuns: 60 },
  )(
    'VerletList.update(L, x) equals a fresh radiusGraph, and needsRebuild is false only when that is guaranteed',
    (l, x, strain, moves) => {
      const n = x.length / 3;
      const crystal = { lattice: l, fracCoords: x, atomicNumbers: new Uint8Array(n).fill(6) };
      const list = createVerletList(crystal, { cutoff, skin });
      // strain: L' = L (I + ε), moves: Cartesian-ish fractional displacements
      const l2 = new Float64Array(9);
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 3; c++) {
          let s = l[3 * r + c];
          for (let k = 0; k < 3; k++) s += l[3 * r + k] * strain[3 * k + c];
          l2[3 * r + c] = s;
        }
      }
      const x2 = x.map((v, k) => v + moves[k] / 3);
      const needs = list.needsRebuild(l2, x2);
      const before = list.builds;
      const g = list.update(l2, x2);
      expect(list.builds).toBe(needs ? before + 1 : before);
      expect(clear(g)).toEqual(clear(radiusGraphFromArrays(l2, x2, cutoff)));
    },
  );

  it('VerletList keeps the list over a slow random walk of a val crystal and rebuilds only when the bound says so', () => {
    const { crystal } = loadVal('carbon_24', 1)[0];
    const list = createVerletList(crystal, { cutoff: 5, skin: 0.5 });
    const rng = createRng(7);
    const x = Float64Array.from(crystal.fracCoords);
    const l = Float64Array.from(crystal.lattice);
    let rebuiltAt = -1;
    for (let step = 0; step < 40; step++) {
      for (let k = 0; k < x.length; k++) x[k] += 0.02 * (rng.next() - 0.5);
      for (let k = 0; k < 9; k++) l[k] *= 1 + 0.01 * (rng.next() - 0.5);
      const g = list.update(l, x);
      if (list.builds > 1 && rebuiltAt < 0) rebuiltAt = step;
      expect(edgeKeys(graphEdges(g))).toEqual(edgeKeys(graphEdges(radiusGraphFromArrays(l, x, 5))));
    }
    expect(list.builds).toBeGreaterThan(1);
    expect(list.builds).toBeLessThan(40);
  });

  it('verletSafeMargin(L0, x0, L, x, rc, skin) is skin at rest, shrinks by 2u for a move u and by σ for a strain', () => {
    const l = [4, 0, 0, 0, 4, 0, 0, 0, 4];
    expect(verletSafeMargin(l, [0, 0, 0], l, [0, 0, 0], 5, 1)).toBeCloseTo(1, 9);
    expect(verletSafeMargin(l, [0, 0, 0], l, [0.05, 0, 0], 5, 1)).toBeCloseTo(1 - 2 * 0.2, 9);
    // uniform compression by 2 %: σ = 0.98
    const l2 = l.map((v) => v * 0.98);
    expect(verletSafeMargin(l, [0, 0, 0], l2, [0, 0, 0], 5, 1)).toBeCloseTo(0.98 * 6 - 5, 9);
    // shear: F = I + γ e_x e_yᵀ, σ_min = √(1 + γ²/4) − γ/2
    const g = 0.1;
    const l3 = [4, 4 * g, 0, 0, 4, 0, 0, 0, 4];
    expect(verletSafeMargin(l, [0, 0, 0], l3, [0, 0, 0], 5, 1)).toBeCloseTo(
      (Math.sqrt(1 + (g * g) / 4) - g / 2) * 6 - 5,
      9,
    );
  });

  it('a shear that moves far images past the skin is caught even though no atom moves', () => {
    // 1-atom 2 Å cubic cell, 4 Å cutoff, 0.2 Å skin: a shear of the cell moves the far (2, 2, 0)-type images
    // by more than the skin while the atom itself stays put
    const l = Float64Array.of(2, 0, 0, 0, 2, 0, 0, 0, 2);
    const list = createVerletList(createCrystal({ lattice: l, fracCoords: [0, 0, 0], atomicNumbers: [6] }), {
      cutoff: 4,
      skin: 0.2,
    });
    const sheared = Float64Array.of(2, -0.3, 0, -0.3, 2, 0, 0, 0, 2);
    expect(list.needsRebuild(sheared, [0, 0, 0])).toBe(true);
    const g = list.update(sheared, [0, 0, 0]);
    expect(edgeKeys(graphEdges(g))).toEqual(edgeKeys(graphEdges(radiusGraphFromArrays(sheared, [0, 0, 0], 4))));
  });

  it('createVerletList rejects a bad skin and VerletList.update rejects wrong coordinates', () => {
    const c = createCrystal({ lattice: [2, 0, 0, 0, 2, 0, 0, 0, 2], fracCoords: [0, 0, 0], atomicNumbers: [6] });
    expect(() => createVerletList(c, { cutoff: 3, skin: -0.1 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: createVerletList: skin must be positive and finite, got -0.1]`,
    );
    const list = createVerletList(c, { cutoff: 3, skin: 0.1 });
    expect(() => list.update([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: VerletList.update: fracCoords must have length 3, got 2]`,
    );
  });
});
