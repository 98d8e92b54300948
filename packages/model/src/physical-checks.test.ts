import { createCrystal, latticeFromParameters } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { MIN_COVALENT_RATIO, physicalChecks } from './physical-checks.js';

describe('physicalChecks', () => {
  it('physicalChecks(SrTiO3) finds Ti–O as the closest pair relative to covalent radii and the density of 5.12 g/cm³', () => {
    const a = 3.905;
    const c = physicalChecks(
      createCrystal({
        lattice: [a, 0, 0, 0, a, 0, 0, 0, a],
        fracCoords: [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5],
        atomicNumbers: [38, 22, 8, 8, 8],
      }),
    );
    expect(c.minDistance).toBeCloseTo(a / 2, 12);
    expect(c.closestPair.elements).toEqual(['Ti', 'O']);
    expect(c.closestPair.distance).toBeCloseTo(a / 2, 12);
    expect(c.covalentRatio).toBeCloseTo(a / 2 / (1.6 + 0.66), 12);
    expect(c.density).toBeCloseTo(5.12, 2);
    expect(c.volumePerAtom).toBeCloseTo(a ** 3 / 5, 12);
    expect(c).toMatchObject({ ok: true, problems: [] });
  });

  it('physicalChecks(crystal) flags a pair closer than MIN_COVALENT_RATIO × its covalent radii', () => {
    const c = physicalChecks(
      createCrystal({
        lattice: latticeFromParameters(4, 4, 4, 90, 90, 90),
        fracCoords: [0, 0, 0, 0.1475, 0, 0],
        atomicNumbers: [20, 22],
      }),
    );
    expect(c.closestPair.distance).toBeCloseTo(0.59, 12);
    expect(c.covalentRatio).toBeLessThan(MIN_COVALENT_RATIO);
    expect(c.ok).toBe(false);
    expect(c.problems).toEqual(['Ca–Ti 0.59 Å apart, 0.18 × the sum of their covalent radii (below 0.6)']);
  });

  it('physicalChecks(crystal) measures an atom against its own periodic image', () => {
    const c = physicalChecks(
      createCrystal({
        lattice: latticeFromParameters(1.0, 5, 5, 90, 90, 90),
        fracCoords: [0, 0, 0],
        atomicNumbers: [6],
      }),
    );
    expect(c.minDistance).toBeCloseTo(1.0, 12);
    expect(c.closestPair.elements).toEqual(['C', 'C']);
    expect(c.covalentRatio).toBeCloseTo(1 / 1.52, 12);
  });

  it('physicalChecks(crystal) flags a density above osmium', () => {
    const c = physicalChecks(
      createCrystal({
        lattice: latticeFromParameters(2.2, 2.2, 2.2, 90, 90, 90),
        fracCoords: [0, 0, 0],
        atomicNumbers: [82],
      }),
    );
    expect(c.density).toBeGreaterThan(23);
    expect(c.problems.at(-1)).toMatch(/^density \d+\.\d\d g\/cm³, above osmium's 22.59/);
  });
});
