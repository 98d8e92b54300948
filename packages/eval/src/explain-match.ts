/**
 * Why two structures do or do not match: the step of pymatgen's StructureMatcher that rejects the pair, with the
 * closest lattice and the closest site mapping it could find.
 */
import { type Crystal, determinant, InvalidArgumentError, reducedFormula } from '@crys/lattice';
import { assertPositive } from '@crys/lattice/internal';
import { angles, forEachLatticeMapping, lengths } from './pmg-lattice.js';
import type { Cell } from './pmg-structure.js';
import {
  DEFAULT_MATCHER_OPTIONS,
  type MatcherOptions,
  type MatchResult,
  matchStructures,
  preprocessPair,
} from './structure-matcher.js';
import { assertCrystal } from './validate.js';

/**
 * The verdict of {@link explainMatch}: `'match'` (pymatgen's `fit`: every site within stol), `'rms-only'` (the RMS is
 * within stol, so the CSP match rate counts the pair, but some site is beyond it), or the step that rejects the pair:
 * `'composition'` (different reduced formulas), `'atom-count'` (the reduced cells hold different numbers of sites),
 * `'lattice'` (no lattice of one within ltol / angleTol of the other's) or `'sites'` (lattices agree, sites do not).
 */
export type MatchVerdict = 'match' | 'rms-only' | 'composition' | 'atom-count' | 'lattice' | 'sites';

/** The closest lattice {@link explainMatch} found: one crystal's lattice vectors set against the other's reduced cell. */
export interface LatticeDeviation {
  /** Whether it is within the matcher's `ltol` and `angleTol`. */
  readonly withinTolerance: boolean;
  /**
   * Largest length mismatch of the three vectors, as a fraction: max over i of max(l/l′, l′/l) − 1, the quantity
   * pymatgen compares with `ltol`.
   */
  readonly lengthDeviation: number;
  /** Largest angle mismatch (α, β, γ), degrees, compared with `angleTol`. */
  readonly angleDeviation: number;
  /** a, b, c (Å) and α, β, γ (°) of the candidate lattice (after volume scaling when `scale`). */
  readonly candidate: readonly [number, number, number, number, number, number];
  /** a, b, c (Å) and α, β, γ (°) of the reduced cell it is compared with. */
  readonly target: readonly [number, number, number, number, number, number];
}

/** What {@link explainMatch} returns. */
export interface MatchExplanation {
  readonly verdict: MatchVerdict;
  /** One sentence saying why, with the numbers. */
  readonly reason: string;
  /** {@link matchStructures} of the pair with the same options. */
  readonly result: MatchResult;
  /** Reduced formulas of a and b. */
  readonly formulas: { readonly a: string; readonly b: string };
  /** Sites of the reduced cells compared (primitive cells when `primitiveCell`), of a and b. */
  readonly sites: { readonly a: number; readonly b: number };
  /**
   * The lattice mapping closest to the tolerances (the smallest of lengthDeviation / ltol and angleDeviation /
   * angleTol), searched up to 3 × ltol and 3 × angleTol (at least 0.5 and 30°); null when the verdict is decided
   * before the lattices are compared, or when nothing is that close.
   */
  readonly lattice: LatticeDeviation | null;
  /**
   * The best site mapping found on the lattices within tolerance with stol lifted (every site pairing allowed):
   * its normalised RMS and largest displacement. Set for the `'sites'` verdict; null otherwise.
   */
  readonly closestSites: { readonly rms: number; readonly maxDist: number } | null;
  /** The options used (defaults filled in). */
  readonly options: Required<MatcherOptions>;
}

function fmt(x: number, digits = 3): string {
  return x.toFixed(digits);
}

/** The reduced, volume-scaled cells in the roles StructureMatcher gives them (`_preprocess` and `_match`). */
function prepare(
  a: Crystal,
  b: Crystal,
  o: Required<MatcherOptions>,
): { searched: Cell; target: Cell; fu: number; countsAgree: boolean; na: number; nb: number } {
  const { r1, r2, c1, c2, fu, s1Supercell, mult } = preprocessPair(a, b, o);
  const [A, B, sup] = c1.z.length * mult >= c2.z.length ? [c1, c2, s1Supercell] : [c2, c1, !s1Supercell];
  const nCols = sup ? A.z.length * fu : A.z.length;
  const nRows = sup ? B.z.length : B.z.length * fu;
  return {
    searched: sup ? A : B,
    target: sup ? B : A,
    fu,
    countsAgree: nCols === nRows,
    na: r1.z.length,
    nb: r2.z.length,
  };
}

function closestLattice(
  searched: Cell,
  target: Cell,
  fu: number,
  o: Required<MatcherOptions>,
): LatticeDeviation | null {
  const tl = lengths(target.lattice);
  const ta = angles(target.lattice);
  const ltolSearch = Math.max(3 * o.ltol, 0.5);
  const atolSearch = Math.max(3 * o.angleTol, 30);
  let best: { score: number; dev: LatticeDeviation } | null = null;
  const cl = new Float64Array(3);
  const ca = new Float64Array(3);
  forEachLatticeMapping(searched.lattice, tl, ta, ltolSearch, atolSearch, (mp) => {
    if (!(Math.abs(Math.abs(determinant(mp.scale)) - fu) < 0.5)) return false;
    lengths(mp.aligned, cl);
    angles(mp.aligned, ca);
    let lengthDeviation = 0;
    let angleDeviation = 0;
    for (let i = 0; i < 3; i++) {
      const r = cl[i] / tl[i];
      lengthDeviation = Math.max(lengthDeviation, Math.max(r, 1 / r) - 1);
      angleDeviation = Math.max(angleDeviation, Math.abs(ca[i] - ta[i]));
    }
    const score = Math.max(lengthDeviation / o.ltol, angleDeviation / o.angleTol);
    if (best === null || score < best.score) {
      best = {
        score,
        dev: {
          // pymatgen's own test: every ratio inside (1/(1 + ltol), 1 + ltol), every angle within angleTol
          withinTolerance: lengthDeviation < o.ltol && angleDeviation < o.angleTol,
          lengthDeviation,
          angleDeviation,
          candidate: [cl[0], cl[1], cl[2], ca[0], ca[1], ca[2]],
          target: [tl[0], tl[1], tl[2], ta[0], ta[1], ta[2]],
        },
      };
    }
    return false;
  });
  return best === null ? null : (best as { dev: LatticeDeviation }).dev;
}

function cellText(p: readonly number[]): string {
  return `a ${fmt(p[0])} b ${fmt(p[1])} c ${fmt(p[2])} Å, α ${fmt(p[3], 2)} β ${fmt(p[4], 2)} γ ${fmt(p[5], 2)}°`;
}

/**
 * Says why two crystals do or do not match under pymatgen's StructureMatcher rules (the same options as
 * {@link matchStructures}), following the matcher's own steps: the reduced compositions, the number of sites of the
 * reduced (by default primitive) cells, the lattice search (is any lattice of one within `ltol` and `angleTol` of the
 * other's reduced cell? the closest found, with its length and angle deviations), and the site mapping (with stol
 * lifted, the best RMS and largest displacement, normalised by (V/N)^⅓ as pymatgen's). The `reason` is a sentence
 * for people; the fields carry the numbers. Costs one to three matcher runs.
 *
 * @example
 * const why = explainMatch(predicted, truth, FIELD_MATCHER_OPTIONS);
 * if (why.verdict === 'lattice') console.log(why.lattice?.lengthDeviation); // e.g. 0.41 > ltol 0.3
 */
export function explainMatch(a: Crystal, b: Crystal, options?: MatcherOptions): MatchExplanation {
  const fn = 'explainMatch';
  assertCrystal(fn, 'a', a);
  assertCrystal(fn, 'b', b);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError(fn, 'options', `must be an object, got ${String(options)}`, options);
  }
  const o: Required<MatcherOptions> = { ...DEFAULT_MATCHER_OPTIONS, ...(options ?? {}) };
  assertPositive(fn, 'options.ltol', o.ltol);
  assertPositive(fn, 'options.stol', o.stol);
  assertPositive(fn, 'options.angleTol', o.angleTol);
  const result = matchStructures(a, b, o);
  const formulas = { a: reducedFormula(a), b: reducedFormula(b) };
  const base = { result, formulas, options: o };
  const tol = `ltol ${o.ltol}, angle_tol ${o.angleTol}°`;
  if (!sameComposition(a.atomicNumbers, b.atomicNumbers)) {
    return {
      ...base,
      verdict: 'composition',
      reason: `different compositions: A is ${formulas.a} and B is ${formulas.b}`,
      sites: { a: a.atomicNumbers.length, b: b.atomicNumbers.length },
      lattice: null,
      closestSites: null,
    };
  }
  const p = prepare(a, b, o);
  const sites = { a: p.na, b: p.nb };
  const cells = o.primitiveCell ? 'primitive cells' : 'Niggli cells';
  if (!p.countsAgree) {
    const hint = o.attemptSupercell
      ? `${p.fu} copies of the smaller still do not give the larger`
      : 'one may be a supercell of the other (try attemptSupercell)';
    return {
      ...base,
      verdict: 'atom-count',
      reason: `different numbers of sites: the ${cells} of A and B hold ${p.na} and ${p.nb} sites (${formulas.a}); ${hint}`,
      sites,
      lattice: null,
      closestSites: null,
    };
  }
  const lattice = closestLattice(p.searched, p.target, p.fu, o);
  if (result.match) {
    return {
      ...base,
      verdict: 'match',
      reason: `match: every site within stol ${o.stol} (largest displacement ${fmt(result.maxDist ?? 0, 4)}, RMS ${fmt(result.rms ?? 0, 4)})`,
      sites,
      lattice,
      closestSites: null,
    };
  }
  if (result.rms !== null) {
    return {
      ...base,
      verdict: 'rms-only',
      reason: `RMS ${fmt(result.rms, 4)} is within stol ${o.stol} (the CSP match rate counts it) but the largest displacement ${fmt(result.maxDist ?? 0, 4)} is not, so pymatgen's fit says no`,
      sites,
      lattice,
      closestSites: null,
    };
  }
  if (lattice === null || !lattice.withinTolerance) {
    const detail =
      lattice === null
        ? `nothing within ${Math.max(3 * o.ltol, 0.5)} in length and ${Math.max(3 * o.angleTol, 30)}° in angle`
        : `the closest (${cellText(lattice.candidate)}) deviates by ${fmt(100 * lattice.lengthDeviation, 1)} % in length and ${fmt(lattice.angleDeviation, 2)}° in angle from ${cellText(lattice.target)}`;
    return {
      ...base,
      verdict: 'lattice',
      reason: `no lattice within ${tol}: ${detail}`,
      sites,
      lattice,
      closestSites: null,
    };
  }
  // stol lifted: every same-species pairing passes the pre-check, so the best assignment on every lattice is scored
  const lifted = matchStructures(a, b, { ...o, stol: 1e6 });
  const closestSites = lifted.rms === null ? null : { rms: lifted.rms, maxDist: lifted.maxDist ?? lifted.rms };
  const detail =
    closestSites === null
      ? 'no site mapping was found'
      : closestSites.rms < o.stol
        ? `the best mapping has RMS ${fmt(closestSites.rms, 4)} but a site ${fmt(closestSites.maxDist, 4)} away, and no translation puts every site within stol of a same-species site`
        : `the best mapping has RMS ${fmt(closestSites.rms, 4)} and largest displacement ${fmt(closestSites.maxDist, 4)}`;
  return {
    ...base,
    verdict: 'sites',
    reason: `lattices agree (within ${tol}) but sites do not within stol ${o.stol}: ${detail} (normalised by (V/N)^⅓)`,
    sites,
    lattice,
    closestSites,
  };
}

/** Same reduced composition (pymatgen's SpeciesComparator hash: the reduced formula). */
function sameComposition(za: Uint8Array, zb: Uint8Array): boolean {
  const count = (z: Uint8Array): Map<number, number> => {
    const m = new Map<number, number>();
    for (let i = 0; i < z.length; i++) m.set(z[i], (m.get(z[i]) ?? 0) + 1);
    return m;
  };
  const ca = count(za);
  const cb = count(zb);
  if (ca.size !== cb.size) return false;
  // same proportions: ca[k] / na = cb[k] / nb for every element
  for (const [k, v] of ca) {
    const w = cb.get(k);
    if (w === undefined || v * zb.length !== w * za.length) return false;
  }
  return true;
}
