import { type Crystal, covalentRadius, density, elementSymbol, lllReduce, minimumImage, volume } from '@crys/lattice';

/**
 * The shortest distance a pair of atoms may have, as a fraction of the sum of their covalent radii, before a
 * structure counts as unphysical. Real bonds sit near 1 (C–C in diamond 1.01, Ti–O in SrTiO3 0.86, N≡N 0.77); the
 * lowest of the 3787 crystals of data/perov_5/val.csv is 0.67 (Cs–N) and of the 2032 of data/carbon_24/val.csv 0.80.
 */
export const MIN_COVALENT_RATIO = 0.6;

/** The densest element, osmium, is 22.59 g/cm³; a crystal denser than this is not a real one. */
export const MAX_DENSITY = 23;

/** Physical sanity of a structure, beside the field's validity flag; see {@link physicalChecks}. */
export interface PhysicalChecks {
  /** Shortest distance between two atoms (Å), periodic images included (an atom and its own image too). */
  readonly minDistance: number;
  /** The pair with the smallest distance relative to the sum of their covalent radii: its elements and distance. */
  readonly closestPair: { readonly elements: readonly [string, string]; readonly distance: number };
  /** That pair's distance over the sum of the two covalent radii (pymatgen's / Cordero's radii). */
  readonly covalentRatio: number;
  /** Mass density, g/cm³. */
  readonly density: number;
  /** Volume per atom, Å³. */
  readonly volumePerAtom: number;
  /** True when no pair is closer than {@link MIN_COVALENT_RATIO} × its covalent radii and the density is at most {@link MAX_DENSITY}. */
  readonly ok: boolean;
  /** What is wrong, in words (empty when `ok`). */
  readonly problems: readonly string[];
}

/** Length of the shortest non-zero lattice translation (exact: a search over ±2 of an LLL-reduced basis). */
function shortestTranslation(lattice: ArrayLike<number>): number {
  const r = lllReduce(lattice).lattice;
  let best = Number.POSITIVE_INFINITY;
  for (let i = -2; i <= 2; i++) {
    for (let j = -2; j <= 2; j++) {
      for (let k = -2; k <= 2; k++) {
        if (i === 0 && j === 0 && k === 0) continue;
        const x = i * r[0] + j * r[3] + k * r[6];
        const y = i * r[1] + j * r[4] + k * r[7];
        const z = i * r[2] + j * r[5] + k * r[8];
        best = Math.min(best, Math.hypot(x, y, z));
      }
    }
  }
  return best;
}

/**
 * Physical sanity checks of a structure (a prediction or a relaxed cell), to print beside the field's validity flag
 * (which only asks for 0.5 Å between atoms): the shortest interatomic distance, the pair closest relative to the sum
 * of its covalent radii, the density and the volume per atom. `ok` is false when a pair is closer than
 * {@link MIN_COVALENT_RATIO} × its covalent radii, or the crystal is denser than {@link MAX_DENSITY} g/cm³.
 * Every pair is measured (minimum image, exact for any cell): O(n²), meant for model-sized cells.
 *
 * @example
 * physicalChecks(predicted); // { minDistance: 0.59, closestPair: { elements: ['Ca', 'Ti'], … }, covalentRatio: 0.18, ok: false, … }
 */
export function physicalChecks(crystal: Crystal): PhysicalChecks {
  const z = crystal.atomicNumbers;
  const n = z.length;
  const f = crystal.fracCoords;
  const radius = Array.from(z, (zi) => covalentRadius(zi));
  // The self-image pair first: every atom sits one lattice translation from its own image.
  const t = shortestTranslation(crystal.lattice);
  let minDistance = t;
  let bestI = 0;
  let bestJ = 0;
  let bestD = t;
  let bestRatio = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const ratio = t / (2 * radius[i]);
    if (ratio < bestRatio) {
      bestRatio = ratio;
      bestI = bestJ = i;
      bestD = t;
    }
  }
  const pairs = (n * (n - 1)) / 2;
  if (pairs > 0) {
    const delta = new Float64Array(3 * pairs);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, p += 3) {
        delta[p] = f[3 * j] - f[3 * i];
        delta[p + 1] = f[3 * j + 1] - f[3 * i + 1];
        delta[p + 2] = f[3 * j + 2] - f[3 * i + 2];
      }
    }
    minimumImage(delta, delta, crystal.lattice);
    p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, p += 3) {
        const d = Math.hypot(delta[p], delta[p + 1], delta[p + 2]);
        if (d < minDistance) minDistance = d;
        const ratio = d / (radius[i] + radius[j]);
        if (ratio < bestRatio) {
          bestRatio = ratio;
          bestI = i;
          bestJ = j;
          bestD = d;
        }
      }
    }
  }
  const rho = density(crystal);
  const elements = [elementSymbol(z[bestI]), elementSymbol(z[bestJ])] as const;
  const problems: string[] = [];
  if (bestRatio < MIN_COVALENT_RATIO) {
    problems.push(
      `${elements[0]}–${elements[1]} ${bestD.toFixed(2)} Å apart, ${bestRatio.toFixed(2)} × the sum of their covalent radii (below ${MIN_COVALENT_RATIO})`,
    );
  }
  if (rho > MAX_DENSITY) {
    problems.push(`density ${rho.toFixed(2)} g/cm³, above osmium's 22.59 (the densest element)`);
  }
  return {
    minDistance,
    closestPair: { elements, distance: bestD },
    covalentRatio: bestRatio,
    density: rho,
    volumePerAtom: volume(crystal.lattice) / n,
    ok: problems.length === 0,
    problems,
  };
}
