import { fc, test } from '@fast-check/vitest';
import type { Crystal } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { compareWithOracle, loadOracle, toCrystal } from '../test/oracle.js';
import { FIELD_MATCHER_OPTIONS, matchStructures, rmsDistance, structuresMatch } from './index.js';

const ORACLE = new URL('../test/fixtures/matcher_oracle.json.gz', import.meta.url).pathname;

function batio3(a = 4.0): Crystal {
  return {
    lattice: Float64Array.of(a, 0, 0, 0, a, 0, 0, 0, a),
    fracCoords: Float64Array.of(0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5),
    atomicNumbers: Uint8Array.of(56, 22, 8, 8, 8),
  };
}

/** A distorted, low-symmetry 6-atom cell so that symmetry cannot hide mistakes. */
function lowSymmetry(): Crystal {
  return {
    lattice: Float64Array.of(4.1, 0.2, 0.1, 0.3, 5.2, -0.2, -0.4, 0.5, 6.3),
    fracCoords: Float64Array.of(
      0.02,
      0.05,
      0.1,
      0.47,
      0.41,
      0.52,
      0.31,
      0.77,
      0.15,
      0.8,
      0.21,
      0.66,
      0.12,
      0.6,
      0.83,
      0.65,
      0.95,
      0.35,
    ),
    atomicNumbers: Uint8Array.of(12, 14, 8, 8, 8, 8),
  };
}

function rotate(c: Crystal, q: number[]): Crystal {
  // Cartesian rotation of the lattice rows by the unit quaternion q
  const [w, x, y, z] = q;
  const n = Math.hypot(w, x, y, z);
  const [a, b, cc, d] = [w / n, x / n, y / n, z / n];
  const R = [
    1 - 2 * (cc * cc + d * d),
    2 * (b * cc - a * d),
    2 * (b * d + a * cc),
    2 * (b * cc + a * d),
    1 - 2 * (b * b + d * d),
    2 * (cc * d - a * b),
    2 * (b * d - a * cc),
    2 * (cc * d + a * b),
    1 - 2 * (b * b + cc * cc),
  ];
  const L = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let k = 0; k < 3; k++) {
      L[3 * r + k] =
        c.lattice[3 * r] * R[3 * k] + c.lattice[3 * r + 1] * R[3 * k + 1] + c.lattice[3 * r + 2] * R[3 * k + 2];
    }
  }
  return { ...c, lattice: L };
}

function permute(c: Crystal, perm: number[]): Crystal {
  const f = new Float64Array(c.fracCoords.length);
  const z = new Uint8Array(c.atomicNumbers.length);
  perm.forEach((p, i) => {
    f.set(c.fracCoords.subarray(3 * p, 3 * p + 3), 3 * i);
    z[i] = c.atomicNumbers[p];
  });
  return { lattice: c.lattice, fracCoords: f, atomicNumbers: z };
}

function translate(c: Crystal, t: number[]): Crystal {
  const f = Float64Array.from(c.fracCoords);
  for (let i = 0; i < f.length; i++) f[i] += t[i % 3];
  return { ...c, fracCoords: f };
}

/** New cell M·L with M unimodular (a shear), fractional coordinates f·M⁻¹. */
function shear(c: Crystal, i: number, j: number, k: number): Crystal {
  const L = Float64Array.from(c.lattice);
  for (let col = 0; col < 3; col++) L[3 * i + col] += k * c.lattice[3 * j + col];
  // row_i' = row_i + k·row_j ⇒ f' = f·M⁻¹ : f'_j = f_j − k·f_i
  const f = Float64Array.from(c.fracCoords);
  for (let p = 0; p < f.length; p += 3) f[p + j] -= k * f[p + i];
  return { ...c, lattice: L, fracCoords: f };
}

describe('matchStructures', () => {
  it('matchStructures(a, a) matches with zero RMS', () => {
    expect(matchStructures(batio3(), batio3())).toEqual({ match: true, rms: 0, maxDist: 0 });
  });

  it('matchStructures(a, b) reproduces a pymatgen answer for a displaced perovskite', () => {
    const b: Crystal = {
      lattice: Float64Array.of(4.1, 0, 0, 0, 4, 0, 0, 0, 4),
      fracCoords: Float64Array.of(0.1, 0, 0, 0.62, 0.5, 0.5, 0.6, 0.5, 0, 0.6, 0, 0.5, 0.1, 0.5, 0.5),
      atomicNumbers: Uint8Array.of(56, 22, 8, 8, 8),
    };
    // StructureMatcher().get_rms_dist(a, b) with pymatgen 2022.11.7: (0.013793102567396407, 0.027586205134792822)
    const r = matchStructures(batio3(), b);
    expect(r.match).toBe(true);
    expect(r.rms).toBeCloseTo(0.013793102567396407, 12);
    expect(r.maxDist).toBeCloseTo(0.027586205134792822, 12);
  });

  it('matchStructures(a, b) is false with null distances for different compositions', () => {
    const b = { ...batio3(), atomicNumbers: Uint8Array.of(38, 22, 8, 8, 8) };
    expect(matchStructures(batio3(), b)).toEqual({ match: false, rms: null, maxDist: null });
    expect(rmsDistance(batio3(), b)).toBeNull();
  });

  it('matchStructures(a, supercell) matches through the primitive cell, and not without it', () => {
    const c = batio3();
    const f = new Float64Array(30);
    const z = new Uint8Array(10);
    for (let i = 0; i < 5; i++) {
      for (let t = 0; t < 2; t++) {
        f.set([(c.fracCoords[3 * i] + t) / 2, c.fracCoords[3 * i + 1], c.fracCoords[3 * i + 2]], 3 * (2 * i + t));
        z[2 * i + t] = c.atomicNumbers[i];
      }
    }
    const sc: Crystal = { lattice: Float64Array.of(8, 0, 0, 0, 4, 0, 0, 0, 4), fracCoords: f, atomicNumbers: z };
    expect(matchStructures(c, sc).match).toBe(true);
    expect(matchStructures(c, sc, { primitiveCell: false }).match).toBe(false);
    expect(matchStructures(c, sc, { primitiveCell: false, attemptSupercell: true }).match).toBe(true);
  });

  it('structuresMatch(a, b) agrees with matchStructures(a, b).match', () => {
    const b = translate(lowSymmetry(), [0.3, 0.1, 0.7]);
    expect(structuresMatch(lowSymmetry(), b)).toBe(true);
    expect(structuresMatch(lowSymmetry(), batio3())).toBe(false);
  });

  test.prop([fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 })])(
    'matchStructures(a, rotate(a)) matches with RMS ≈ 0 for any rotation',
    (q) => {
      fc.pre(Math.hypot(...q) > 0.1);
      const r = matchStructures(lowSymmetry(), rotate(lowSymmetry(), q));
      expect(r.match).toBe(true);
      expect(r.rms).toBeLessThan(1e-8);
    },
  );

  test.prop([
    fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 }),
    fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }),
  ])('matchStructures(a, b) is unchanged by permuting and translating the sites of b', (perm, t) => {
    const r = matchStructures(lowSymmetry(), translate(permute(lowSymmetry(), perm), t));
    expect(r.match).toBe(true);
    expect(r.rms).toBeLessThan(1e-8);
  });

  test.prop([fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: -2, max: 2 })])(
    'matchStructures(a, b) matches when b is a re-celled copy of a (unimodular shear)',
    (i, dj, k) => {
      const j = (i + dj) % 3;
      const r = matchStructures(lowSymmetry(), shear(lowSymmetry(), i, j, k), FIELD_MATCHER_OPTIONS);
      expect(r.match).toBe(true);
      expect(r.rms).toBeLessThan(1e-8);
    },
  );

  it('matchStructures(a, b) rejects empty crystals, NaN coordinates, singular lattices and partial occupancy', () => {
    const empty = { lattice: batio3().lattice, fracCoords: new Float64Array(0), atomicNumbers: new Uint8Array(0) };
    expect(() => matchStructures(empty, batio3())).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: matchStructures: a must have at least one atom, got 0]`,
    );
    const nan = {
      ...batio3(),
      fracCoords: Float64Array.of(0, 0, Number.NaN, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5),
    };
    expect(() => matchStructures(batio3(), nan)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: matchStructures: b.fracCoords must be finite, got NaN at index 2]`,
    );
    const flat = { ...batio3(), lattice: Float64Array.of(4, 0, 0, 0, 4, 0, 8, 8, 0) };
    expect(() => matchStructures(flat, batio3())).toThrowErrorMatchingInlineSnapshot(
      `[DegenerateLatticeError: matchStructures: a.lattice is singular or degenerate (det 0.000), got [4, 0, 0, 0, 4, 0, 8, 8, 0] (length 9)]`,
    );
    const partial = { ...batio3(), occupancies: Float64Array.of(1, 1, 0.5, 1, 1) };
    expect(() => matchStructures(batio3(), partial)).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: matchStructures: b has a partially occupied site (occupancy 0.5 at index 2); order the structure first]`,
    );
    expect(() => matchStructures(batio3(), batio3(), { stol: -1 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: matchStructures: options.stol must be positive and finite, got -1]`,
    );
    expect(() =>
      rmsDistance(batio3(), { ...batio3(), fracCoords: new Float64Array(3) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: rmsDistance: b.fracCoords must have length 15, got 3]`,
    );
  });
});

describe('matchStructures against pymatgen (tools/fixtures/eval_oracle.py)', () => {
  it('matchStructures agrees with pymatgen on the first 100 oracle pairs of each set (default, field and variant settings)', () => {
    const pairs = loadOracle(ORACLE);
    const subset = [
      ...pairs.filter((p) => p.set === 'perov_5').slice(0, 100),
      ...pairs.filter((p) => p.set === 'carbon_24').slice(0, 100),
    ];
    const ag = compareWithOracle(subset);
    expect(ag.comparisons).toBeGreaterThanOrEqual(400);
    expect(ag.sameMatch / ag.comparisons).toBeGreaterThanOrEqual(0.995);
    expect(ag.sameRmsNull / ag.comparisons).toBeGreaterThanOrEqual(0.995);
    expect(ag.rmsWithin / ag.rmsCompared).toBeGreaterThanOrEqual(0.995);
  }, 180_000);
});

describe('match (fit) and rms (get_rms_dist) are two verdicts, as in pymatgen', () => {
  it('a noisy prediction can have rms < stol (the field counts it as matched) while match is false (a site beyond stol)', () => {
    const pairs = loadOracle(ORACLE).filter(
      (p) => p.cat === 'predicted' && p.field[0] === false && p.field[1] !== null,
    );
    const subset = [
      ...pairs.filter((p) => p.set === 'perov_5').slice(0, 5),
      ...pairs.filter((p) => p.set === 'carbon_24').slice(0, 5),
    ];
    expect(subset.length).toBe(10);
    for (const p of subset) {
      const r = matchStructures(toCrystal(p.a), toCrystal(p.b), FIELD_MATCHER_OPTIONS);
      expect(r.match).toBe(false);
      expect(r.rms).toBeCloseTo(p.field[1]!, 9);
      expect(r.rms).toBeLessThan(FIELD_MATCHER_OPTIONS.stol);
      expect(r.maxDist).toBeGreaterThanOrEqual(FIELD_MATCHER_OPTIONS.stol);
      expect(rmsDistance(toCrystal(p.a), toCrystal(p.b), FIELD_MATCHER_OPTIONS)?.rms).toBe(r.rms);
    }
  });
});
