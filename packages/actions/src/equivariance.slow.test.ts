/**
 * Whole-dataset run of the equivariance checks (every crystal of data/perov_5/val.csv and
 * data/carbon_24/val.csv, 5 Å graphs, invariant weights): a random rotoreflection, an SL(3,Z) change of cell
 * and a 2×1×1 supercell give the transformed / identical actions (Float64, 1e-9 relative to max|d| floored at
 * 1e-3 Å), and the float32
 * tensor pipeline on batches of 64 agrees with the Float64 one (2e-5). Reports the worst deviations.
 */
import * as tf from '@tensorflow/tfjs';
import { radiusGraph, radiusGraphBatch } from '@crys/graph';
import { type Crystal, changeOfCell, create, createRng, makeSupercell, multiply, transpose } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import type { CrystalAction } from './apply.js';
import { crystalActions } from './crystal-actions.js';
import { edgeActions, edgeActionsFromArrays } from './edge-actions.js';
import { invariantWeights, randomOrthogonal, readVal } from '../test/crystals.js';

const CUTOFF = 5;

function actionsOf(c: Crystal): CrystalAction {
  const g = radiusGraph(c, { cutoff: CUTOFF, vectors: true });
  return crystalActions(c, g, invariantWeights(c.atomicNumbers, g, g.vectors!, CUTOFF));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function rotateRows(rows: ArrayLike<number>, r: Float64Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i += 3) {
    for (let j = 0; j < 3; j++)
      out[i + j] = rows[i] * r[3 * j] + rows[i + 1] * r[3 * j + 1] + rows[i + 2] * r[3 * j + 2];
  }
  return out;
}

for (const name of ['perov_5', 'carbon_24'] as const) {
  describe(`${name} val, every crystal`, () => {
    const crystals = readVal(name);

    it('rotoreflection, SL(3,Z) change of cell and 2×1×1 supercell give the expected actions (Float64)', () => {
      const rng = createRng(7);
      const worst = { rotation: 0, cell: 0, supercell: 0 };
      for (const c of crystals) {
        const a = actionsOf(c);
        // Relative to max|d|, floored at 1e-3 Å: in a high-symmetry cell the edge terms cancel and d is rounding
        // noise (~1e-16 Å), which no relative test could compare.
        const scale = Math.max(maxAbs(a.atomActionsCart), 1e-3);
        const n = c.atomicNumbers.length;
        const r = randomOrthogonal(() => rng.next(), rng.next() < 0.5);
        const rot = actionsOf({ ...c, lattice: rotateRows(c.lattice, r) });
        const want = multiply(create(), multiply(create(), r, a.deformation), transpose(create(), r));
        worst.rotation = Math.max(
          worst.rotation,
          maxDiff(rot.deformation, want),
          maxDiff(rot.atomActionsCart, rotateRows(a.atomActionsCart, r)) / scale,
        );
        const cell = actionsOf(changeOfCell(c, [1, 1, 0, 0, 1, 0, -1, 0, 1]));
        worst.cell = Math.max(
          worst.cell,
          maxDiff(cell.deformation, a.deformation),
          maxDiff(cell.atomActionsCart, a.atomActionsCart) / scale,
        );
        const big = actionsOf(makeSupercell(c, [2, 1, 1]));
        worst.supercell = Math.max(
          worst.supercell,
          maxDiff(big.deformation, a.deformation),
          maxDiff(big.atomActionsCart.subarray(0, 3 * n), a.atomActionsCart) / scale,
          maxDiff(big.atomActionsCart.subarray(3 * n), a.atomActionsCart) / scale,
        );
      }
      console.log(`${name}: ${crystals.length} crystals, worst relative deviation`, worst);
      expect(worst.rotation).toBeLessThan(1e-9);
      expect(worst.cell).toBeLessThan(1e-9);
      expect(worst.supercell).toBeLessThan(1e-9);
    });

    it('float32 tensor edgeActions on batches of 64 agrees with the Float64 pipeline', () => {
      let worstG = 0,
        worstD = 0;
      for (let start = 0; start < crystals.length; start += 64) {
        const batch = radiusGraphBatch(crystals.slice(start, start + 64), { cutoff: CUTOFF, vectors: true });
        const v = batch.vectors!;
        const w = invariantWeights(batch.atomicNumbers, batch, v, CUTOFF);
        const want = edgeActionsFromArrays(v, w, batch.src, batch.edgeCrystalIndex, batch.numNodes, batch.numGraphs);
        const [g, d] = tf.tidy(() => {
          const o = edgeActions(
            tf.tensor2d(Float32Array.from(v), [v.length / 3, 3]),
            tf.tensor2d(Float32Array.from(w), [w.length / 2, 2]),
            batch.src,
            batch.edgeCrystalIndex,
            batch.numNodes,
            batch.numGraphs,
          );
          return [o.latticeAction.dataSync(), o.atomActionsCart.dataSync()];
        });
        worstG = Math.max(worstG, maxDiff(g, want.latticeAction));
        worstD = Math.max(worstD, maxDiff(d, want.atomActionsCart) / Math.max(maxAbs(want.atomActionsCart), 1e-3));
      }
      console.log(
        `${name}: float32 vs Float64, worst |Δg| ${worstG.toExponential(2)}, worst |Δd|/max|d| ${worstD.toExponential(2)}`,
      );
      expect(worstG).toBeLessThan(2e-5);
      expect(worstD).toBeLessThan(2e-5);
    });
  });
}
