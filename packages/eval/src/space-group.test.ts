import { type Crystal, latticeParameters, volume } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { spaceGroup, symmetrize } from './index.js';

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
    expect(sg).toMatchObject({ number: 221, symbol: 'P m -3 m', primitiveAtoms: 5 });
    expect(sg.numOperations).toBe(48);
  });

  it('spaceGroup(c) finds Fd-3m for diamond from its conventional cell (primitive first)', async () => {
    const sg = await spaceGroup(diamond);
    expect(sg.number).toBe(227);
    expect(sg.numOperations).toBe(48); // primitive cell: 48 operations (192 in the conventional one)
    expect(sg.primitiveAtoms).toBe(2); // the conventional cell's 8 atoms hold 4 primitive cells
    const whole = await spaceGroup(diamond, { primitive: false });
    expect(whole.number).toBe(227);
    expect(whole.primitiveAtoms).toBe(2);
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

describe('symmetrize', () => {
  it('idealises a distorted perovskite onto Pm-3m: exact cubic cell, atoms on their sites, same composition', async () => {
    const noisy: Crystal = {
      lattice: Float64Array.of(4.02, 0.01, 0, 0.01, 3.98, -0.02, 0, -0.02, 4.01),
      fracCoords: batio3.fracCoords.map((x, i) => x + 0.004 * Math.sin(5 * i + 1)),
      atomicNumbers: batio3.atomicNumbers,
    };
    expect((await spaceGroup(noisy, { symprec: 0.001 })).number).toBe(1);
    const ideal = await symmetrize(noisy, { symprec: 0.1 });
    expect((await spaceGroup(ideal, { symprec: 1e-5 })).number).toBe(221);
    expect(Array.from(ideal.atomicNumbers).sort((x, y) => x - y)).toEqual([8, 8, 8, 22, 56]);
    const p = latticeParameters(ideal.lattice);
    for (const a of [p.b, p.c]) expect(a).toBeCloseTo(p.a, 10);
    for (const x of [p.alpha, p.beta, p.gamma]) expect(x).toBeCloseTo(90, 10);
    // volume kept within the distortion
    expect(Math.abs(volume(ideal.lattice)) / 64).toBeCloseTo(Math.abs(volume(noisy.lattice)) / 64, 2);
    // every coordinate is a multiple of 1/2
    for (const x of ideal.fracCoords) expect(Math.abs(2 * x - Math.round(2 * x))).toBeLessThan(1e-9);
  });

  it('keeps a lower symmetry: a polar tetragonal distortion stays P4mm (99) with a = b ≠ c, and a hexagonal cell stays hexagonal', async () => {
    const polar: Crystal = {
      lattice: Float64Array.of(4.02, 0.01, 0, 0.01, 3.98, -0.02, 0, -0.02, 4.31),
      fracCoords: Float64Array.of(0, 0, 0, 0.5, 0.5, 0.55, 0.5, 0.5, 0.01, 0.5, 0, 0.5, 0, 0.5, 0.5),
      atomicNumbers: batio3.atomicNumbers,
    };
    const ideal = await symmetrize(polar, { symprec: 0.1 });
    expect((await spaceGroup(ideal, { symprec: 1e-5 })).number).toBe(99);
    const p = latticeParameters(ideal.lattice);
    const lengths = [p.a, p.b, p.c].sort((x, y) => x - y);
    expect(lengths[0]).toBeCloseTo(lengths[1], 10);
    expect(lengths[2] - lengths[1]).toBeGreaterThan(0.25);
    const s3 = Math.sqrt(3);
    const hex: Crystal = {
      lattice: Float64Array.of(3.01, 0.02, 0, -1.5, 1.5 * s3, 0, 0, 0, 5),
      fracCoords: Float64Array.of(0, 0, 0, 1 / 3, 2 / 3, 0.25),
      atomicNumbers: Uint8Array.of(6, 6),
    };
    const h = latticeParameters((await symmetrize(hex, { symprec: 0.1 })).lattice);
    expect(h.a).toBeCloseTo(h.b, 10);
    expect(Math.max(h.alpha, h.beta, h.gamma)).toBeCloseTo(120, 8);
  });

  it('returns the conventional cell on request and rejects bad options', async () => {
    const conv = await symmetrize(diamond, { cell: 'conventional' });
    const prim = await symmetrize(diamond);
    expect(conv.atomicNumbers.length).toBe(8);
    expect(prim.atomicNumbers.length).toBe(2);
    await expect(symmetrize(diamond, { symprec: -1 })).rejects.toThrow(/symprec/);
    await expect(symmetrize(diamond, { cell: 'other' as 'primitive' })).rejects.toThrow(/cell/);
  });
});
