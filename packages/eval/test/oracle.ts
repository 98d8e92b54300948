// Test-only helpers: load the pymatgen oracle fixture (tools/fixtures/eval_oracle.py) and compare our matcher with it.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Crystal } from '@crys/lattice';
import { type MatcherOptions, matchStructures } from '../src/index.js';

export interface OracleStructure {
  l: number[];
  f: number[];
  z: number[];
}
export type OracleAnswer = [boolean, number | null, number | null];
export interface OraclePair {
  set: string;
  cat: string;
  /** "predicted" pairs: the Cartesian noise (Å); the lattice strain is sigma / 10. */
  sigma?: number;
  a: OracleStructure;
  b: OracleStructure;
  default: OracleAnswer;
  field: OracleAnswer;
  /** Present on every pair, or on every k-th pair of sets generated with --variant-every k. */
  variant?: { opts: Record<string, boolean>; res: OracleAnswer };
}

export function loadOracle(path: string): OraclePair[] {
  return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')).pairs;
}

export function toCrystal(s: OracleStructure): Crystal {
  return { lattice: Float64Array.from(s.l), fracCoords: Float64Array.from(s.f), atomicNumbers: Uint8Array.from(s.z) };
}

export function variantOptions(opts: Record<string, boolean>): MatcherOptions {
  return {
    ...(opts.primitive_cell !== undefined ? { primitiveCell: opts.primitive_cell } : {}),
    ...(opts.scale !== undefined ? { scale: opts.scale } : {}),
    ...(opts.attempt_supercell !== undefined ? { attemptSupercell: opts.attempt_supercell } : {}),
  };
}

export interface Disagreement {
  index: number;
  cat: string;
  setting: string;
  ours: [boolean, number | null, number | null];
  theirs: OracleAnswer;
}

export interface Agreement {
  comparisons: number;
  sameMatch: number;
  sameRmsNull: number;
  rmsCompared: number;
  rmsWithin: number;
  maxRmsError: number;
  disagreements: Disagreement[];
}

/** Compares every pair under the three recorded settings. */
export function compareWithOracle(pairs: OraclePair[], rmsTol = 1e-4): Agreement {
  const ag: Agreement = {
    comparisons: 0,
    sameMatch: 0,
    sameRmsNull: 0,
    rmsCompared: 0,
    rmsWithin: 0,
    maxRmsError: 0,
    disagreements: [],
  };
  pairs.forEach((p, index) => {
    const a = toCrystal(p.a);
    const b = toCrystal(p.b);
    const settings: [string, MatcherOptions, OracleAnswer][] = [
      ['default', {}, p.default],
      ['field', { stol: 0.5, ltol: 0.3, angleTol: 10 }, p.field],
    ];
    if (p.variant)
      settings.push([`variant ${JSON.stringify(p.variant.opts)}`, variantOptions(p.variant.opts), p.variant.res]);
    for (const [name, opts, theirs] of settings) {
      const r = matchStructures(a, b, opts);
      ag.comparisons++;
      let ok = true;
      if (r.match === theirs[0]) ag.sameMatch++;
      else ok = false;
      if ((r.rms === null) === (theirs[1] === null)) ag.sameRmsNull++;
      else ok = false;
      if (r.rms !== null && theirs[1] !== null) {
        ag.rmsCompared++;
        const err = Math.max(Math.abs(r.rms - theirs[1]), Math.abs((r.maxDist ?? 0) - (theirs[2] ?? 0)));
        ag.maxRmsError = Math.max(ag.maxRmsError, err);
        if (err <= rmsTol) ag.rmsWithin++;
        else ok = false;
      }
      if (!ok) ag.disagreements.push({ index, cat: p.cat, setting: name, ours: [r.match, r.rms, r.maxDist], theirs });
    }
  });
  return ag;
}
