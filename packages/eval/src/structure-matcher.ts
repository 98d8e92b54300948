import { type Crystal, determinant, InvalidArgumentError, invert, planeSpacings } from '@crys/lattice';
import { assertPositive } from '@crys/lattice/internal';
import { linearAssignment } from './linear-assignment.js';
import { angles, forEachLatticeMapping, fromParameters, lengths, lllPymatgen, roundHalfEven } from './pmg-lattice.js';
import { type Cell, reducedCell } from './pmg-structure.js';
import { assertCrystal } from './validate.js';

/** Options of {@link matchStructures} and {@link rmsDistance}; names and defaults follow pymatgen's `StructureMatcher`. */
export interface MatcherOptions {
  /** Fractional length tolerance for candidate lattice vectors (pymatgen `ltol`). Default 0.2. */
  readonly ltol?: number;
  /** Site tolerance, as a fraction of the free length per atom (V/N)^⅓ (pymatgen `stol`). Default 0.3. */
  readonly stol?: number;
  /** Angle tolerance in degrees (pymatgen `angle_tol`). Default 5. */
  readonly angleTol?: number;
  /** Reduce both crystals to primitive cells first (pymatgen `primitive_cell`). Default true. */
  readonly primitiveCell?: boolean;
  /** Scale both lattices to the same volume first (pymatgen `scale`). Default true. */
  readonly scale?: boolean;
  /** Try supercells of the smaller cell when the site counts differ (pymatgen `attempt_supercell`). Default false. */
  readonly attemptSupercell?: boolean;
}

/**
 * The result of {@link matchStructures}: pymatgen's two verdicts, which differ for noisy structures. Distances are
 * normalised by (V/N)^⅓, as pymatgen's.
 */
export interface MatchResult {
  /**
   * pymatgen `StructureMatcher.fit(a, b)`: some mapping puts every site within `stol` (the largest displacement
   * decides). Not the structure-prediction match rate's criterion: that is `rms !== null`.
   */
  readonly match: boolean;
  /**
   * pymatgen `get_rms_dist(a, b)[0]`: the smallest RMS displacement found (< stol), or null when none. Non-null is
   * what CDVAE / DiffCSP count as matched; a noisy prediction can have an `rms` while `match` is false.
   */
  readonly rms: number | null;
  /** pymatgen `get_rms_dist(a, b)[1]`: the largest displacement of the mapping with the smallest RMS, or null. */
  readonly maxDist: number | null;
}

/**
 * pymatgen's `StructureMatcher()` defaults.
 *
 * @example
 * matchStructures(a, b, { ...DEFAULT_MATCHER_OPTIONS, primitiveCell: false });
 */
export const DEFAULT_MATCHER_OPTIONS = {
  ltol: 0.2,
  stol: 0.3,
  angleTol: 5,
  primitiveCell: true,
  scale: true,
  attemptSupercell: false,
} as const satisfies Required<MatcherOptions>;

/**
 * The settings the field's reconstruction / CSP evaluations use (CDVAE and DiffCSP `scripts/compute_metrics.py`:
 * `StructureMatcher(stol=0.5, angle_tol=10, ltol=0.3)`).
 *
 * @example
 * const { rms } = matchStructures(predicted, groundTruth, FIELD_MATCHER_OPTIONS);
 */
export const FIELD_MATCHER_OPTIONS = { stol: 0.5, ltol: 0.3, angleTol: 10 } as const satisfies MatcherOptions;

type Resolved = Required<MatcherOptions>;

function resolve(fn: string, options: MatcherOptions | undefined): Resolved {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError(fn, 'options', `must be an object, got ${String(options)}`, options);
  }
  const o = { ...DEFAULT_MATCHER_OPTIONS, ...(options ?? {}) };
  assertPositive(fn, 'options.ltol', o.ltol);
  assertPositive(fn, 'options.stol', o.stol);
  assertPositive(fn, 'options.angleTol', o.angleTol);
  return o;
}

function toCell(c: Crystal): Cell {
  return {
    lattice: Float64Array.from(c.lattice),
    frac: Float64Array.from(c.fracCoords),
    z: Uint8Array.from(c.atomicNumbers),
  };
}

/** Reduced formula as a canonical key (pymatgen SpeciesComparator.get_hash: `composition.reduced_formula`). */
function reducedKey(z: Uint8Array): string {
  const counts = new Map<number, number>();
  for (let i = 0; i < z.length; i++) counts.set(z[i], (counts.get(z[i]) ?? 0) + 1);
  let g = 0;
  for (const c of counts.values()) {
    let a = g;
    let b = c;
    while (b) [a, b] = [b, a % b];
    g = a;
  }
  return [...counts.entries()]
    .sort((p, q) => p[0] - q[0])
    .map(([k, c]) => `${k}:${c / g}`)
    .join(',');
}

interface Best {
  rms: number;
  dist: Float64Array;
}

interface State {
  readonly opts: Resolved;
  readonly wantFit: boolean;
  readonly wantRms: boolean;
  fit: boolean;
  best: Best | null;
  done: boolean;
}

/** Lattice points of the supercell `sc` (rows integer), in its own fractional basis (pymatgen `lattice_points_in_supercell`). */
function latticePointsInSupercell(sc: Float64Array): Float64Array {
  const mins = [0, 0, 0];
  const maxes = [0, 0, 0];
  for (let d = 0; d < 8; d++) {
    const w = [(d >> 2) & 1, (d >> 1) & 1, d & 1];
    for (let c = 0; c < 3; c++) {
      const v = w[0] * sc[c] + w[1] * sc[3 + c] + w[2] * sc[6 + c];
      if (d === 0 || v < mins[c]) mins[c] = d === 0 ? v : Math.min(mins[c], v);
      if (d === 0 || v > maxes[c]) maxes[c] = d === 0 ? v : Math.max(maxes[c], v);
    }
  }
  const inv = invert(new Float64Array(9), sc);
  const out: number[] = [];
  if (!inv) return new Float64Array(0);
  for (let a = mins[0]; a < maxes[0] + 1; a++) {
    for (let b = mins[1]; b < maxes[1] + 1; b++) {
      for (let c = mins[2]; c < maxes[2] + 1; c++) {
        const x = a * inv[0] + b * inv[3] + c * inv[6];
        const y = a * inv[1] + b * inv[4] + c * inv[7];
        const z = a * inv[2] + b * inv[5] + c * inv[8];
        if (x < 1 - 1e-10 && y < 1 - 1e-10 && z < 1 - 1e-10 && x >= -1e-10 && y >= -1e-10 && z >= -1e-10)
          out.push(x, y, z);
      }
    }
  }
  return Float64Array.from(out);
}

const a1 = new Float64Array(3);
const g1 = new Float64Array(3);
const a2 = new Float64Array(3);
const g2 = new Float64Array(3);

function averageLattice(l1: Float64Array, l2: Float64Array): Float64Array {
  lengths(l1, a1);
  angles(l1, g1);
  lengths(l2, a2);
  angles(l2, g2);
  return fromParameters(
    (a1[0] + a2[0]) / 2,
    (a1[1] + a2[1]) / 2,
    (a1[2] + a2[2]) / 2,
    (g1[0] + g2[0]) / 2,
    (g1[1] + g2[1]) / 2,
    (g1[2] + g2[2]) / 2,
  );
}

/** Fractional coordinates of `cell` in the basis `l` (rows = Cartesian vectors), or of its supercell `sc`. */
const candidateInverse = new Float64Array(9);

function fracInCandidate(cell: Cell, l: Float64Array, sc: Float64Array, fu: number): Float64Array {
  const inv = candidateInverse;
  const n = cell.z.length;
  if (fu === 1) {
    // cart = frac · L, frac' = cart · l⁻¹
    invert(inv, l);
    const L = cell.lattice;
    const out = new Float64Array(3 * n);
    for (let p = 0; p < n; p++) {
      const fx = cell.frac[3 * p];
      const fy = cell.frac[3 * p + 1];
      const fz = cell.frac[3 * p + 2];
      const x = fx * L[0] + fy * L[3] + fz * L[6];
      const y = fx * L[1] + fy * L[4] + fz * L[7];
      const z = fx * L[2] + fy * L[5] + fz * L[8];
      for (let c = 0; c < 3; c++) {
        const v = x * inv[c] + y * inv[3 + c] + z * inv[6 + c];
        out[3 * p + c] = v - Math.floor(v);
      }
    }
    return out;
  }
  invert(inv, sc);
  const lp = latticePointsInSupercell(sc);
  const m = lp.length / 3;
  const out = new Float64Array(3 * n * m);
  for (let p = 0; p < n; p++) {
    const fx = cell.frac[3 * p];
    const fy = cell.frac[3 * p + 1];
    const fz = cell.frac[3 * p + 2];
    for (let t = 0; t < m; t++) {
      for (let c = 0; c < 3; c++) {
        const v = fx * inv[c] + fy * inv[3 + c] + fz * inv[6 + c] + lp[3 * t + c];
        out[3 * (p * m + t) + c] = v - Math.floor(v);
      }
    }
  }
  return out;
}

// the 27 images (−1, 0, 1)³ in pymatgen's order (a outermost)
const IMAGES = (() => {
  const out = new Float64Array(81);
  let k = 0;
  for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) out.set([a, b, c], 3 * k++);
  return out;
})();

/**
 * Python's `x % 1` for floats: fmod's exact remainder, plus 1 when negative. x − ⌊x⌋ is that same sum rounded once
 * (only the sign of a zero can differ), without the slow fmod.
 */
function pyMod1(x: number): number {
  return x - Math.floor(x);
}

/**
 * |x − round(x)|, the distance to the nearest integer: the same number whether halves round away from zero (C's
 * round in pymatgen's kernels) or up (Math.round), since both give 0.5 at a half.
 */
function offInteger(x: number): number {
  return Math.abs(x - Math.round(x));
}

// Scratch of cartDists, grown as needed: matching allocates nothing per candidate mapping or anchor.
let f1 = new Float64Array(0); // s2 (+t) in LLL fractions (3n)
let f2 = new Float64Array(0); // s1 in LLL fractions (3n)
let c1 = new Float64Array(0); // s2 (+t) wrapped, Cartesian (3n)
let c2 = new Float64Array(0); // s1 wrapped, Cartesian (3n)
let w1 = new Float64Array(0); // s2 (+t) wrapped LLL fractions (3n)
let w2 = new Float64Array(0); // s1 wrapped LLL fractions (3n)
let d2 = new Float64Array(0); // n×n squared shortest distances
let vecs = new Float64Array(0); // 3·n×n shortest vectors
let dist = new Float64Array(0); // n distances of the assignment
let sol = new Int32Array(0);
const im = new Float64Array(81); // the 27 images, Cartesian

function ensureScratch(n: number): void {
  if (f1.length >= 3 * n) return;
  f1 = new Float64Array(3 * n);
  f2 = new Float64Array(3 * n);
  c1 = new Float64Array(3 * n);
  c2 = new Float64Array(3 * n);
  w1 = new Float64Array(3 * n);
  w2 = new Float64Array(3 * n);
  d2 = new Float64Array(n * n);
  vecs = new Float64Array(3 * n * n);
  dist = new Float64Array(n);
  sol = new Int32Array(n);
}

/**
 * The s1 side of {@link cartDists}, shared by every anchor of one candidate lattice: s1 in LLL fractions, wrapped
 * and Cartesian, and the 27 images.
 */
function prepareS1(s1: Float64Array, n: number, lll: { matrix: Float64Array; inverseMapping: Float64Array }): void {
  ensureScratch(n);
  const M = lll.matrix;
  const P = lll.inverseMapping;
  for (let p = 0; p < n; p++) {
    const bx = s1[3 * p];
    const by = s1[3 * p + 1];
    const bz = s1[3 * p + 2];
    for (let c = 0; c < 3; c++) f2[3 * p + c] = bx * P[c] + by * P[3 + c] + bz * P[6 + c];
    const x0 = pyMod1(f2[3 * p]);
    const x1 = pyMod1(f2[3 * p + 1]);
    const x2 = pyMod1(f2[3 * p + 2]);
    w2[3 * p] = x0;
    w2[3 * p + 1] = x1;
    w2[3 * p + 2] = x2;
    for (let c = 0; c < 3; c++) c2[3 * p + c] = x0 * M[c] + x1 * M[3 + c] + x2 * M[6 + c];
  }
  for (let k = 0; k < 27; k++) {
    const a = IMAGES[3 * k];
    const b = IMAGES[3 * k + 1];
    const c = IMAGES[3 * k + 2];
    for (let d = 0; d < 3; d++) im[3 * k + d] = a * M[d] + b * M[3 + d] + c * M[6 + d];
  }
}

/**
 * pymatgen `_cart_dists`: shortest vectors from each s2 site to each s1 site on `avg` (LLL basis, 27 images,
 * pairs beyond `lllFtol` or of different species excluded), optimal assignment, mean translation removed.
 * The s1 side comes from {@link prepareS1}. Returns the normalised distances (n, a view on scratch that the next
 * call overwrites), or null when only excluded pairs can complete an assignment.
 */
function cartDists(
  s2: Float64Array,
  n: number,
  tx: number,
  ty: number,
  tz: number,
  lll: { matrix: Float64Array; inverseMapping: Float64Array },
  mask: Uint8Array,
  normalization: number,
  lllFtol: Float64Array,
  lllSpacing: Float64Array,
): Float64Array | null {
  const M = lll.matrix;
  const P = lll.inverseMapping;
  for (let p = 0; p < n; p++) {
    const ax = s2[3 * p] + tx;
    const ay = s2[3 * p + 1] + ty;
    const az = s2[3 * p + 2] + tz;
    for (let c = 0; c < 3; c++) f1[3 * p + c] = ax * P[c] + ay * P[3 + c] + az * P[6 + c];
    const u0 = pyMod1(f1[3 * p]);
    const u1 = pyMod1(f1[3 * p + 1]);
    const u2 = pyMod1(f1[3 * p + 2]);
    w1[3 * p] = u0;
    w1[3 * p + 1] = u1;
    w1[3 * p + 2] = u2;
    for (let c = 0; c < 3; c++) c1[3 * p + c] = u0 * M[c] + u1 * M[3 + c] + u2 * M[6 + c];
  }
  // A vector with LLL fractions w is at least |w_a|·h_a long (h_a the spacing of the lattice planes across axis
  // a), so an image whose bound exceeds the best squared length found so far cannot be the shortest; the bound is
  // loosened by 1e-9 so that rounding never skips a true minimum or tie.
  const h0 = lllSpacing[0] * (1 - 1e-9);
  const h1 = lllSpacing[1] * (1 - 1e-9);
  const h2 = lllSpacing[2] * (1 - 1e-9);
  const tol0 = lllFtol[0];
  const tol1 = lllFtol[1];
  const tol2 = lllFtol[2];
  for (let i = 0; i < n; i++) {
    const g0 = f1[3 * i];
    const g1 = f1[3 * i + 1];
    const g2 = f1[3 * i + 2];
    const qx = c1[3 * i];
    const qy = c1[3 * i + 1];
    const qz = c1[3 * i + 2];
    for (let j = 0; j < n; j++) {
      const e = i * n + j;
      if (mask[e] !== 0) {
        d2[e] = Number.POSITIVE_INFINITY;
        continue;
      }
      const fd0 = f2[3 * j] - g0;
      const fd1 = f2[3 * j + 1] - g1;
      const fd2 = f2[3 * j + 2] - g2;
      if (offInteger(fd0) > tol0 || offInteger(fd1) > tol1 || offInteger(fd2) > tol2) {
        d2[e] = Number.POSITIVE_INFINITY;
        continue;
      }
      const px = c2[3 * j] - qx;
      const py = c2[3 * j + 1] - qy;
      const pz = c2[3 * j + 2] - qz;
      // pymatgen takes the first of the 27 images (a outermost) with the smallest squared length: the same
      // (length, index) minimum is found here starting from the image that brings every fraction nearest zero,
      // then visiting only the slabs of images the plane-spacing bound cannot exclude.
      const v0 = w2[3 * j] - w1[3 * i];
      const v1 = w2[3 * j + 1] - w1[3 * i + 1];
      const v2 = w2[3 * j + 2] - w1[3 * i + 2];
      let bk = 3 * (9 * (1 - Math.round(v0)) + 3 * (1 - Math.round(v1)) + (1 - Math.round(v2)));
      let best: number;
      {
        const da = px + im[bk];
        const db = py + im[bk + 1];
        const dc = pz + im[bk + 2];
        best = da * da + db * db + dc * dc;
      }
      for (let a = 0; a < 3; a++) {
        const ea = (v0 + a - 1) * h0;
        if (ea * ea > best) continue;
        for (let b = 0; b < 3; b++) {
          const eb = (v1 + b - 1) * h1;
          if (eb * eb > best) continue;
          for (let c = 0; c < 3; c++) {
            const ec = (v2 + c - 1) * h2;
            if (ec * ec > best) continue;
            const k = 3 * (9 * a + 3 * b + c);
            const da = px + im[k];
            const db = py + im[k + 1];
            const dc = pz + im[k + 2];
            const d = da * da + db * db + dc * dc;
            if (d < best || (d === best && k < bk)) {
              best = d;
              bk = k;
            }
          }
        }
      }
      d2[e] = best;
      vecs[3 * e] = px + im[bk];
      vecs[3 * e + 1] = py + im[bk + 1];
      vecs[3 * e + 2] = pz + im[bk + 2];
    }
  }
  if (linearAssignment(d2, n, sol) === null) return null;
  let mx = 0;
  let my = 0;
  let mz = 0;
  for (let i = 0; i < n; i++) {
    const e = i * n + sol[i];
    mx += vecs[3 * e];
    my += vecs[3 * e + 1];
    mz += vecs[3 * e + 2];
  }
  mx /= n;
  my /= n;
  mz /= n;
  for (let i = 0; i < n; i++) {
    const e = i * n + sol[i];
    const x = vecs[3 * e] - mx;
    const y = vecs[3 * e + 1] - my;
    const z = vecs[3 * e + 2] - mz;
    dist[i] = Math.sqrt(x * x + y * y + z * z) * normalization;
  }
  return dist.length === n ? dist : dist.subarray(0, n);
}

/** pymatgen `_strict_match`: maps B (s2) onto A (s1) over every candidate lattice and anchor translation. */
function strictMatch(A: Cell, B: Cell, fu: number, s1Supercell: boolean, st: State): void {
  const { stol, ltol, angleTol } = st.opts;
  const nA = A.z.length;
  const nB = B.z.length;
  const nCols = s1Supercell ? nA * fu : nA;
  const nRows = s1Supercell ? nB : nB * fu;
  if (nRows !== nCols) return;
  const colZ = new Uint8Array(nCols);
  const rowZ = new Uint8Array(nRows);
  for (let j = 0; j < nCols; j++) colZ[j] = s1Supercell ? A.z[Math.floor(j / fu)] : A.z[j];
  for (let i = 0; i < nRows; i++) rowZ[i] = s1Supercell ? B.z[i] : B.z[Math.floor(i / fu)];
  // a species-preserving bijection must exist
  const count = new Map<number, number>();
  for (let j = 0; j < nCols; j++) count.set(colZ[j], (count.get(colZ[j]) ?? 0) + 1);
  for (let i = 0; i < nRows; i++) count.set(rowZ[i], (count.get(rowZ[i]) ?? 0) - 1);
  for (const c of count.values()) if (c !== 0) return;
  const n = nRows;
  const mask = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) mask[i * n + j] = rowZ[i] === colZ[j] ? 0 : 1;
  // anchor: the first s2 site of the rarest species; candidates: s1 sites of that species
  let i0 = 0;
  let bestCount = -1;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += mask[i * n + j];
    if (s > bestCount) {
      bestCount = s;
      i0 = i;
    }
  }
  let anchors: number[] = [];
  for (let j = 0; j < n; j++) if (mask[i0 * n + j] === 0) anchors.push(j);
  if (s1Supercell) anchors = anchors.filter((_, k) => k % fu === 0);

  const searched = s1Supercell ? A : B;
  const other = s1Supercell ? B : A;
  const tl = lengths(other.lattice);
  const ta = angles(other.lattice);
  const fracTol = new Float64Array(3);
  const lllFtol = new Float64Array(3);
  const lllSpacing = new Float64Array(3);
  const avgSpacing = new Float64Array(3);
  forEachLatticeMapping(searched.lattice, tl, ta, ltol, angleTol, (mp) => {
    if (!(Math.abs(Math.abs(determinant(mp.scale)) - fu) < 0.5)) return false;
    const aligned = mp.aligned; // read before the next mapping overwrites it
    const scFrac = fracInCandidate(searched, aligned, mp.scale, fu);
    const s1fc = s1Supercell ? scFrac : A.frac;
    const s2fc = s1Supercell ? B.frac : scFrac;
    const avg = averageLattice(aligned, other.lattice);
    const vol = Math.abs(determinant(avg));
    const normalization = (s1fc.length / 3 / vol) ** (1 / 3);
    const h = planeSpacings(avg, avgSpacing);
    // pymatgen: reciprocal_lattice.abc (with 2π) · stol / (π · normalization)
    for (let c = 0; c < 3; c++) fracTol[c] = ((2 * Math.PI) / h[c]) * (stol / (Math.PI * normalization));
    let lll: { matrix: Float64Array; inverseMapping: Float64Array } | null = null;
    for (const s1i of anchors) {
      const tx = s1fc[3 * s1i] - s2fc[3 * i0];
      const ty = s1fc[3 * s1i + 1] - s2fc[3 * i0 + 1];
      const tz = s1fc[3 * s1i + 2] - s2fc[3 * i0 + 2];
      if (!isSubset(s2fc, s1fc, tx, ty, tz, fracTol, mask, n)) continue;
      if (lll === null) {
        const r = lllPymatgen(avg);
        const inv = invert(new Float64Array(9), r.mapping) ?? r.mapping;
        lll = { matrix: r.matrix, inverseMapping: inv };
        const hl = planeSpacings(r.matrix, lllSpacing);
        for (let c = 0; c < 3; c++) lllFtol[c] = ((2 * Math.PI) / hl[c]) * (stol / (Math.PI * normalization));
        prepareS1(s1fc, n, lll);
      }
      const dist = cartDists(s2fc, n, tx, ty, tz, lll, mask, normalization, lllFtol, lllSpacing);
      if (dist === null) continue;
      let sq = 0;
      let mxd = 0;
      for (let i = 0; i < dist.length; i++) {
        sq += dist[i] * dist[i];
        if (dist[i] > mxd) mxd = dist[i];
      }
      const rms = Math.sqrt(sq) / Math.sqrt(dist.length);
      if (mxd < stol) st.fit = true;
      if (st.wantRms) {
        if (st.best === null || rms < st.best.rms) st.best = { rms, dist: dist.slice() };
        if (rms < 1e-5 && rms < stol) st.done = true;
      }
      if (st.done || (!st.wantRms && st.fit)) {
        st.done = true;
        return true;
      }
    }
    return false;
  });
}

/** pymatgen `is_coord_subset_pbc(s2 + t, s1, fracTol, mask)`: every s2 site has a same-species s1 site within fracTol. */
function isSubset(
  s2: Float64Array,
  s1: Float64Array,
  tx: number,
  ty: number,
  tz: number,
  tol: Float64Array,
  mask: Uint8Array,
  n: number,
): boolean {
  const t0 = tol[0];
  const t1 = tol[1];
  const t2 = tol[2];
  for (let i = 0; i < n; i++) {
    const x = s2[3 * i] + tx;
    const y = s2[3 * i + 1] + ty;
    const z = s2[3 * i + 2] + tz;
    let ok = false;
    for (let j = 0; j < n && !ok; j++) {
      if (mask[i * n + j]) continue;
      if (offInteger(x - s1[3 * j]) > t0) continue;
      if (offInteger(y - s1[3 * j + 1]) > t1) continue;
      if (offInteger(z - s1[3 * j + 2]) > t2) continue;
      ok = true;
    }
    if (!ok) return false;
  }
  return true;
}

/** Two crystals as pymatgen's `_preprocess` leaves them: reduced cells, supercell size and side, volume-scaled cells. */
export interface Preprocessed {
  /** The reduced cells before scaling. */
  readonly r1: Cell;
  readonly r2: Cell;
  /** The reduced cells scaled to equal volume per formula unit (when `scale`). */
  readonly c1: Cell;
  readonly c2: Cell;
  /** Supercell size, and whether it applies to the first structure. */
  readonly fu: number;
  readonly s1Supercell: boolean;
  /** `fu` when the first structure is the supercell, else 1 / `fu`. */
  readonly mult: number;
}

/** pymatgen `_preprocess`: reduced cells, supercell size (Python's half-to-even round), volume scaling. @internal */
export function preprocessPair(a: Crystal, b: Crystal, opts: Resolved): Preprocessed {
  const r1 = reducedCell(toCell(a), opts.primitiveCell);
  const r2 = reducedCell(toCell(b), opts.primitiveCell);
  let fu = 1;
  let s1Supercell = true;
  if (opts.attemptSupercell) {
    const f = r2.z.length / r1.z.length;
    // Python's round() is half-to-even: round(2.5) = 2
    if (f < 2 / 3) {
      fu = roundHalfEven(1 / f);
      s1Supercell = false;
    } else {
      fu = roundHalfEven(f);
    }
  }
  const mult = s1Supercell ? fu : 1 / fu;
  let c1 = r1;
  let c2 = r2;
  if (opts.scale) {
    const v1 = Math.abs(determinant(r1.lattice));
    const v2 = Math.abs(determinant(r2.lattice));
    const ratio = (v2 / (v1 * mult)) ** (1 / 6);
    c1 = { ...r1, lattice: r1.lattice.map((x) => x * ratio) };
    c2 = { ...r2, lattice: r2.lattice.map((x) => x / ratio) };
  }
  return { r1, r2, c1, c2, fu, s1Supercell, mult };
}

/** Reduced cells plus pymatgen `_preprocess` (supercell size, volume scaling) and `_match` (which side is larger). */
function runMatcher(a: Crystal, b: Crystal, opts: Resolved, wantFit: boolean, wantRms: boolean): State {
  const st: State = { opts, wantFit, wantRms, fit: false, best: null, done: false };
  const { c1, c2, fu, s1Supercell, mult } = preprocessPair(a, b, opts);
  if (c1.z.length * mult >= c2.z.length) strictMatch(c1, c2, fu, s1Supercell, st);
  else strictMatch(c2, c1, fu, !s1Supercell, st);
  if (st.best !== null && !(st.best.rms < opts.stol)) st.best = null;
  return st;
}

/**
 * Whether two crystals are the same structure, with pymatgen `StructureMatcher` semantics: both are Niggli- and
 * (by default) primitive-reduced and scaled to equal volume; every lattice of `a` whose vectors lie within
 * `ltol` / `angleTol` of `b`'s reduced cell is tried with every anchor translation; sites are assigned species by
 * species (Hungarian on minimum-image squared distances) and the mean displacement removed. `match` is
 * `fit(a, b)` (every site within stol); `rms` and `maxDist` are `get_rms_dist(a, b)` (normalised by (V/N)^⅓), null
 * when no mapping has RMS < stol. A match rate comparable with the field's counts `rms !== null` (as
 * {@link rmsDistance} and `reconstructionMetrics` do), not `match`.
 *
 * @example
 * const { match, rms } = matchStructures(a, b); // pymatgen defaults
 * const field = matchStructures(pred, truth, FIELD_MATCHER_OPTIONS); // stol 0.5, ltol 0.3, angleTol 10
 */
export function matchStructures(a: Crystal, b: Crystal, options?: MatcherOptions): MatchResult {
  const fn = 'matchStructures';
  assertCrystal(fn, 'a', a);
  assertCrystal(fn, 'b', b);
  const opts = resolve(fn, options);
  if (reducedKey(a.atomicNumbers) !== reducedKey(b.atomicNumbers)) return { match: false, rms: null, maxDist: null };
  const st = runMatcher(a, b, opts, true, true);
  if (st.best === null) return { match: st.fit, rms: null, maxDist: null };
  let mx = 0;
  for (let i = 0; i < st.best.dist.length; i++) if (st.best.dist[i] > mx) mx = st.best.dist[i];
  return { match: st.fit, rms: st.best.rms, maxDist: mx };
}

/**
 * pymatgen `StructureMatcher.get_rms_dist(a, b)`: the smallest normalised RMS displacement over all mappings and
 * the largest displacement of that mapping, or null when no mapping has RMS < stol. This is what the CDVAE /
 * DiffCSP match rate counts.
 *
 * @example
 * const d = rmsDistance(pred, truth, FIELD_MATCHER_OPTIONS); // { rms, maxDist } or null
 */
export function rmsDistance(a: Crystal, b: Crystal, options?: MatcherOptions): { rms: number; maxDist: number } | null {
  const fn = 'rmsDistance';
  assertCrystal(fn, 'a', a);
  assertCrystal(fn, 'b', b);
  const opts = resolve(fn, options);
  const st = runMatcher(a, b, opts, false, true);
  if (st.best === null) return null;
  let mx = 0;
  for (let i = 0; i < st.best.dist.length; i++) if (st.best.dist[i] > mx) mx = st.best.dist[i];
  return { rms: st.best.rms, maxDist: mx };
}

/**
 * pymatgen `StructureMatcher.fit(a, b)` alone (stops at the first mapping with every site within stol).
 *
 * @example
 * if (structuresMatch(a, b)) console.log('same structure');
 */
export function structuresMatch(a: Crystal, b: Crystal, options?: MatcherOptions): boolean {
  const fn = 'structuresMatch';
  assertCrystal(fn, 'a', a);
  assertCrystal(fn, 'b', b);
  const opts = resolve(fn, options);
  if (reducedKey(a.atomicNumbers) !== reducedKey(b.atomicNumbers)) return false;
  return runMatcher(a, b, opts, true, false).fit;
}
