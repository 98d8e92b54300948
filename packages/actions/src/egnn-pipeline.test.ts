/**
 * The whole model head, network included: @crys/egnn's `Egnn` turns the periodic multigraph of a batch of val
 * crystals into two invariant weights per edge, and `edgeActions` / `applyActions` turn those into actions.
 * Float32 end to end, so the tolerances are float32 ones: 5e-5 on g (entries ≈ 1) and 5e-5·max|d| on atom
 * actions (the network's rounding shows up in the weights, then in sums over ~100 edges per atom).
 */
import * as tf from '@tensorflow/tfjs';
import { Egnn } from '@crys/egnn';
import { type GraphBatch, radiusGraphBatch } from '@crys/graph';
import { type Crystal, changeOfCell, create, createRng, makeSupercell, multiply, transpose } from '@crys/lattice';
import { afterAll, describe, expect, it } from 'vitest';
import { applyActions } from './apply.js';
import { edgeActions } from './edge-actions.js';
import { randomOrthogonal, readVal } from '../test/crystals.js';

const CUTOFF = 5;
const crystals = [...readVal('perov_5', 3), ...readVal('carbon_24', 2)];
const net = new Egnn({ units: 16, layers: 2, cutoff: CUTOFF, seed: 11 });
afterAll(() => net.dispose());

interface Actions {
  readonly g: Float32Array;
  readonly d: Float32Array;
  readonly numAtoms: Int32Array;
}

function run(cs: readonly Crystal[]): Actions {
  const batch: GraphBatch = radiusGraphBatch(cs, { cutoff: CUTOFF, vectors: true });
  return tf.tidy(() => {
    const vectors = tf.tensor2d(Float32Array.from(batch.vectors!), [batch.src.length, 3]);
    const { edgeOutputs } = net.apply({
      atomicNumbers: tf.tensor1d(Int32Array.from(batch.atomicNumbers), 'int32'),
      src: tf.tensor1d(batch.src, 'int32'),
      dst: tf.tensor1d(batch.dst, 'int32'),
      vectors,
    });
    const o = edgeActions(vectors, edgeOutputs, batch.src, batch.edgeCrystalIndex, batch.numNodes, batch.numGraphs);
    return {
      g: o.latticeAction.dataSync() as Float32Array,
      d: o.atomActionsCart.dataSync() as Float32Array,
      numAtoms: batch.numAtoms,
    };
  });
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

function rotateRows(rows: ArrayLike<number>, r: Float64Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i += 3) {
    for (let j = 0; j < 3; j++)
      out[i + j] = rows[i] * r[3 * j] + rows[i + 1] * r[3 * j + 1] + rows[i + 2] * r[3 * j + 2];
  }
  return out;
}

const rng = createRng(99);
const base = run(crystals);
const dTol = 5e-5 * maxAbs(base.d);

describe('Egnn → edgeActions on val crystals (float32)', () => {
  it('the network gives non-trivial actions (so the checks below can fail)', () => {
    expect(maxAbs(base.d)).toBeGreaterThan(1e-3);
    expect(maxAbs(base.g.map((x, i) => x - ((i % 9) % 4 === 0 ? 1 : 0)))).toBeGreaterThan(1e-3);
  });

  for (const reflect of [false, true]) {
    it(`a ${reflect ? 'rotoreflection' : 'rotation'} of every cell gives R·g·Rᵀ and d·Rᵀ`, () => {
      const r = randomOrthogonal(() => rng.next(), reflect);
      const rotated = run(crystals.map((c) => ({ ...c, lattice: rotateRows(c.lattice, r) })));
      for (let b = 0; b < crystals.length; b++) {
        const gb = Float64Array.from(base.g.subarray(9 * b, 9 * b + 9));
        expectClose(
          rotated.g.subarray(9 * b, 9 * b + 9),
          multiply(create(), multiply(create(), r, gb), transpose(create(), r)),
          5e-5,
        );
      }
      expectClose(rotated.d, rotateRows(base.d, r), dTol);
    });
  }

  it('translating all atoms, permuting them and changing the unit cell (SL(3,Z)) give the same actions', () => {
    const moved = run(
      crystals.map((c) => ({ ...c, fracCoords: c.fracCoords.map((x, i) => x + [0.31, -0.12, 0.77][i % 3]) })),
    );
    expectClose(moved.g, base.g, 5e-5);
    expectClose(moved.d, base.d, dTol);
    const recelled = run(crystals.map((c) => changeOfCell(c, [1, 0, 1, 0, 1, 0, 0, -1, 1])));
    expectClose(recelled.g, base.g, 5e-5);
    expectClose(recelled.d, base.d, dTol);
    const reversed = run(
      crystals.map((c) => {
        const n = c.atomicNumbers.length;
        const frac = new Float64Array(3 * n),
          z = new Uint8Array(n);
        for (let k = 0; k < n; k++) {
          frac.set(c.fracCoords.subarray(3 * (n - 1 - k), 3 * (n - k)), 3 * k);
          z[k] = c.atomicNumbers[n - 1 - k];
        }
        return { lattice: c.lattice, fracCoords: frac, atomicNumbers: z };
      }),
    );
    expectClose(reversed.g, base.g, 5e-5);
    let offset = 0;
    for (const c of crystals) {
      const n = c.atomicNumbers.length;
      for (let k = 0; k < n; k++) {
        const want = base.d.subarray(3 * (offset + n - 1 - k), 3 * (offset + n - k));
        expectClose(reversed.d.subarray(3 * (offset + k), 3 * (offset + k + 1)), want, dTol);
      }
      offset += n;
    }
  });

  it('a 2×1×1 supercell gives the same deformation and, for every image of an atom, the same atom action', () => {
    const big = run(crystals.map((c) => makeSupercell(c, [2, 1, 1])));
    expectClose(big.g, base.g, 5e-5);
    let small = 0,
      large = 0;
    for (const c of crystals) {
      const n = c.atomicNumbers.length;
      for (let k = 0; k < 2 * n; k++) {
        const want = base.d.subarray(3 * (small + (k % n)), 3 * (small + (k % n) + 1));
        expectClose(big.d.subarray(3 * (large + k), 3 * (large + k + 1)), want, dTol);
      }
      small += n;
      large += 2 * n;
    }
  });

  it('gradients of one applied step reach every network weight, finite, without leaking tensors', () => {
    const batch = radiusGraphBatch(crystals, { cutoff: CUTOFF, vectors: true });
    const before = tf.memory().numTensors;
    const grads = tf.tidy(() => {
      const vectors = tf.tensor2d(Float32Array.from(batch.vectors!), [batch.src.length, 3]);
      const lattices = tf.tensor3d(Float32Array.from(batch.lattices), [batch.numGraphs, 3, 3]);
      const frac = tf.tensor2d(Float32Array.from(batch.fracCoords), [batch.numNodes, 3]);
      const { value, grads } = tf.variableGrads(() => {
        const { edgeOutputs } = net.apply({
          atomicNumbers: tf.tensor1d(Int32Array.from(batch.atomicNumbers), 'int32'),
          src: tf.tensor1d(batch.src, 'int32'),
          dst: tf.tensor1d(batch.dst, 'int32'),
          vectors,
        });
        const a = edgeActions(vectors, edgeOutputs, batch.src, batch.edgeCrystalIndex, batch.numNodes, batch.numGraphs);
        const next = applyActions(lattices, frac, batch.crystalIndex, a.latticeAction, a.atomActionsCart, {
          wrap: false,
        });
        // A target one step away: a lattice 2 % larger and every atom shifted.
        return tf.add(
          tf.sum(tf.square(tf.sub(next.lattices, tf.mul(lattices, 1.02)))),
          tf.sum(tf.square(tf.sub(next.frac, tf.add(frac, 0.01)))),
        );
      }, net.trainableVariables);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      return Object.values(grads).map((g) => g.dataSync());
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(grads.length).toBe(net.trainableVariables.length);
    for (const g of grads) expect(g.every(Number.isFinite)).toBe(true);
    expect(grads.filter((g) => maxAbs(g) > 0).length).toBeGreaterThan(grads.length / 2);
  });
});
