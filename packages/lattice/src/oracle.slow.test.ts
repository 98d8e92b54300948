import { describe, expect, test } from 'vitest';
import { compareOracle, loadOracle } from '../test/oracle.js';

// Every crystal of both val datasets (3787 perov_5 + 2032 carbon_24 = 5819) and 200 random skewed cells
// against the ASE/pymatgen oracle of tools/fixtures/lattice_oracle.py. Run with `pnpm test:slow` at the root.
const TOL = 1e-9;

describe('oracle (all crystals): @crys/lattice agrees with ASE and pymatgen to 1e-9 relative', () => {
  const oracle = loadOracle();
  const summary: Record<string, unknown> = {};
  for (const name of ['perov_5', 'carbon_24', 'random'] as const) {
    test(`every quantity of every ${name} crystal matches the oracle`, () => {
      const set = oracle.sets[name];
      const all = Array.from({ length: set.numAtoms.length }, (_, i) => i);
      const report = compareOracle(set, all);
      summary[name] = report;
      console.log(name, JSON.stringify(report, null, 1));
      for (const [quantity, err] of Object.entries(report.maxRel)) {
        expect({ quantity, err }).toEqual({ quantity, err: expect.toSatisfy((e: number) => e <= TOL) });
      }
      expect(report.crystals).toBe(set.numAtoms.length);
      expect(report.lllTransformMismatches).toBe(0);
    });
  }
});
