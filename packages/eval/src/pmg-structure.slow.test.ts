import { readFileSync } from 'node:fs';
import { readDatasetCsv } from '@crys/io';
import { type Crystal, makeSupercell, perturb } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { primitiveCellReference } from '../test/pmg-structure-reference.js';
import { niggliCell, primitiveCell } from './pmg-structure.js';

const root = new URL('../../../data/', import.meta.url).pathname;

function first(set: string): Crystal {
  for (const row of readDatasetCsv(readFileSync(`${root}${set}/val.csv`, 'utf8'))) return row.crystal;
  throw new Error(`no rows in ${set}`);
}

describe('primitiveCell on cells of thousands of atoms against the all-pairs reference (slow)', () => {
  const cases: [string, Crystal, number][] = [
    ['7×7×7 carbon_24 (2,744 atoms)', makeSupercell(first('carbon_24'), [7, 7, 7]), 0.1],
    ['8×8×8 perov_5 (2,560 atoms)', makeSupercell(first('perov_5'), [8, 8, 8]), 0.01],
    [
      'noisy 5×5×5 carbon_24 (1,000 atoms)',
      perturb(makeSupercell(first('carbon_24'), [5, 5, 5]), { displacement: 0.05, seed: 1 }),
      0.01,
    ],
  ];
  for (const [name, c, tol] of cases) {
    it(`${name} at tolerance ${tol}`, () => {
      const cell = niggliCell({
        lattice: Float64Array.from(c.lattice),
        frac: Float64Array.from(c.fracCoords),
        z: Uint8Array.from(c.atomicNumbers),
      });
      const fast = primitiveCell(cell, tol);
      const ref = primitiveCellReference(cell, tol);
      expect(Array.from(fast.lattice)).toEqual(Array.from(ref.lattice));
      expect(Array.from(fast.frac)).toEqual(Array.from(ref.frac));
      expect(Array.from(fast.z)).toEqual(Array.from(ref.z));
    });
  }
});
