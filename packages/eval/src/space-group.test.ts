import type { Crystal } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { spaceGroup } from './index.js';

const batio3: Crystal = {
  lattice: Float64Array.of(4, 0, 0, 0, 4, 0, 0, 0, 4),
  fracCoords: Float64Array.of(0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5),
  atomicNumbers: Uint8Array.of(56, 22, 8, 8, 8),
};

/** Conventional diamond cell (8 C), Fd-3m (227). */
const diamond: Crystal = {
  lattice: Float64Array.of(3.567, 0, 0, 0, 3.567, 0, 0, 0, 3.567),
  fracCoords: Float64Array.of(
    0,
    0,
    0,
    0,
    0.5,
    0.5,
    0.5,
    0,
    0.5,
    0.5,
    0.5,
    0,
    0.25,
    0.25,
    0.25,
    0.25,
    0.75,
    0.75,
    0.75,
    0.25,
    0.75,
    0.75,
    0.75,
    0.25,
  ),
  atomicNumbers: new Uint8Array(8).fill(6),
};

describe('spaceGroup', () => {
  it('spaceGroup(c) loads moyo in Node and finds Pm-3m for cubic BaTiO3', async () => {
    const sg = await spaceGroup(batio3);
    expect(sg).toMatchObject({ number: 221, symbol: 'P m -3 m' });
    expect(sg.numOperations).toBe(48);
  });

  it('spaceGroup(c) finds Fd-3m for diamond from its conventional cell (primitive first)', async () => {
    const sg = await spaceGroup(diamond);
    expect(sg.number).toBe(227);
    expect(sg.numOperations).toBe(48); // primitive cell: 48 operations (192 in the conventional one)
    expect((await spaceGroup(diamond, { primitive: false })).number).toBe(227);
  });

  it('spaceGroup(c, { symprec }) sees a small displacement only with a tight tolerance', async () => {
    const moved = {
      ...batio3,
      fracCoords: Float64Array.of(0, 0, 0, 0.5, 0.5, 0.51, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5),
    };
    expect((await spaceGroup(moved, { symprec: 0.1 })).number).toBe(221);
    expect((await spaceGroup(moved, { symprec: 0.01 })).number).toBe(99); // P4mm: the ferroelectric distortion
  });

  it('spaceGroup(c) rejects bad input with typed errors', async () => {
    await expect(spaceGroup({ ...batio3, lattice: new Float64Array(9) })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[DegenerateLatticeError: spaceGroup: crystal.lattice is singular or degenerate (det 0.000), got [0, 0, 0, 0, 0, 0, 0, 0, 0] (length 9)]`,
    );
    await expect(spaceGroup(batio3, { symprec: 0 })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: spaceGroup: options.symprec must be positive and finite, got 0]`,
    );
  });
});
