import { type Crystal, createCrystal, InvalidArgumentError, makeSupercell } from '@crys/lattice';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetRows, POLAR_SRTIO3, SRTIO3, tinyModel, useBackend } from '../test/helpers.js';
import { predictRows } from './evaluate.js';
import { mostSymmetric, predictRowsMostSymmetric } from './select.js';

const srtio3 = SRTIO3;
const polar = POLAR_SRTIO3;
/** Every atom on one point: moyo cannot analyse it. */
const collapsed: Crystal = createCrystal({
  lattice: Float64Array.of(3.9, 0, 0, 0, 3.9, 0, 0, 0, 3.9),
  fracCoords: new Float64Array(15).fill(0.2),
  atomicNumbers: [38, 22, 8, 8, 8],
});

describe('mostSymmetric', () => {
  it('keeps the candidate with the most operations, the first on a tie, and counts a failure as 0', async () => {
    expect(await mostSymmetric([polar, srtio3, polar])).toEqual({ index: 1, operations: [8, 48, 8] });
    expect((await mostSymmetric([srtio3, srtio3])).index).toBe(0);
    expect(await mostSymmetric([collapsed, polar])).toEqual({ index: 1, operations: [0, 8] });
  });

  it('counts the operations in the cell itself: a doubled cubic cell has twice the operations of its primitive', async () => {
    const doubled = makeSupercell(srtio3, [2, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect((await mostSymmetric([doubled])).operations).toEqual([96]);
  });

  it('symprec decides what counts: a loose tolerance sees the polar cell as cubic', async () => {
    const slight = createCrystal({
      lattice: srtio3.lattice,
      fracCoords: [0, 0, 0, 0.5, 0.5, 0.51, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5],
      atomicNumbers: srtio3.atomicNumbers,
    });
    expect((await mostSymmetric([slight], { symprec: 0.01 })).operations).toEqual([8]);
    expect((await mostSymmetric([slight], { symprec: 0.1 })).operations).toEqual([48]);
  });

  it('refuses no candidates and a bad symprec', async () => {
    await expect(mostSymmetric([])).rejects.toThrow(InvalidArgumentError);
    await expect(mostSymmetric([srtio3], { symprec: 0 })).rejects.toThrow(/options\.symprec/);
  });
});

describe('predictRowsMostSymmetric', () => {
  const rows = datasetRows('perov_5', 3);
  const species = [...new Set(rows.flatMap((r) => [...r.crystal.atomicNumbers]))].sort((a, b) => a - b);
  const tiny = (task: 'structure' | 'denoise') => tinyModel(task, species);
  beforeAll(async () => {
    await useBackend();
  });

  it('keeps, per row, the most symmetric of the seeds seed … seed + k − 1, and selects the starts by the same rule', async () => {
    const model = tiny('structure');
    const options = { seed: 5, steps: 2 };
    const got = await predictRowsMostSymmetric(model, rows, { ...options, candidates: 3 });
    const runs = [0, 1, 2].map((c) => predictRows(model, rows, { ...options, seed: 5 + c }));
    for (let i = 0; i < rows.length; i++) {
      const kept = await mostSymmetric(runs.map((r) => r[i].crystal));
      const start = await mostSymmetric(runs.map((r) => r[i].start));
      expect(got[i].candidate).toBe(kept.index);
      expect(got[i].startCandidate).toBe(start.index);
      expect(got[i].crystal).toEqual(runs[kept.index][i].crystal);
      expect(got[i].start).toEqual(runs[start.index][i].start);
      expect(got[i].id).toBe(rows[i].id);
    }
    // one candidate is the plain prediction
    const one = await predictRowsMostSymmetric(model, rows, { ...options, candidates: 1 });
    expect(one.map((p) => p.crystal)).toEqual(predictRows(model, rows, options).map((p) => p.crystal));
  });

  it('refuses a non-structure model and a bad candidate count', async () => {
    await expect(predictRowsMostSymmetric(tiny('denoise'), rows)).rejects.toThrow(/structure predictions/);
    await expect(predictRowsMostSymmetric(tiny('structure'), rows, { candidates: 0 })).rejects.toThrow(
      /options\.candidates/,
    );
  });
});
