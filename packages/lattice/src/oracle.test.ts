import { describe, expect, test } from 'vitest';
import { atomicMass, covalentRadius, electronegativity } from './elements.js';
import { compareOracle, loadOracle, spread } from '../test/oracle.js';

// A fast subset of the ASE/pymatgen oracle (tools/fixtures/lattice_oracle.py): 150 crystals spread over each val
// dataset and all 200 random skewed cells. oracle.slow.test.ts checks every crystal.
const TOL = 1e-9;

describe('oracle (subset): @crys/lattice agrees with ASE and pymatgen to 1e-9 relative', () => {
  const oracle = loadOracle();
  for (const [name, take] of [
    ['perov_5', 150],
    ['carbon_24', 150],
    ['random', 200],
  ] as const) {
    test(`every quantity of ${take} ${name} crystals matches the oracle`, () => {
      const set = oracle.sets[name];
      const report = compareOracle(set, spread(set.numAtoms.length, take));
      for (const [quantity, err] of Object.entries(report.maxRel)) {
        expect({ quantity, err }).toEqual({ quantity, err: expect.toSatisfy((e: number) => e <= TOL) });
      }
      expect(report.lllTransformMismatches).toBe(0);
      expect(Object.keys(report.maxRel)).toHaveLength(13);
    });
  }

  test('atomicMass, covalentRadius and electronegativity equal ASE / pymatgen for Z = 1…118', () => {
    const { mass, covalentRadius: radii, electronegativity: x } = oracle.elements;
    for (let z = 1; z <= 118; z++) {
      expect(atomicMass(z)).toBe(mass[z - 1]);
      expect(covalentRadius(z)).toBe(radii[z - 1]);
      const xz = x[z - 1];
      if (xz === null) expect(electronegativity(z)).toBeNaN();
      else expect(electronegativity(z)).toBe(xz);
    }
  });
});
