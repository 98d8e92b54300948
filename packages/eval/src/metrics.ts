import { type Crystal, CrysError, density, InvalidArgumentError } from '@crys/lattice';
import { ATOMIC_MASSES } from './smact-data.js';
import { FIELD_MATCHER_OPTIONS, type MatcherOptions, rmsDistance } from './structure-matcher.js';
import { compositionValidity, structureValidity } from './validity.js';

/** Validity of one crystal as CDVAE's `Crystal.get_validity`. */
export interface CrystalValidity {
  readonly compositional: boolean;
  readonly structural: boolean;
  /** compositional && structural */
  readonly valid: boolean;
}

/**
 * Both validity checks of CDVAE / DiffCSP for one crystal ({@link compositionValidity} and
 * {@link structureValidity} with their defaults).
 *
 * @example
 * crystalValidity(crystal).valid; // true for a sensible, charge-balanced crystal
 */
export function crystalValidity(crystal: Crystal): CrystalValidity {
  const structural = structureValidity(crystal).valid;
  const compositional = compositionValidity(crystal.atomicNumbers);
  return { compositional, structural, valid: compositional && structural };
}

/** Fractions of valid crystals (CDVAE `GenEval.get_validity`). */
export interface ValidityRates {
  readonly compValid: number;
  readonly structValid: number;
  readonly valid: number;
  readonly count: number;
}

/**
 * The mean compositional, structural and overall validity over a set of generated crystals.
 *
 * @example
 * validityRates(generated); // { compValid: 0.98, structValid: 1, valid: 0.98, count: 1000 }
 */
export function validityRates(crystals: readonly Crystal[]): ValidityRates {
  if (!Array.isArray(crystals) || crystals.length === 0) {
    throw new InvalidArgumentError('validityRates', 'crystals', `must be a non-empty array, got ${String(crystals)}`);
  }
  let c = 0;
  let s = 0;
  let v = 0;
  for (const x of crystals) {
    const r = crystalValidity(x);
    if (r.compositional) c++;
    if (r.structural) s++;
    if (r.valid) v++;
  }
  const n = crystals.length;
  return { compValid: c / n, structValid: s / n, valid: v / n, count: n };
}

/** Options of {@link reconstructionMetrics}. */
export interface ReconstructionOptions {
  /** Matcher settings. Default {@link FIELD_MATCHER_OPTIONS} (stol 0.5, ltol 0.3, angleTol 10). */
  readonly matcher?: MatcherOptions;
  /**
   * Which crystals must be valid for a pair to be matched: `'prediction'` (CDVAE `RecEval`) or `'both'`
   * (DiffCSP `RecEval`: prediction and ground truth). Default `'prediction'`.
   */
  readonly requireValid?: 'prediction' | 'both' | 'none';
}

/** The result of {@link reconstructionMetrics}. */
export interface ReconstructionMetrics {
  /** Matched pairs / all pairs. */
  readonly matchRate: number;
  /** Mean normalised RMS displacement over matched pairs (NaN when none matched). */
  readonly rmse: number;
  /** Per pair: the normalised RMS displacement, or null when invalid or unmatched. */
  readonly rms: readonly (number | null)[];
  readonly matched: number;
  readonly count: number;
}

/**
 * Match rate and RMSE against ground truth with the definitions of CDVAE / DiffCSP `RecEval`: each prediction is
 * compared with its ground truth by `get_rms_dist` (here {@link rmsDistance}) under the field's settings; a null
 * or invalid prediction, or one the matcher rejects, is a miss; the RMSE averages the matched pairs only.
 *
 * @example
 * const { matchRate, rmse } = reconstructionMetrics(predictions, groundTruths);
 */
export function reconstructionMetrics(
  predictions: readonly (Crystal | null)[],
  groundTruths: readonly Crystal[],
  options: ReconstructionOptions = {},
): ReconstructionMetrics {
  const fn = 'reconstructionMetrics';
  if (!Array.isArray(predictions) || !Array.isArray(groundTruths) || predictions.length !== groundTruths.length) {
    throw new InvalidArgumentError(
      fn,
      'predictions',
      `must be an array as long as groundTruths (${groundTruths?.length}), got ${predictions?.length}`,
    );
  }
  if (predictions.length === 0) throw new InvalidArgumentError(fn, 'predictions', 'must be non-empty, got 0');
  const matcher = options.matcher ?? FIELD_MATCHER_OPTIONS;
  const need = options.requireValid ?? 'prediction';
  const rms: (number | null)[] = [];
  let sum = 0;
  let matched = 0;
  for (let i = 0; i < predictions.length; i++) {
    const p = predictions[i];
    const g = groundTruths[i];
    let value: number | null = null;
    if (p !== null && p !== undefined) {
      const ok = need === 'none' || (crystalValidity(p).valid && (need === 'prediction' || crystalValidity(g).valid));
      if (ok) {
        try {
          value = rmsDistance(p, g, matcher)?.rms ?? null;
        } catch (e) {
          // CDVAE: `except Exception: return None` (a prediction the matcher cannot read is a miss)
          if (!CrysError.isInstance(e)) throw e;
          value = null;
        }
      }
    }
    rms.push(value);
    if (value !== null) {
      matched++;
      sum += value;
    }
  }
  return {
    matchRate: matched / predictions.length,
    rmse: matched > 0 ? sum / matched : Number.NaN,
    rms,
    matched,
    count: predictions.length,
  };
}

/**
 * Number of distinct elements (CDVAE `len(set(structure.species))`).
 *
 * @example
 * numElements({ ...crystal, atomicNumbers: Uint8Array.of(56, 22, 8, 8, 8) }); // 3
 */
export function numElements(crystal: Crystal): number {
  return new Set(crystal.atomicNumbers).size;
}

/**
 * The 1-Wasserstein (earth mover's) distance between two empirical 1-D distributions, as
 * `scipy.stats.wasserstein_distance(u, v)` with equal weights: ∫ |U(x) − V(x)| dx over the CDFs.
 *
 * @example
 * wasserstein1d([0, 1, 3], [5, 6, 8]); // 5
 */
export function wasserstein1d(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const fn = 'wasserstein1d';
  if (!u || u.length === 0) throw new InvalidArgumentError(fn, 'u', `must be non-empty, got ${u?.length}`);
  if (!v || v.length === 0) throw new InvalidArgumentError(fn, 'v', `must be non-empty, got ${v?.length}`);
  const a = Float64Array.from(u).sort();
  const b = Float64Array.from(v).sort();
  for (const [name, x] of [
    ['u', a],
    ['v', b],
  ] as const) {
    if (!Number.isFinite(x[0]) || !Number.isFinite(x[x.length - 1]) || x.some(Number.isNaN)) {
      throw new InvalidArgumentError(fn, name, 'must contain finite numbers only');
    }
  }
  const all = new Float64Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  all.sort();
  let ia = 0;
  let ib = 0;
  let total = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k];
    while (ia < a.length && a[ia] <= x) ia++;
    while (ib < b.length && b[ib] <= x) ib++;
    total += Math.abs(ia / a.length - ib / b.length) * (all[k + 1] - x);
  }
  return total;
}

/** CDVAE's distribution distances between generated and reference crystals. */
export interface DistributionDistances {
  /** Wasserstein distance between the densities (g/cm³), CDVAE `wdist_density`. */
  readonly density: number;
  /** Wasserstein distance between the numbers of distinct elements, CDVAE `wdist_num_elems`. */
  readonly numElements: number;
}

/**
 * `Structure.density` as CDVAE computes it: @crys/lattice's `density` with pymatgen's atomic masses instead of
 * its default IUPAC 2016 ones. The tables differ in the fourth digit for some elements, which moves the
 * Wasserstein distance off the Python oracle's by more than its 1e-9 agreement.
 */
function pymatgenDensity(crystal: Crystal): number {
  return density(crystal, { masses: ATOMIC_MASSES });
}

/**
 * CDVAE / DiffCSP `GenEval.get_density_wdist` and `get_num_elem_wdist`. CDVAE first draws 1000 valid generated
 * crystals at random (`valid_samples`); pass that sample here (this function does not sample).
 *
 * @example
 * distributionDistances(validSamples, testSet); // { density: 0.05, numElements: 0.01 }
 */
export function distributionDistances(
  generated: readonly Crystal[],
  reference: readonly Crystal[],
): DistributionDistances {
  return {
    density: wasserstein1d(generated.map(pymatgenDensity), reference.map(pymatgenDensity)),
    numElements: wasserstein1d(generated.map(numElements), reference.map(numElements)),
  };
}
