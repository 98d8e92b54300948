import { describe, expect, it } from 'vitest';
import { latticePointsInSphere, niggliPymatgen } from './pmg-lattice.js';

// carbon_24 val crystal, noisy and strained (the "predicted" oracle pair 3091): its Niggli cell sits on a boundary
// where c and −(a + c) have the same length, so which triple pymatgen returns depends on its point order
const NOISY = [2.4250338606, 0.0, 0.315645553, -2.6101473791, 3.9678935746, 1.0940190491, 0.0, 0.0, 9.47188];

describe('latticePointsInSphere', () => {
  it("lists the lattice points in pymatgen's get_points_in_sphere order", () => {
    // pymatgen 2022.11.7: Lattice(NOISY).get_points_in_sphere([[0, 0, 0]], [0, 0, 0], 5.0, zip_results=False)[0]
    const theirs = [
      -2, -1, 0, -1, 0, 0, -2, 0, 0, 1, 1, 0, 0, 1, 0, 0, -1, 0, -1, -1, 0, 2, 1, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0,
    ];
    const { frac, cart, dist } = latticePointsInSphere(NOISY, 5.0);
    expect(Array.from(frac)).toEqual(theirs);
    for (let k = 0; k < dist.length; k++) {
      expect(dist[k]).toBeCloseTo(Math.hypot(cart[3 * k], cart[3 * k + 1], cart[3 * k + 2]), 12);
      expect(dist[k]).toBeLessThan(5);
    }
  });
});

describe('niggliPymatgen', () => {
  it("returns the triple pymatgen's find_mapping returns first at a Niggli boundary, not another with the same parameters", () => {
    // pymatgen 2022.11.7: Lattice(NOISY).get_niggli_reduced_lattice().matrix
    const theirs = [
      2.4250338606, 0, 0.315645553, 0.18511351849999969, -3.9678935746, -1.4096646020999999, -0.18511351849999969,
      3.9678935746, -8.062215397900001,
    ];
    const ours = niggliPymatgen(NOISY);
    expect(ours).not.toBeNull();
    for (let i = 0; i < 9; i++) expect(ours![i]).toBeCloseTo(theirs[i], 9);
  });
});
