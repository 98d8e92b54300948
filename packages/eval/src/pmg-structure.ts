/**
 * Structure reductions ported from pymatgen (src/pymatgen/core/structure.py, v2022.11):
 * `get_reduced_structure("niggli")` and `get_primitive_structure(tolerance = 0.25)`, the two steps of
 * StructureMatcher's `_get_reduced_structure`. Site order follows pymatgen (the primitive search sorts sites by
 * element symbol), because the matcher's choice of anchor site depends on it. Internal kernels: no validation.
 */
import { determinant, ELEMENT_SYMBOLS, invert, type Mat3Like } from '@crys/lattice';
import { lengths, niggliPymatgen, reexpress } from './pmg-lattice.js';

/** A plain ordered structure: lattice rows (9), fractional coordinates (3·n), atomic numbers (n). */
export interface Cell {
  readonly lattice: Float64Array;
  readonly frac: Float64Array;
  readonly z: Uint8Array;
}

function allClose(a: Mat3Like, b: Mat3Like): boolean {
  for (let i = 0; i < 9; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-8 + 1e-5 * Math.abs(b[i]))) return false;
  return true;
}

function mod1(x: number): number {
  const r = x - Math.floor(x);
  return r >= 1 ? 0 : r;
}

/** pymatgen `Structure.get_reduced_structure("niggli")`: same sites in the Niggli cell, wrapped into [0, 1). */
export function niggliCell(cell: Cell): Cell {
  const reduced = niggliPymatgen(cell.lattice);
  if (reduced === null || allClose(reduced, cell.lattice)) {
    return { lattice: Float64Array.from(cell.lattice), frac: Float64Array.from(cell.frac), z: Uint8Array.from(cell.z) };
  }
  const frac = reexpress(cell.frac, cell.lattice, reduced);
  if (frac === null) return cell;
  for (let i = 0; i < frac.length; i++) frac[i] = mod1(frac[i]);
  return { lattice: reduced, frac, z: Uint8Array.from(cell.z) };
}

/** |x − round(x)| */
function wrapAbs(x: number): number {
  return Math.abs(x - roundNp(x));
}

/** numpy's round (half to even); only its value near ±½ could differ from Math.round. */
function roundNp(x: number): number {
  const r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

function* factors(n: number): Generator<number> {
  for (let i = 1; i <= n; i++) if (n % i === 0) yield i;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Points of the periodic unit cube (fractional coordinates of any size, taken modulo 1) in bins at least `width`
 * wide along each axis, so that every point within `width` of a query (per axis, modulo 1) is in the query's bin or
 * a neighbouring one. The caller still applies its exact test to each candidate: the bins only skip far points.
 */
class PeriodicBins {
  private readonly nb: Int32Array;
  private readonly start: Int32Array;
  private readonly items: Int32Array;
  private readonly near: Int32Array[] = [];

  constructor(coords: ArrayLike<number>, width: ArrayLike<number>) {
    const m = coords.length / 3;
    const cap = Math.max(1, Math.ceil(2 * Math.cbrt(m)));
    this.nb = new Int32Array(3);
    for (let c = 0; c < 3; c++) {
      // a margin for the rounding of coordinates of a few thousand (fractional coordinates times a supercell matrix)
      const w = width[c] * (1 + 1e-6) + 1e-9;
      this.nb[c] = Math.max(1, Math.min(cap, Math.floor(1 / w)));
    }
    const [n0, n1, n2] = this.nb;
    const count = new Int32Array(n0 * n1 * n2 + 1);
    const bin = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      bin[i] = this.binOf(coords[3 * i], coords[3 * i + 1], coords[3 * i + 2]);
      count[bin[i] + 1]++;
    }
    for (let b = 1; b < count.length; b++) count[b] += count[b - 1];
    this.start = count;
    this.items = new Int32Array(m);
    const fill = count.slice(0, -1);
    for (let i = 0; i < m; i++) this.items[fill[bin[i]]++] = i; // ascending within each bin
    for (let c = 0; c < 3; c++) this.near.push(new Int32Array(3));
  }

  private axisBin(x: number, c: number): number {
    const r = x - Math.floor(x);
    const b = Math.floor(r * this.nb[c]);
    return b >= this.nb[c] ? this.nb[c] - 1 : b < 0 ? 0 : b;
  }

  private binOf(x: number, y: number, z: number): number {
    return (this.axisBin(x, 0) * this.nb[1] + this.axisBin(y, 1)) * this.nb[2] + this.axisBin(z, 2);
  }

  /** The distinct bins next to `b` (itself included) on axis c, written to near[c]; returns how many. */
  private neighbours(b: number, c: number): number {
    const n = this.nb[c];
    const out = this.near[c];
    if (n <= 3) {
      for (let k = 0; k < n; k++) out[k] = k;
      return n;
    }
    out[0] = b === 0 ? n - 1 : b - 1;
    out[1] = b;
    out[2] = b === n - 1 ? 0 : b + 1;
    return 3;
  }

  /** Calls `visit(i)` on each point near (x, y, z) until one returns true; says whether one did. */
  some(x: number, y: number, z: number, visit: (i: number) => boolean): boolean {
    const k0 = this.neighbours(this.axisBin(x, 0), 0);
    const k1 = this.neighbours(this.axisBin(y, 1), 1);
    const k2 = this.neighbours(this.axisBin(z, 2), 2);
    const [near0, near1, near2] = this.near;
    const n1 = this.nb[1];
    const n2 = this.nb[2];
    for (let p = 0; p < k0; p++) {
      for (let q = 0; q < k1; q++) {
        const row = (near0[p] * n1 + near1[q]) * n2;
        for (let r = 0; r < k2; r++) {
          const b = row + near2[r];
          for (let s = this.start[b]; s < this.start[b + 1]; s++) if (visit(this.items[s])) return true;
        }
      }
    }
    return false;
  }

  /** Every point near (x, y, z) that passes `keep`, ascending. */
  collect(x: number, y: number, z: number, keep: (i: number) => boolean): number[] {
    const out: number[] = [];
    this.some(x, y, z, (i) => {
      if (keep(i)) out.push(i);
      return false;
    });
    return out.sort((a, b) => a - b);
  }
}

/**
 * pymatgen's `get_primitive_structure(tolerance)` (without site properties or lattice constraints): searches
 * Hermite-normal-form supercell matrices for a smaller cell whose sites map onto each other within `tolerance`
 * Å, averages each group of equivalent sites, recurses, and Niggli-reduces the result. Returns the input (same
 * object) when no smaller cell exists.
 *
 * The result is pymatgen's, but the work is not quadratic: pymatgen filters every candidate translation against
 * every pair of sites and builds n × n site tables; here a translation is checked only when a candidate matrix asks
 * for it (each site's image found through {@link PeriodicBins}), and the tables hold only the pairs that are close.
 */
export function primitiveCell(cell: Cell, tolerance = 0.25): Cell {
  const n = cell.z.length;
  // stable sort by species string
  const idx = Array.from({ length: n }, (_, i) => i).sort((p, q) => {
    const a = ELEMENT_SYMBOLS[cell.z[p]];
    const b = ELEMENT_SYMBOLS[cell.z[q]];
    return a < b ? -1 : a > b ? 1 : p - q;
  });
  const groups: number[][] = [];
  for (const i of idx) {
    const last = groups[groups.length - 1];
    if (last && cell.z[last[0]] === cell.z[i]) last.push(i);
    else groups.push([i]);
  }
  const gFrac: Float64Array[] = groups.map((g) => {
    const f = new Float64Array(3 * g.length);
    for (let p = 0; p < g.length; p++) for (let c = 0; c < 3; c++) f[3 * p + c] = cell.frac[3 * g[p] + c];
    return f;
  });
  let numFu = 0;
  for (const g of groups) numFu = gcd(numFu, g.length);
  if (numFu <= 1) return cell;
  const abc = lengths(cell.lattice);
  const superFtol = [tolerance / abc[0], tolerance / abc[1], tolerance / abc[2]];
  const twiceFtol = superFtol.map((t) => 2 * t);
  const site: Sites = { groups, gFrac, twiceFtol, bins: gFrac.map((f) => new PeriodicBins(f, twiceFtol)) };
  const translations = new Translations(site, superFtol);
  // pymatgen's test (every row of M⁻¹ close to a translation), preceded by the same test with a little slack on
  // closed forms of the rows (M is upper triangular), which skips whole ranges of (b, c, f) without inverting M
  const slack = superFtol.map((t) => t + 1e-9);
  const M = new Float64Array(9);
  const invM = new Float64Array(9);
  for (const det of factors(numFu)) {
    if (det === 1) continue;
    for (const a of factors(det)) {
      for (const e of factors(det / a)) {
        const gg = det / a / e;
        if (!translations.near(0, 0, 1 / gg, slack)) continue;
        const okF = new Uint8Array(e);
        let anyF = false;
        for (let f = 0; f < e; f++) {
          okF[f] = translations.near(0, 1 / e, -f / (e * gg), slack) ? 1 : 0;
          anyF ||= okF[f] === 1;
        }
        if (!anyF) continue;
        // (b, c, f) in pymatgen's order: all a²·e of them, or, when the tolerance is small, only those whose first
        // row of M⁻¹ lies near a translation (found from the translations, sorted into the same order)
        const triples = rowZeroCandidates(translations, a, e, gg, okF, slack);
        const count = triples ? triples.length / 3 : a * a * e;
        for (let t = 0; t < count; t++) {
          const b = triples ? triples[3 * t] : Math.floor(t / (a * e));
          const c = triples ? triples[3 * t + 1] : Math.floor(t / e) % a;
          const f = triples ? triples[3 * t + 2] : t % e;
          if (!okF[f] || !translations.near(1 / a, -b / (a * e), (b * f - c * e) / (a * e * gg), slack)) continue;
          M.set([a, b, c, 0, e, f, 0, 0, gg]);
          if (!invert(invM, M)) continue;
          if (
            !translations.near(invM[0], invM[1], invM[2], superFtol) ||
            !translations.near(invM[3], invM[4], invM[5], superFtol) ||
            !translations.near(invM[6], invM[7], invM[8], superFtol)
          ) {
            continue;
          }
          const result = tryPrimitive(cell, site, M, invM, det, tolerance);
          if (result) return niggliCell(primitiveCell(result, tolerance));
        }
      }
    }
  }
  return cell;
}

/**
 * The (b, c, f) of the matrices [[a, b, c], [0, e, f], [0, 0, g]] whose first row of M⁻¹, (1/a, −b/(ae),
 * (bf − ce)/(aeg)), may lie within `slack` of a translation, as flat triples in pymatgen's loop order (b, then c, then
 * f); null when the tolerance is too wide for this (then every triple is tried). A superset of the triples that pass
 * {@link Translations.near}: each is still tested.
 */
function rowZeroCandidates(
  translations: Translations,
  a: number,
  e: number,
  g: number,
  okF: Uint8Array,
  slack: number[],
): Float64Array | null {
  if (slack[1] >= 0.25 || slack[2] >= 0.25 || a * a * e < 64) return null;
  const found = new Set<number>();
  const ae = a * e;
  const ag = a * g;
  // integers n in [0, size) with n / scale within tol of target modulo 1
  const near = (target: number, scale: number, tol: number, size: number, visit: (n: number) => void) => {
    const t = target - Math.floor(target);
    for (let k = -1; k <= 1; k++) {
      const lo = Math.max(0, Math.ceil((t + k - tol) * scale - 1e-6));
      const hi = Math.min(size - 1, Math.floor((t + k + tol) * scale + 1e-6));
      for (let n = lo; n <= hi; n++) visit(n);
    }
  };
  for (const v of translations.keptNearX(1 / a, slack[0])) {
    for (let f = 0; f < e; f++) {
      if (!okF[f]) continue;
      // −b/(ae) ≡ v₁, then c/(ag) ≡ bf/(aeg) − v₂ (mod 1)
      near(-v[1], ae, slack[1], a, (b) => {
        near((b * f) / (ae * g) - v[2], ag, slack[2], a, (c) => {
          found.add((b * a + c) * e + f);
        });
      });
    }
  }
  const keys = Float64Array.from(found).sort();
  const out = new Float64Array(3 * keys.length);
  keys.forEach((key, i) => {
    out[3 * i] = Math.floor(key / (a * e));
    out[3 * i + 1] = Math.floor(key / e) % a;
    out[3 * i + 2] = key % e;
  });
  return out;
}

/** The sites of a cell by species (pymatgen's order) and their bins at twice the fractional tolerance. */
interface Sites {
  readonly groups: number[][];
  readonly gFrac: Float64Array[];
  readonly twiceFtol: number[];
  readonly bins: PeriodicBins[];
}

/**
 * pymatgen's `min_vecs`: the differences from the first site of the smallest species group to each site of that
 * group, kept when they map every site of every group onto a site of its group within twice the tolerance. Each
 * candidate is checked on first use (most are never asked about) and the verdict remembered.
 */
class Translations {
  private readonly vecs: Float64Array;
  private readonly bins: PeriodicBins;
  private readonly verdict: Int8Array;
  private readonly sites: Sites;
  private readonly bySize: number[];

  constructor(sites: Sites, superFtol: number[]) {
    const { groups, gFrac } = sites;
    let gmin = 0;
    for (let g = 1; g < groups.length; g++) if (groups[g].length < groups[gmin].length) gmin = g;
    const fm = gFrac[gmin];
    const k = groups[gmin].length;
    this.vecs = new Float64Array(3 * k);
    for (let p = 0; p < k; p++) for (let c = 0; c < 3; c++) this.vecs[3 * p + c] = fm[3 * p + c] - fm[c];
    this.bins = new PeriodicBins(
      this.vecs,
      superFtol.map((t) => t + 1e-9),
    );
    this.verdict = new Int8Array(k);
    this.sites = sites;
    this.bySize = groups.map((_, g) => g).sort((a, b) => groups[a].length - groups[b].length || a - b);
  }

  /** Is some translation within `tol` (per fractional axis, modulo 1) of (x, y, z)? */
  near(x: number, y: number, z: number, tol: ArrayLike<number>): boolean {
    const v = this.vecs;
    return this.bins.some(
      x,
      y,
      z,
      (p) =>
        wrapAbs(x - v[3 * p]) < tol[0] &&
        wrapAbs(y - v[3 * p + 1]) < tol[1] &&
        wrapAbs(z - v[3 * p + 2]) < tol[2] &&
        this.kept(p),
    );
  }

  /** The translations whose first coordinate is within `tol` of x (modulo 1), as [x, y, z] each. */
  keptNearX(x: number, tol: number): number[][] {
    const v = this.vecs;
    const out: number[][] = [];
    for (let p = 0; p < this.verdict.length; p++) {
      if (wrapAbs(x - v[3 * p]) < tol && this.kept(p)) out.push([v[3 * p], v[3 * p + 1], v[3 * p + 2]]);
    }
    return out;
  }

  private kept(p: number): boolean {
    if (this.verdict[p] === 0) this.verdict[p] = this.mapsEverySite(p) ? 1 : -1;
    return this.verdict[p] === 1;
  }

  private mapsEverySite(p: number): boolean {
    const v0 = this.vecs[3 * p];
    const v1 = this.vecs[3 * p + 1];
    const v2 = this.vecs[3 * p + 2];
    const { gFrac, twiceFtol: t, bins } = this.sites;
    for (const g of this.bySize) {
      const f = gFrac[g];
      const m = f.length / 3;
      for (let s = 0; s < m; s++) {
        const s0 = f[3 * s];
        const s1 = f[3 * s + 1];
        const s2 = f[3 * s + 2];
        const hit = bins[g].some(
          s0 + v0,
          s1 + v1,
          s2 + v2,
          (u) =>
            wrapAbs(v0 - (f[3 * u] - s0)) < t[0] &&
            wrapAbs(v1 - (f[3 * u + 1] - s1)) < t[1] &&
            wrapAbs(v2 - (f[3 * u + 2] - s2)) < t[2],
        );
        if (!hit) return false;
      }
    }
    return true;
  }
}

function tryPrimitive(
  cell: Cell,
  site: Sites,
  M: Float64Array,
  invM: Float64Array,
  size: number,
  tolerance: number,
): Cell | null {
  const { groups, gFrac, twiceFtol } = site;
  // new lattice = M⁻¹ · L
  const L = cell.lattice;
  const newL = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++)
      newL[3 * i + j] = invM[3 * i] * L[j] + invM[3 * i + 1] * L[3 + j] + invM[3 * i + 2] * L[6 + j];
  }
  const nl = lengths(newL);
  const ftol = [tolerance / nl[0], tolerance / nl[1], tolerance / nl[2]];
  const newFrac: number[] = [];
  const newZ: number[] = [];
  for (let gi = 0; gi < groups.length; gi++) {
    const m = groups[gi].length;
    const f = gFrac[gi];
    const all = new Float64Array(3 * m);
    for (let p = 0; p < m; p++) {
      const x = f[3 * p];
      const y = f[3 * p + 1];
      const z = f[3 * p + 2];
      for (let c = 0; c < 3; c++) all[3 * p + c] = x * M[c] + y * M[3 + c] + z * M[6 + c];
    }
    const bins = new PeriodicBins(all, ftol);
    // column j of pymatgen's m × m table: the sites i close to j in the new cell that are not j's neighbours in the
    // old one (a site may not match its own neighbour); every column must hold `size` sites
    const cols: number[][] = [];
    for (let j = 0; j < m; j++) {
      const col = bins.collect(all[3 * j], all[3 * j + 1], all[3 * j + 2], (i) => {
        for (let c = 0; c < 3; c++) if (!(wrapAbs(all[3 * j + c] - all[3 * i + c]) < ftol[c])) return false;
        if (i === j) return true;
        for (let c = 0; c < 3; c++) if (wrapAbs(f[3 * j + c] - f[3 * i + c]) > twiceFtol[c]) return true;
        return false;
      });
      if (col.length !== size) return null;
      cols.push(col);
    }
    // every group is a clique: the table is symmetric and every column has `size` sites, so each site's column
    // must equal the column of every site in it
    const owner = new Int32Array(m).fill(-1);
    for (let r = 0; r < m; r++) {
      if (owner[r] >= 0) continue;
      const R = cols[r];
      for (const i of R) {
        if (owner[i] >= 0) return null;
        const I = cols[i];
        for (let q = 0; q < size; q++) if (I[q] !== R[q]) return null;
        owner[i] = r;
      }
    }
    const added = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      if (added[i]) continue;
      const inds = cols[i];
      for (const j of inds) added[j] = 1;
      const c0 = [mod1Np(all[3 * inds[0]]), mod1Np(all[3 * inds[0] + 1]), mod1Np(all[3 * inds[0] + 2])];
      for (let q = 1; q < inds.length; q++) {
        const j = inds[q];
        for (let c = 0; c < 3; c++) {
          const off = mod1Np(all[3 * j + c]) - c0[c];
          c0[c] += (off - roundNp(off)) / (q + 1);
        }
      }
      newFrac.push(c0[0], c0[1], c0[2]);
      newZ.push(cell.z[groups[gi][0]]);
    }
  }
  if (Math.abs(determinant(newL)) === 0) return null;
  return { lattice: newL, frac: Float64Array.from(newFrac), z: Uint8Array.from(newZ) };
}

/** numpy's `x % 1` */
function mod1Np(x: number): number {
  const v = x % 1;
  return v < 0 ? v + 1 : v;
}

/** StructureMatcher's `_get_reduced_structure`: Niggli cell, then (optionally) the primitive cell. */
export function reducedCell(cell: Cell, primitive: boolean): Cell {
  const nig = niggliCell(cell);
  return primitive ? primitiveCell(nig) : nig;
}
