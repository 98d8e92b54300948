import { type Crystal, createCrystal, makeSupercell, perturb } from '@crys/lattice';
import { describe, expect, test } from 'vitest';
import { explainMatch, FIELD_MATCHER_OPTIONS } from './index.js';

function batio3(c = 4.0): Crystal {
  return createCrystal({
    lattice: [4, 0, 0, 0, 4, 0, 0, 0, c],
    fracCoords: [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5],
    atomicNumbers: [56, 22, 8, 8, 8],
  });
}

describe('explainMatch', () => {
  test("explainMatch(a, a') of a slightly perturbed copy says 'match' with the displacement", () => {
    const a = batio3();
    const why = explainMatch(a, perturb(a, { displacement: 0.02, strain: 0.005, seed: 1 }));
    expect(why.verdict).toBe('match');
    expect(why.result.match).toBe(true);
    expect(why.lattice?.withinTolerance).toBe(true);
    expect(why.reason).toMatch(/^match: every site within stol 0\.3 \(largest displacement 0\.0\d+, RMS 0\.0\d+\)$/);
  });

  test("explainMatch says 'composition' for different reduced formulas, naming both", () => {
    const b = { ...batio3(), atomicNumbers: Uint8Array.of(38, 22, 8, 8, 8) };
    const why = explainMatch(batio3(), b);
    expect(why.verdict).toBe('composition');
    expect(why.reason).toBe('different compositions: A is BaTiO3 and B is SrTiO3');
    expect(why.result.match).toBe(false);
  });

  test("explainMatch says 'atom-count' when the primitive cells differ in size (and not after a supercell of the same)", () => {
    const a = batio3();
    // a doubled cell whose second Ti is displaced: no longer a supercell of a 5-atom cell, so 10 sites stay
    const big = makeSupercell(a, [1, 1, 2]);
    const frac = Float64Array.from(big.fracCoords);
    frac[3 * 6 + 2] += 0.05;
    const b = { ...big, fracCoords: frac };
    const why = explainMatch(a, b);
    expect(why.verdict).toBe('atom-count');
    expect(why.sites).toEqual({ a: 5, b: 10 });
    expect(why.reason).toBe(
      'different numbers of sites: the primitive cells of A and B hold 5 and 10 sites (BaTiO3); one may be a supercell of the other (try attemptSupercell)',
    );
    // the plain 1×1×2 supercell reduces back to 5 sites and matches
    expect(explainMatch(a, big).verdict).toBe('match');
  });

  test("explainMatch says 'lattice' for a tetragonal strain beyond ltol, with the closest lattice's deviations", () => {
    const why = explainMatch(batio3(), batio3(6));
    expect(why.verdict).toBe('lattice');
    expect(why.lattice).not.toBeNull();
    const l = why.lattice!;
    expect(l.withinTolerance).toBe(false);
    // volumes are scaled first: 4·4·6 → edges 4·(2/3)^⅓ and 6·(2/3)^⅓ against a cube of the same volume
    expect(l.lengthDeviation).toBeCloseTo((6 / 4) ** (2 / 3) - 1, 6);
    expect(l.angleDeviation).toBeCloseTo(0, 6);
    expect(why.reason).toBe(
      'no lattice within ltol 0.2, angle_tol 5°: the closest (a 4.280 b 4.280 c 4.280 Å, α 90.00 β 90.00 γ 90.00°) deviates by 31.0 % in length and 0.00° in angle from a 3.739 b 3.739 c 5.608 Å, α 90.00 β 90.00 γ 90.00°',
    );
    // with ltol above the deviation the lattices pass and the sites decide
    expect(explainMatch(batio3(), batio3(6), { ltol: 0.4 }).lattice?.withinTolerance).toBe(true);
  });

  test("explainMatch says 'sites' when the lattices agree and the atoms do not, with the best RMS found", () => {
    const a = batio3();
    // Ti moved from the body centre to a face centre: same cubic lattice, different arrangement
    const b = createCrystal({ ...a, fracCoords: [0, 0, 0, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0.5] });
    const why = explainMatch(a, b);
    expect(why.verdict).toBe('sites');
    expect(why.lattice?.withinTolerance).toBe(true);
    expect(why.closestSites).not.toBeNull();
    expect(why.closestSites!.rms).toBeGreaterThan(0);
    expect(why.closestSites!.maxDist).toBeGreaterThanOrEqual(why.closestSites!.rms);
    // pymatgen 2022.11 StructureMatcher(stol=1e6).get_rms_dist(a, b) gives (0.4188568541790524, 0.5129927840030091)
    expect(why.closestSites!.rms).toBeCloseTo(0.4188568541790524, 8);
    expect(why.closestSites!.maxDist).toBeCloseTo(0.5129927840030091, 8);
    expect(why.reason).toBe(
      'lattices agree (within ltol 0.2, angle_tol 5°) but sites do not within stol 0.3: the best mapping has RMS 0.4189 and largest displacement 0.5130 (normalised by (V/N)^⅓)',
    );
  });

  test("explainMatch says 'rms-only' when one atom is far off in a large cell: RMS within stol, largest site not", () => {
    const a = makeSupercell(batio3(), [2, 2, 2]); // 40 atoms
    const frac = Float64Array.from(a.fracCoords);
    frac[3 * 1] += 0.12; // one Ti moved 0.96 Å along x
    const b = { ...a, fracCoords: frac };
    const why = explainMatch(a, b, { primitiveCell: false });
    expect(why.verdict).toBe('rms-only');
    expect(why.result.rms).not.toBeNull();
    expect(why.result.maxDist!).toBeGreaterThan(0.3);
    expect(why.reason).toBe(
      "RMS 0.0641 is within stol 0.3 (the CSP match rate counts it) but the largest displacement 0.4001 is not, so pymatgen's fit says no",
    );
  });

  test('explainMatch uses the options it is given and reports them filled in', () => {
    const why = explainMatch(batio3(), batio3(), FIELD_MATCHER_OPTIONS);
    expect(why.options).toEqual({
      ltol: 0.3,
      stol: 0.5,
      angleTol: 10,
      primitiveCell: true,
      scale: true,
      attemptSupercell: false,
    });
    expect(() => explainMatch(batio3(), batio3(), { stol: -1 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: explainMatch: options.stol must be positive and finite, got -1]`,
    );
  });
});
