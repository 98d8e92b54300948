import { readFileSync } from 'node:fs';
import { readDatasetCsv } from '@crys/io';
import { type Crystal, makeSupercell, perturb } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { primitiveCellReference } from '../test/pmg-structure-reference.js';
import { type Cell, niggliCell, primitiveCell } from './pmg-structure.js';

const root = new URL('../../../data/', import.meta.url).pathname;

function cellOf(c: Crystal): Cell {
  return niggliCell({
    lattice: Float64Array.from(c.lattice),
    frac: Float64Array.from(c.fracCoords),
    z: Uint8Array.from(c.atomicNumbers),
  });
}

function rows(set: string, count: number): Crystal[] {
  const out: Crystal[] = [];
  for (const row of readDatasetCsv(readFileSync(`${root}${set}/val.csv`, 'utf8'))) {
    if (out.length >= count) break;
    out.push(row.crystal);
  }
  return out;
}

/** The fast search and the all-pairs reference give the same cell, to the last bit. */
function expectSame(c: Crystal, tolerance: number): Cell {
  const cell = cellOf(c);
  const fast = primitiveCell(cell, tolerance);
  const ref = primitiveCellReference(cell, tolerance);
  expect(Array.from(fast.lattice)).toEqual(Array.from(ref.lattice));
  expect(Array.from(fast.frac)).toEqual(Array.from(ref.frac));
  expect(Array.from(fast.z)).toEqual(Array.from(ref.z));
  return fast;
}

describe('primitiveCell (binned search) against the all-pairs port of get_primitive_structure', () => {
  const perov = rows('perov_5', 40);
  const carbon = rows('carbon_24', 40);

  it('reduces supercells of perov_5 and carbon_24 crystals to the same cells', () => {
    let reduced = 0;
    for (const [k, c] of [...perov, ...carbon].entries()) {
      const m = k % 3 === 0 ? [2, 2, 2] : k % 3 === 1 ? [3, 1, 2] : [1, -1, 0, 1, 1, 0, 0, 0, 2];
      const sc = makeSupercell(c, m);
      for (const tol of [0.25, 0.1, 0.01]) {
        const p = expectSame(sc, tol);
        if (p.z.length < sc.atomicNumbers.length) reduced++;
      }
    }
    // every supercell shrinks at every tolerance: the test compares real reductions, not two unchanged inputs
    expect(reduced).toBe(3 * (perov.length + carbon.length));
  });

  it('agrees on the val crystals themselves and on noisy supercells (reduced at a wide tolerance, kept at a tight one)', () => {
    for (const c of [...perov, ...carbon]) expectSame(c, 0.25);
    let kept = 0;
    let reduced = 0;
    for (const [k, c] of [...perov.slice(0, 12), ...carbon.slice(0, 12)].entries()) {
      const noisy = perturb(makeSupercell(c, [2, 2, 1]), { displacement: 0.02, seed: k });
      for (const tol of [0.25, 0.005]) {
        const p = expectSame(noisy, tol);
        if (p.z.length === noisy.atomicNumbers.length) kept++;
        else reduced++;
      }
    }
    expect(kept).toBeGreaterThan(0);
    expect(reduced).toBeGreaterThan(0);
  });

  it('agrees on noisy 3×3×3 supercells, where no smaller cell exists and the search tries large matrices', () => {
    for (const [k, c] of [carbon[0], carbon[1], perov[0]].entries()) {
      const noisy = perturb(makeSupercell(c, [3, 3, 3]), { displacement: 0.05, seed: k });
      for (const tol of [0.1, 0.01]) expect(expectSame(noisy, tol).z.length).toBe(noisy.atomicNumbers.length);
    }
  });
});
