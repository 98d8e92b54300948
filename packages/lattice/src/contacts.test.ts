import { describe, expect, test } from 'vitest';
import { latticeFromParameters } from './cell.js';
import { closeContacts } from './contacts.js';
import { minimumImage } from './coords.js';
import { createCrystal } from './crystal.js';
import { InvalidArgumentError } from './errors.js';
import { createRng } from './random.js';

// SrTiO3 (Pm-3m, a = 3.905 Å) with the O at (0, ½, ½) written twice
const cube = [3.905, 0, 0, 0, 3.905, 0, 0, 0, 3.905];
const frac = [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5];
const srtio3 = createCrystal({ lattice: cube, fracCoords: frac, atomicNumbers: [38, 22, 8, 8, 8] });
const duplicated = createCrystal({
  lattice: cube,
  fracCoords: [...frac, 0, 0.5, 0.5],
  atomicNumbers: [38, 22, 8, 8, 8, 8],
});

describe('closeContacts(crystal, threshold) lists pairs of atoms closer than threshold, images included', () => {
  test('a real crystal has none below 0.5 Å; its shortest contact (Ti–O, a/2) appears above it', () => {
    expect(closeContacts(srtio3, 0.5)).toEqual([]);
    const ti = closeContacts(srtio3, 1.96).filter((c) => c.i === 1);
    expect(ti.map((c) => c.j)).toEqual([2, 3, 4]);
    for (const c of ti) expect(c.distance).toBeCloseTo(3.905 / 2, 12);
  });

  test('a duplicated O gives one pair at distance 0, named by both 0-based indices', () => {
    expect(closeContacts(duplicated, 0.5)).toEqual([{ i: 4, j: 5, distance: 0 }]);
  });

  test('across the cell boundary the periodic image counts (x = 0.99 and x = 0.01 are 0.078 Å apart)', () => {
    const c = createCrystal({
      lattice: cube,
      fracCoords: [0.99, 0.5, 0.5, 0.01, 0.5, 0.5, 0.5, 0, 0],
      atomicNumbers: [8, 8, 38],
    });
    const [only, ...rest] = closeContacts(c, 0.5);
    expect(rest).toEqual([]);
    expect(only.i).toBe(0);
    expect(only.j).toBe(1);
    expect(only.distance).toBeCloseTo(0.02 * 3.905, 12);
  });

  test('exact in a skewed cell: the minimum image, not the nearest in fractional terms', () => {
    // γ = 20°: atoms at fractional x = 0 and (0.9, 0.9, 0) are 4.59 Å apart directly but much closer by (−1, −1, 0)
    const lattice = latticeFromParameters(4, 4, 4, 90, 90, 20);
    const c = createCrystal({ lattice, fracCoords: [0, 0, 0, 0.9, 0.1, 0], atomicNumbers: [6, 6] });
    const [contact] = closeContacts(c, 5);
    const a = [lattice[0], lattice[1], lattice[2]];
    const b = [lattice[3], lattice[4], lattice[5]];
    let best = Number.POSITIVE_INFINITY;
    for (let u = -3; u <= 3; u++) {
      for (let v = -3; v <= 3; v++) {
        const x = (0.9 + u) * a[0] + (0.1 + v) * b[0];
        const y = (0.9 + u) * a[1] + (0.1 + v) * b[1];
        best = Math.min(best, Math.hypot(x, y));
      }
    }
    expect(contact.distance).toBeCloseTo(best, 12);
  });

  test('coincident partially occupied sites (a disordered site) are not contacts unless includePartial', () => {
    const c = createCrystal({
      lattice: cube,
      fracCoords: [0, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5],
      atomicNumbers: [38, 56, 22],
      occupancies: [0.5, 0.5, 1],
    });
    expect(closeContacts(c, 0.5)).toEqual([]);
    expect(closeContacts(c, 0.5, { includePartial: true })).toEqual([{ i: 0, j: 1, distance: 0 }]);
  });

  test('limit stops early; an atom alone has no contact with its own images', () => {
    const same = createCrystal({ lattice: cube, fracCoords: new Array(12).fill(0.25), atomicNumbers: [8, 8, 8, 8] });
    expect(closeContacts(same, 0.5)).toHaveLength(6);
    expect(closeContacts(same, 0.5, { limit: 2 })).toEqual([
      { i: 0, j: 1, distance: 0 },
      { i: 0, j: 2, distance: 0 },
    ]);
    const tiny = createCrystal({
      lattice: [0.3, 0, 0, 0, 0.3, 0, 0, 0, 0.3],
      fracCoords: [0, 0, 0],
      atomicNumbers: [1],
    });
    expect(closeContacts(tiny, 0.5)).toEqual([]);
  });

  test('a threshold that is not positive, a degenerate lattice or a non-finite coordinate is a typed error', () => {
    expect(() => closeContacts(srtio3, 0)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: closeContacts: threshold must be positive and finite, got 0]`,
    );
    const flat = { lattice: Float64Array.from([1, 0, 0, 2, 0, 0, 0, 0, 1]), fracCoords: new Float64Array(3) };
    expect(() => closeContacts(flat, 0.5)).toThrow(InvalidArgumentError);
    const nan = { lattice: Float64Array.from(cube), fracCoords: Float64Array.of(0, Number.NaN, 0) };
    expect(() => closeContacts(nan, 0.5)).toThrow(
      'closeContacts: crystal.fracCoords must be finite, got NaN at index 1',
    );
  });

  test('the binned search finds exactly the pairs of an all-pairs minimum-image search, in skewed cells too', () => {
    const rng = createRng(17);
    for (const [a, b, c, alpha, beta, gamma, n, threshold] of [
      [5, 6, 7, 90, 90, 90, 60, 1.5],
      [4, 4, 9, 80, 100, 30, 80, 1.2],
      [2.5, 30, 3, 100, 80, 60, 50, 2],
      [1, 1, 1, 90, 90, 90, 20, 0.7], // bins thicker than the cell: one bin per axis
    ]) {
      const lattice = latticeFromParameters(a, b, c, alpha, beta, gamma);
      const fracCoords = Array.from({ length: 3 * n }, () => 3 * rng.next() - 1); // some outside [0, 1)
      const crystal = createCrystal({ lattice, fracCoords, atomicNumbers: new Array(n).fill(6) });
      const want = [];
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const d = Float64Array.of(
            fracCoords[3 * j] - fracCoords[3 * i],
            fracCoords[3 * j + 1] - fracCoords[3 * i + 1],
            fracCoords[3 * j + 2] - fracCoords[3 * i + 2],
          );
          const r = minimumImage(d, d, lattice);
          const distance = Math.hypot(r[0], r[1], r[2]);
          if (distance < threshold) want.push({ i, j, distance });
        }
      }
      expect(want.length).toBeGreaterThan(0);
      const got = closeContacts(crystal, threshold);
      expect(got.map((x) => [x.i, x.j])).toEqual(want.map((x) => [x.i, x.j]));
      for (const [k, x] of got.entries()) expect(x.distance).toBeCloseTo(want[k].distance, 12);
    }
  });
});
