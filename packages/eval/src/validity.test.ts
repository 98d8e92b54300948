import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fc, test } from '@fast-check/vitest';
import { type Crystal, density } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import {
  compositionValidity,
  ATOMIC_MASSES,
  crystalValidity,
  distributionDistances,
  numElements,
  reconstructionMetrics,
  structureValidity,
  validityRates,
  wasserstein1d,
} from './index.js';

const ORACLE = new URL('../test/fixtures/metrics_oracle.json.gz', import.meta.url).pathname;

interface OracleCrystal {
  set: string;
  kind: string;
  l: number[];
  f: number[];
  z: number[];
  struct: boolean;
  comp: boolean;
  density: number;
  nelems: number;
}
interface MetricsOracle {
  crystals: OracleCrystal[];
  compositions: { z: number[]; comp: boolean }[];
  wasserstein: { density: number; nelems: number; half: number };
}

function loadMetricsOracle(): MetricsOracle {
  return JSON.parse(gunzipSync(readFileSync(ORACLE)).toString('utf8'));
}

function toCrystal(c: OracleCrystal): Crystal {
  return { lattice: Float64Array.from(c.l), fracCoords: Float64Array.from(c.f), atomicNumbers: Uint8Array.from(c.z) };
}

const batio3: Crystal = {
  lattice: Float64Array.of(4, 0, 0, 0, 4, 0, 0, 0, 4),
  fracCoords: Float64Array.of(0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5),
  atomicNumbers: Uint8Array.of(56, 22, 8, 8, 8),
};

describe('compositionValidity', () => {
  it('compositionValidity(z) accepts charge-balanced compositions that pass the Pauling test', () => {
    expect(compositionValidity([56, 22, 8, 8, 8])).toBe(true); // BaTiO3
    expect(compositionValidity([11, 17])).toBe(true); // NaCl
    expect(compositionValidity([6, 6, 6, 6])).toBe(true); // one element
    expect(compositionValidity([26, 28])).toBe(true); // FeNi: all metals (alloy rule)
  });

  it('compositionValidity(z) rejects compositions that cannot balance or invert electronegativity', () => {
    expect(compositionValidity([11, 11, 17])).toBe(false); // Na2Cl
    expect(compositionValidity([9, 11, 11])).toBe(false); // Na2F
    expect(compositionValidity([2, 8])).toBe(false); // He has no oxidation state
    expect(compositionValidity([11, 17], { paulingTest: false })).toBe(true);
    expect(compositionValidity([3, 11])).toBe(true); // LiNa: alloy rule
    expect(compositionValidity([3, 11], { includeAlloys: false })).toBe(false); // Li⁺Na⁻ fails Pauling
  });

  test.prop([
    fc.array(fc.integer({ min: 1, max: 103 }), { minLength: 1, maxLength: 8 }),
    fc.integer({ min: 2, max: 4 }),
  ])('compositionValidity(z) depends on the reduced composition only (repeating z changes nothing)', (z, k) => {
    const rep: number[] = [];
    for (let i = 0; i < k; i++) rep.push(...z);
    expect(compositionValidity(rep)).toBe(compositionValidity(z));
  });

  it('compositionValidity(z) throws for an empty list or a non-element', () => {
    expect(() => compositionValidity([])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: compositionValidity: atomicNumbers must have at least one atom, got 0]`,
    );
    expect(() => compositionValidity([8, 0])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: compositionValidity: atomicNumbers must be atomic numbers 1–118, got 0 at index 1]`,
    );
  });
});

describe('structureValidity', () => {
  it('structureValidity(c) accepts BaTiO3 and reports the shortest distance', () => {
    const r = structureValidity(batio3);
    expect(r.valid).toBe(true);
    expect(r.minDistance).toBeCloseTo(2, 12);
    expect(r.volume).toBeCloseTo(64, 12);
  });

  it('structureValidity(c) flags atoms closer than 0.5 Å through the periodic boundary', () => {
    const c = {
      ...batio3,
      fracCoords: Float64Array.of(0.01, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0.95, 0, 0),
    };
    expect(structureValidity(c)).toMatchObject({ valid: false, reason: 'too_close' });
    expect(structureValidity(c).minDistance).toBeCloseTo(0.24, 10);
  });

  it('structureValidity(c) marks NaN numbers and singular cells invalid instead of throwing', () => {
    const nan = {
      ...batio3,
      fracCoords: Float64Array.of(0, 0, Number.NaN, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5),
    };
    expect(structureValidity(nan)).toMatchObject({ valid: false, reason: 'nan_value' });
    const flat = { ...batio3, lattice: Float64Array.of(4, 0, 0, 0, 4, 0, 8, 8, 0) };
    expect(structureValidity(flat)).toMatchObject({ valid: false, reason: 'unrealistically_small_lattice' });
  });

  it('structureValidity(c) throws for malformed crystals and partial occupancy', () => {
    expect(() =>
      structureValidity({ ...batio3, atomicNumbers: new Uint8Array(0), fracCoords: new Float64Array(0) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: structureValidity: crystal must have at least one atom, got 0]`,
    );
    expect(() => structureValidity({ ...batio3, fracCoords: new Float64Array(4) })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: structureValidity: crystal.fracCoords must have length 3·n = 15, got 4]`,
    );
    expect(() =>
      structureValidity({ ...batio3, occupancies: Float64Array.of(1, 0.3, 1, 1, 1) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: structureValidity: crystal has a partially occupied site (occupancy 0.3 at index 1); order the structure first]`,
    );
  });
});

describe('metrics', () => {
  it('wasserstein1d(u, v) equals scipy.stats.wasserstein_distance on small cases', () => {
    expect(wasserstein1d([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 12);
    // scipy.stats.wasserstein_distance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4]) = 2.7
    expect(wasserstein1d([3.4, 3.9, 7.5, 7.8], [4.5, 1.4])).toBeCloseTo(2.7, 12);
    expect(() => wasserstein1d([], [1])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: wasserstein1d: u must be non-empty, got 0]`,
    );
  });

  test.prop([
    fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 30 }),
    fc.double({ min: -50, max: 50, noNaN: true }),
  ])('wasserstein1d(u, u + s) equals |s|', (u, s) => {
    expect(
      wasserstein1d(
        u,
        u.map((x) => x + s),
      ),
    ).toBeCloseTo(Math.abs(s), 6);
  });

  it('density(c, { masses: ATOMIC_MASSES }) and numElements(c) follow pymatgen (BaTiO3 at 64 Å³)', () => {
    // Structure(Lattice.cubic(4), ['Ba','Ti','O','O','O'], ...).density = 6.0519... (pymatgen 2022.11.7)
    expect(density(batio3, { masses: ATOMIC_MASSES })).toBeCloseTo((233.1922 * 1.6605390666) / 64, 3);
    expect(numElements(batio3)).toBe(3);
  });

  it('reconstructionMetrics(p, g) counts null and invalid predictions as misses and averages RMS over matches', () => {
    const moved = {
      ...batio3,
      fracCoords: Float64Array.of(0.02, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5),
    };
    const clash = {
      ...batio3,
      fracCoords: Float64Array.of(0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0.02, 0, 0),
    };
    const r = reconstructionMetrics([batio3, moved, null, clash], [batio3, batio3, batio3, batio3]);
    expect(r.count).toBe(4);
    expect(r.matched).toBe(2);
    expect(r.matchRate).toBe(0.5);
    expect(r.rms[0]).toBe(0);
    expect(r.rms[2]).toBeNull();
    expect(r.rms[3]).toBeNull();
    expect(r.rmse).toBeCloseTo(((r.rms[1] ?? 0) + 0) / 2, 14);
    expect(validityRates([batio3, clash])).toEqual({ compValid: 1, structValid: 0.5, valid: 0.5, count: 2 });
    expect(crystalValidity(clash)).toEqual({ compositional: true, structural: false, valid: false });
    expect(() => reconstructionMetrics([batio3], [])).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: reconstructionMetrics: predictions must be an array as long as groundTruths (0), got 1]`,
    );
  });
});

describe.runIf(existsSync(ORACLE))(
  'validity and distances against CDVAE/pymatgen (tools/fixtures/eval_metrics_oracle.py)',
  () => {
    it('structureValidity / compositionValidity / density agree with the Python oracle on every crystal', () => {
      const o = loadMetricsOracle();
      let struct = 0;
      let comp = 0;
      let dens = 0;
      for (const c of o.crystals) {
        const x = toCrystal(c);
        if (structureValidity(x).valid === c.struct) struct++;
        if (compositionValidity(c.z) === c.comp) comp++;
        if (Math.abs(density(x, { masses: ATOMIC_MASSES }) - c.density) <= 1e-9 * c.density) dens++;
        expect(numElements(x)).toBe(c.nelems);
      }
      expect(struct).toBe(o.crystals.length);
      expect(comp).toBe(o.crystals.length);
      expect(dens).toBe(o.crystals.length);
      let random = 0;
      for (const c of o.compositions) if (compositionValidity(c.z) === c.comp) random++;
      expect(random).toBe(o.compositions.length);
    });

    it('distributionDistances(a, b) equals scipy on the oracle densities and element counts', () => {
      const o = loadMetricsOracle();
      const xs = o.crystals.map(toCrystal);
      const d = distributionDistances(xs.slice(0, o.wasserstein.half), xs.slice(o.wasserstein.half));
      expect(d.density).toBeCloseTo(o.wasserstein.density, 9);
      expect(d.numElements).toBeCloseTo(o.wasserstein.nelems, 12);
    });
  },
);
