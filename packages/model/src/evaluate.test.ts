import { createCrystal } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { datasetRows } from '../test/helpers.js';
import { latticeErrors, matchReport, positionError, structurallyValid } from './evaluate.js';

describe('evaluation helpers', () => {
  const rows = datasetRows('perov_5', 3);
  const crystals = rows.map((r) => r.crystal);

  it('matchReport(truth, truth) matches every pair with zero RMSE', () => {
    const r = matchReport(crystals, crystals);
    expect(r.matchRateNoValidity).toBe(1);
    expect(r.rmseNoValidity).toBeLessThan(1e-6);
    expect(r.total).toBe(3);
  });

  it('structurallyValid rejects atoms closer than 0.5 Å and accepts the dataset crystals', () => {
    for (const c of crystals) expect(structurallyValid(c)).toBe(true);
    const c = crystals[0];
    const clash = createCrystal({
      lattice: c.lattice,
      fracCoords: [0, 0, 0, 0.05, 0, 0],
      atomicNumbers: [8, 8],
    });
    expect(structurallyValid(clash)).toBe(false);
  });

  it('positionError and latticeErrors are zero for identical crystals and grow with a displacement', () => {
    const c = crystals[1];
    expect(positionError(c, c)).toBeCloseTo(0, 12);
    const moved = createCrystal({
      lattice: c.lattice,
      fracCoords: c.fracCoords.map((x, i) => (i === 0 ? x + 0.1 : x)),
      atomicNumbers: c.atomicNumbers,
    });
    expect(positionError(moved, c)).toBeGreaterThan(0.1);
    expect(latticeErrors([c], [c])).toEqual({ lengthMae: 0, angleMae: 0 });
  });
});
