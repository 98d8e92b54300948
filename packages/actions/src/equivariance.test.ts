/**
 * Equivariance of the whole edge → action pipeline on real crystals of the val sets (first crystals of
 * data/perov_5/val.csv and data/carbon_24/val.csv), with invariant per-edge weights (length and species
 * only). Float64 plain face: agreement to 1e-9 (relative to the largest entry). Float32 tensor face: 2e-5
 * absolute on g (entries ~1) and 2e-5·max|d| on atom actions (sums of ~50–300 float32 terms).
 */
import * as tf from '@tensorflow/tfjs';
import { radiusGraph, radiusGraphBatch } from '@crys/graph';
import { type Crystal, changeOfCell, create, createRng, makeSupercell, multiply, transpose } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { applyActionsToCrystal, type CrystalAction } from './apply.js';
import { crystalActions } from './crystal-actions.js';
import { edgeActions, edgeActionsFromArrays } from './edge-actions.js';
import { invariantWeights, randomOrthogonal, readVal } from '../test/crystals.js';

const CUTOFF = 5;
const crystals = [...readVal('perov_5', 6), ...readVal('carbon_24', 6)];

function actionsOf(c: Crystal): CrystalAction {
  const g = radiusGraph(c, { cutoff: CUTOFF, vectors: true });
  return crystalActions(c, g, invariantWeights(c.atomicNumbers, g, g.vectors!, CUTOFF));
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Rows times Rᵀ: every row vector v becomes v·Rᵀ (= R·v as a column). */
function rotateRows(rows: ArrayLike<number>, r: Float64Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i += 3) {
    for (let j = 0; j < 3; j++)
      out[i + j] = rows[i] * r[3 * j] + rows[i + 1] * r[3 * j + 1] + rows[i + 2] * r[3 * j + 2];
  }
  return out;
}

const rng = createRng(20240501);
const rand = (): number => rng.next();

describe('edge → action pipeline on val crystals (Float64)', () => {
  it('the val crystals give non-trivial actions (so the checks below can fail)', () => {
    for (const c of crystals) {
      const a = actionsOf(c);
      expect(maxAbs(a.atomActionsCart)).toBeGreaterThan(1e-4);
      let off = 0;
      for (let i = 0; i < 9; i++) off = Math.max(off, Math.abs(a.deformation[i] - (i % 4 === 0 ? 1 : 0)));
      expect(off).toBeGreaterThan(1e-3);
    }
  });

  for (const reflect of [false, true]) {
    it(`a ${reflect ? 'rotoreflection' : 'rotation'} R of the frame gives g → R·g·Rᵀ and atom actions d → d·Rᵀ`, () => {
      for (const c of crystals) {
        const r = randomOrthogonal(rand, reflect);
        const rotated: Crystal = { ...c, lattice: rotateRows(c.lattice, r) };
        const a = actionsOf(c),
          b = actionsOf(rotated);
        const want = multiply(create(), multiply(create(), r, a.deformation), transpose(create(), r));
        expectClose(b.deformation, want, 1e-9);
        expectClose(b.atomActionsCart, rotateRows(a.atomActionsCart, r), 1e-9 * maxAbs(a.atomActionsCart) + 1e-12);
      }
    });
  }

  it('translating every atom (then wrapping) leaves g and the atom actions unchanged', () => {
    for (const c of crystals) {
      const t = [rand(), rand(), rand()];
      const frac = c.fracCoords.map((x, i) => {
        const y = x + t[i % 3];
        return y - Math.floor(y);
      });
      const a = actionsOf(c),
        b = actionsOf({ ...c, fracCoords: frac });
      expectClose(b.deformation, a.deformation, 1e-9);
      expectClose(b.atomActionsCart, a.atomActionsCart, 1e-9 * maxAbs(a.atomActionsCart));
    }
  });

  it('permuting the atoms permutes the atom actions and leaves g unchanged', () => {
    for (const c of crystals) {
      const n = c.atomicNumbers.length;
      const perm = Array.from({ length: n }, (_, i) => i).sort(() => rand() - 0.5);
      const frac = new Float64Array(3 * n),
        z = new Uint8Array(n);
      for (let k = 0; k < n; k++) {
        frac.set(c.fracCoords.subarray(3 * perm[k], 3 * perm[k] + 3), 3 * k);
        z[k] = c.atomicNumbers[perm[k]];
      }
      const a = actionsOf(c),
        b = actionsOf({ lattice: c.lattice, fracCoords: frac, atomicNumbers: z });
      expectClose(b.deformation, a.deformation, 1e-9);
      const want = new Float64Array(3 * n);
      for (let k = 0; k < n; k++) want.set(a.atomActionsCart.subarray(3 * perm[k], 3 * perm[k] + 3), 3 * k);
      expectClose(b.atomActionsCart, want, 1e-9 * maxAbs(a.atomActionsCart));
    }
  });

  it('an SL(3,Z) change of unit cell gives the same deformation and atom actions (Cartesian frame)', () => {
    const cells = [
      [1, 1, 0, 0, 1, 0, 0, 0, 1],
      [0, 1, 0, 0, 0, 1, 1, 0, 0],
      [1, 0, 0, -1, 1, 0, 2, 0, 1],
    ];
    for (const c of crystals) {
      const a = actionsOf(c);
      for (const t of cells) {
        const b = actionsOf(changeOfCell(c, t));
        expectClose(b.deformation, a.deformation, 1e-9);
        expectClose(b.atomActionsCart, a.atomActionsCart, 1e-9 * maxAbs(a.atomActionsCart));
      }
    }
  });

  it('a 2×1×1 (and a sheared 1×2×1) supercell gives the same deformation and, per image, the same atom actions', () => {
    for (const c of crystals) {
      const a = actionsOf(c);
      const n = c.atomicNumbers.length;
      for (const m of [
        [2, 1, 1],
        [1, 0, 0, 1, 2, 0, 0, 0, 1],
      ]) {
        const big = makeSupercell(c, m);
        const b = actionsOf(big);
        expectClose(b.deformation, a.deformation, 1e-9);
        for (let k = 0; k < big.atomicNumbers.length; k++) {
          // makeSupercell: atom k·n + i is an image of atom i.
          expectClose(
            b.atomActionsCart.subarray(3 * k, 3 * k + 3),
            a.atomActionsCart.subarray(3 * (k % n), 3 * (k % n) + 3),
            1e-9 * maxAbs(a.atomActionsCart),
          );
        }
      }
    }
  });

  it("latticeReduce: 'sum' is NOT supercell-invariant (why the default is 'mean')", () => {
    const c = crystals[0];
    const big = makeSupercell(c, [2, 1, 1]);
    const weigh = (x: Crystal) => {
      const g = radiusGraph(x, { cutoff: CUTOFF, vectors: true });
      return crystalActions(x, g, invariantWeights(x.atomicNumbers, g, g.vectors!, CUTOFF), {
        latticeReduce: 'sum',
        map: 'exp',
      });
    };
    const a = weigh(c).deformation,
      b = weigh(big).deformation;
    // exp(2A) = exp(A)²: the supercell's "deformation" is the square of the cell's.
    expectClose(b, multiply(create(), a, a), 1e-9);
    expect(Math.abs(b[0] - a[0])).toBeGreaterThan(1e-3);
  });

  it('one full step commutes with rotations: apply(rotate(c)) = rotate(apply(c))', () => {
    for (const c of crystals) {
      const r = randomOrthogonal(rand);
      const rotated: Crystal = { ...c, lattice: rotateRows(c.lattice, r) };
      const next = applyActionsToCrystal(c, actionsOf(c));
      const nextRotated = applyActionsToCrystal(rotated, actionsOf(rotated));
      expectClose(nextRotated.lattice, rotateRows(next.lattice, r), 1e-9);
      // Fractional coordinates are frame-free; compare modulo 1.
      for (let i = 0; i < next.fracCoords.length; i++) {
        const d = nextRotated.fracCoords[i] - next.fracCoords[i];
        expect(Math.abs(d - Math.round(d))).toBeLessThan(1e-9);
      }
    }
  });
});

describe('edge → action pipeline on val crystals (float32 tensors)', () => {
  it('edgeActions on a batch matches edgeActionsFromArrays and is rotation-equivariant, without leaking tensors', () => {
    const batch = radiusGraphBatch(crystals, { cutoff: CUTOFF, vectors: true });
    const vectors = batch.vectors!;
    const weights = invariantWeights(batch.atomicNumbers, batch, vectors, CUTOFF);
    const want = edgeActionsFromArrays(
      vectors,
      weights,
      batch.src,
      batch.edgeCrystalIndex,
      batch.numNodes,
      batch.numGraphs,
    );
    const r = randomOrthogonal(rand, true);
    const before = tf.memory().numTensors;
    const run = (v: Float64Array) =>
      tf.tidy(() => {
        const out = edgeActions(
          tf.tensor2d(Float32Array.from(v), [v.length / 3, 3]),
          tf.tensor2d(Float32Array.from(weights), [weights.length / 2, 2]),
          batch.src,
          batch.edgeCrystalIndex,
          batch.numNodes,
          batch.numGraphs,
        );
        return [out.latticeAction.dataSync(), out.atomActionsCart.dataSync()] as const;
      });
    const [g, d] = run(vectors);
    const [gr, dr] = run(rotateRows(vectors, r));
    expect(tf.memory().numTensors).toBe(before);
    const dTol = 2e-5 * maxAbs(want.atomActionsCart);
    expectClose(g, want.latticeAction, 2e-5);
    expectClose(d, want.atomActionsCart, dTol);
    for (let b = 0; b < batch.numGraphs; b++) {
      const gb = Float64Array.from(g.subarray(9 * b, 9 * b + 9));
      const rot = multiply(create(), multiply(create(), r, gb), transpose(create(), r));
      expectClose(gr.subarray(9 * b, 9 * b + 9), rot, 2e-5);
    }
    expectClose(dr, rotateRows(d, r), dTol);
  });
});
