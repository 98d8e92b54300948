/**
 * Test helper (not built, not exported): loads the ASE/pymatgen oracle written by tools/fixtures/lattice_oracle.py and
 * compares @crys/lattice with it crystal by crystal. Used by oracle.test.ts (a subset) and
 * oracle.slow.test.ts (every crystal).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  latticeFromParameters,
  latticeParameters,
  metricTensor,
  planeSpacings,
  reciprocalLattice,
  volume,
} from '../src/cell.js';
import { density } from '../src/composition.js';
import { fracToCart, minimumImage, wrapFrac } from '../src/coords.js';
import { createCrystal } from '../src/crystal.js';
import { lllReduce, niggliReduce } from '../src/reduce.js';

/** Columnar arrays of one oracle set; see tools/fixtures/lattice_oracle.py for the meaning of each field. */
export interface OracleSet {
  numAtoms: number[];
  z: number[];
  frac: number[];
  cellpar: number[];
  lattice: number[];
  params: number[];
  volume: number[];
  reciprocal: number[];
  metric: number[];
  spacings: number[];
  cart: number[];
  wrapped: number[];
  pairs: number[];
  niggliPmg: number[];
  niggliFixed: number[];
  niggliSpg: number[];
  lll: number[];
  lllMap: number[];
  density: number[];
}

export interface Oracle {
  meta: Record<string, unknown>;
  elements: { mass: number[]; covalentRadius: number[]; electronegativity: (number | null)[] };
  sets: Record<'perov_5' | 'carbon_24' | 'random', OracleSet>;
}

let cached: Oracle | undefined;

export function loadOracle(): Oracle {
  cached ??= JSON.parse(
    gunzipSync(readFileSync(new URL('./fixtures/lattice-oracle.json.gz', import.meta.url))).toString('utf8'),
  ) as Oracle;
  return cached;
}

/** Worst relative error per quantity, and counts of Niggli agreement with each reference. */
export interface OracleReport {
  crystals: number;
  pairs: number;
  maxRel: Record<string, number>;
  lllTransformMismatches: number;
  niggliAgreesWithPymatgen2022: number;
  niggliAgreesWithSpglib: number;
}

function relVec(a: ArrayLike<number>, b: ArrayLike<number>, off: number, n: number, scale?: number): number {
  let worst = 0;
  let s = scale ?? 0;
  if (scale === undefined) for (let i = 0; i < n; i++) s = Math.max(s, Math.abs(b[off + i]));
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i] - b[off + i]) / (s || 1));
  return worst;
}

function relEach(a: ArrayLike<number>, b: ArrayLike<number>, off: number, n: number, floor = 0): number {
  let worst = 0;
  for (let i = 0; i < n; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[off + i]) / Math.max(Math.abs(b[off + i]), floor));
  return worst;
}

function paramsOf(l: ArrayLike<number>): number[] {
  const p = latticeParameters(l);
  return [p.a, p.b, p.c, p.alpha, p.beta, p.gamma];
}

/** Compares crystals `indices` of an oracle set with @crys/lattice and returns the worst errors. */
export function compareOracle(set: OracleSet, indices: Iterable<number>): OracleReport {
  const B = set.numAtoms.length;
  const atomStart = new Int32Array(B + 1);
  const pairStart = new Int32Array(B + 1);
  for (let b = 0; b < B; b++) {
    const n = set.numAtoms[b];
    atomStart[b + 1] = atomStart[b] + n;
    pairStart[b + 1] = pairStart[b] + (n * (n - 1)) / 2;
  }
  const maxRel: Record<string, number> = {};
  const note = (k: string, v: number): void => {
    maxRel[k] = Math.max(maxRel[k] ?? 0, v);
  };
  const report: OracleReport = {
    crystals: 0,
    pairs: 0,
    maxRel,
    lllTransformMismatches: 0,
    niggliAgreesWithPymatgen2022: 0,
    niggliAgreesWithSpglib: 0,
  };
  for (const b of indices) {
    const n = set.numAtoms[b];
    const a0 = atomStart[b];
    const cp = set.cellpar.slice(6 * b, 6 * b + 6);
    const fromParams = latticeFromParameters(cp[0], cp[1], cp[2], cp[3], cp[4], cp[5]);
    note('latticeFromParameters', relVec(fromParams, set.lattice, 9 * b, 9));
    const lattice = Float64Array.from(set.lattice.slice(9 * b, 9 * b + 9));
    note('latticeParameters', relEach(paramsOf(lattice), set.params, 6 * b, 6));
    note('volume', relEach([volume(lattice)], set.volume, b, 1));
    note('reciprocalLattice', relVec(reciprocalLattice(lattice), set.reciprocal, 9 * b, 9));
    const twoPi = set.reciprocal.slice(9 * b, 9 * b + 9).map((x) => 2 * Math.PI * x);
    note('reciprocalLattice twoPi', relVec(reciprocalLattice(lattice, { twoPi: true }), twoPi, 0, 9));
    note('metricTensor', relVec(metricTensor(lattice), set.metric, 9 * b, 9));
    note('planeSpacings', relEach(planeSpacings(lattice), set.spacings, 3 * b, 3));
    const frac = Float64Array.from(set.frac.slice(3 * a0, 3 * (a0 + n)));
    let scale = 0;
    for (let i = 0; i < 9; i++) scale = Math.max(scale, Math.abs(lattice[i]));
    note('fracToCart', relVec(fracToCart(new Float64Array(3 * n), frac, lattice), set.cart, 3 * a0, 3 * n, scale));
    note('wrapFrac', relVec(wrapFrac(new Float64Array(3 * n), frac), set.wrapped, 3 * a0, 3 * n, 1));
    // every pair i < j, row-major
    const np = (n * (n - 1)) / 2;
    if (np > 0) {
      const d = new Float64Array(3 * np);
      let k = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++, k++) {
          for (let c = 0; c < 3; c++) d[3 * k + c] = frac[3 * j + c] - frac[3 * i + c];
        }
      }
      const r = minimumImage(d, d, lattice);
      const dist = new Float64Array(np);
      for (let p = 0; p < np; p++) dist[p] = Math.hypot(r[3 * p], r[3 * p + 1], r[3 * p + 2]);
      note('minimumImage distances', relEach(dist, set.pairs, pairStart[b], np, 1));
      report.pairs += np;
    }
    const niggli = paramsOf(niggliReduce(lattice).lattice);
    note('niggliReduce parameters', relEach(niggli, set.niggliFixed, 6 * b, 6));
    if (relEach(niggli, set.niggliPmg, 6 * b, 6) < 1e-6) report.niggliAgreesWithPymatgen2022++;
    if (relEach(niggli, set.niggliSpg, 6 * b, 6) < 1e-6) report.niggliAgreesWithSpglib++;
    const lll = lllReduce(lattice);
    note('lllReduce lattice', relVec(lll.lattice, set.lll, 9 * b, 9));
    for (let i = 0; i < 9; i++) {
      if (lll.transform[i] !== set.lllMap[9 * b + i]) {
        report.lllTransformMismatches++;
        break;
      }
    }
    const crystal = createCrystal({ lattice, fracCoords: frac, atomicNumbers: set.z.slice(a0, a0 + n) });
    note('density', relEach([density(crystal)], set.density, b, 1));
    report.crystals++;
  }
  return report;
}

/** 0, step, 2·step, … below `count`, plus the last index. */
export function spread(count: number, take: number): number[] {
  const step = Math.max(1, Math.floor(count / take));
  const out: number[] = [];
  for (let i = 0; i < count && out.length < take; i += step) out.push(i);
  if (out[out.length - 1] !== count - 1) out.push(count - 1);
  return out;
}
