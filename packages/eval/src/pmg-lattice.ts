/**
 * Lattice routines ported from pymatgen (src/pymatgen/core/lattice.py, v2022.11) so that the structure matcher
 * reduces and enumerates cells exactly as pymatgen does: its LLL (`_calculate_lll`, δ = 0.75, Python's
 * round-half-even), its Niggli reduction (`get_niggli_reduced_lattice`, Grosse-Kunstleve et al. 2004 with
 * tolerance 1e-5·V^⅓ and the final `find_mapping`), `find_all_mappings`, `from_parameters` and `angles`.
 * Internal: these are kernels (no validation); @crys/lattice's `niggliReduce` / `lllReduce` are the public ones.
 *
 * Legend: L is row-major 3×3 (row i = lattice vector i); "frac" rows are integer coordinates of lattice points.
 */
import { determinant, invert, type Mat3, type Mat3Like } from '@crys/lattice';

const DEG = 180 / Math.PI;

/** Python's round(): half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/** C's round(): half away from zero (as used in pymatgen's Cython kernels). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function dot3(a: ArrayLike<number>, ia: number, b: ArrayLike<number>, ib: number): number {
  return a[ia] * b[ib] + a[ia + 1] * b[ib + 1] + a[ia + 2] * b[ib + 2];
}

/** LLL-reduced basis and the integer mapping (reduced = mapping · L), as pymatgen's `_calculate_lll`. */
export function lllPymatgen(lattice: Mat3Like, delta = 0.75): { matrix: Float64Array; mapping: Float64Array } {
  const a = Float64Array.from(lattice); // rows are the working vectors
  const mp = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const b = new Float64Array(9); // Gram–Schmidt vectors (rows)
  const u = new Float64Array(9); // u[3i+j] Gram–Schmidt coefficients
  const m = new Float64Array(3); // |b_i|²
  const gs = (s: number): void => {
    // u[s, 0:s] = a_s · b_j / m_j ; b_s = a_s − Σ u[s,j] b_j ; m_s = |b_s|²
    for (let j = 0; j < s; j++) u[3 * s + j] = dot3(a, 3 * s, b, 3 * j) / m[j];
    for (let c = 0; c < 3; c++) {
      let v = a[3 * s + c];
      for (let j = 0; j < s; j++) v -= u[3 * s + j] * b[3 * j + c];
      b[3 * s + c] = v;
    }
    m[s] = dot3(b, 3 * s, b, 3 * s);
  };
  for (let c = 0; c < 3; c++) b[c] = a[c];
  m[0] = dot3(b, 0, b, 0);
  gs(1);
  gs(2);
  let k = 2;
  let guard = 0;
  while (k <= 3 && guard++ < 10000) {
    for (let i = k - 1; i >= 1; i--) {
      const q = roundHalfEven(u[3 * (k - 1) + (i - 1)]);
      if (q !== 0) {
        for (let c = 0; c < 3; c++) {
          a[3 * (k - 1) + c] -= q * a[3 * (i - 1) + c];
          mp[3 * (k - 1) + c] -= q * mp[3 * (i - 1) + c];
        }
        // u[k-1, 0:i] -= q · [u[i-1, 0:i-1]..., 1]
        for (let j = 0; j < i - 1; j++) u[3 * (k - 1) + j] -= q * u[3 * (i - 1) + j];
        u[3 * (k - 1) + (i - 1)] -= q;
      }
    }
    const lhs = dot3(b, 3 * (k - 1), b, 3 * (k - 1));
    const ukk = u[3 * (k - 1) + (k - 2)];
    if (lhs >= (delta - Math.abs(ukk) ** 2) * dot3(b, 3 * (k - 2), b, 3 * (k - 2))) {
      k++;
    } else {
      for (let c = 0; c < 3; c++) {
        const v = a[3 * (k - 1) + c];
        a[3 * (k - 1) + c] = a[3 * (k - 2) + c];
        a[3 * (k - 2) + c] = v;
        const w = mp[3 * (k - 1) + c];
        mp[3 * (k - 1) + c] = mp[3 * (k - 2) + c];
        mp[3 * (k - 2) + c] = w;
      }
      gs(k - 2);
      gs(k - 1);
      if (k > 2) {
        k--;
      } else {
        // u[k:3, k-2:k] = a_r · b_c / m_c
        for (let r = k; r < 3; r++) {
          for (let c = k - 2; c < k; c++) u[3 * r + c] = dot3(a, 3 * r, b, 3 * c) / m[c];
        }
      }
    }
  }
  return { matrix: a, mapping: mp };
}

/** Lengths of the three rows. */
export function lengths(l: Mat3Like, out = new Float64Array(3)): Float64Array {
  out[0] = Math.hypot(l[0], l[1], l[2]);
  out[1] = Math.hypot(l[3], l[4], l[5]);
  out[2] = Math.hypot(l[6], l[7], l[8]);
  return out;
}

function capUnit(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}

/** (α, β, γ) in degrees as pymatgen's `Lattice.angles`. */
export function angles(l: Mat3Like, out = new Float64Array(3)): Float64Array {
  const len = lengths(l);
  for (let i = 0; i < 3; i++) {
    const j = (i + 1) % 3;
    const k = (i + 2) % 3;
    out[i] = Math.acos(capUnit(dot3(l, 3 * j, l, 3 * k) / (len[j] * len[k]))) * DEG;
  }
  return out;
}

/** pymatgen's `Lattice.from_parameters` (c along z), degrees. No validation. */
export function fromParameters(
  a: number,
  b: number,
  c: number,
  alpha: number,
  beta: number,
  gamma: number,
  out: Mat3 = new Float64Array(9),
): Mat3 {
  const ar = alpha / DEG;
  const br = beta / DEG;
  const gr = gamma / DEG;
  const ca = Math.cos(ar);
  const cb = Math.cos(br);
  const cg = Math.cos(gr);
  const sa = Math.sin(ar);
  const sb = Math.sin(br);
  const val = capUnit((ca * cb - cg) / (sa * sb));
  const gStar = Math.acos(val);
  out[0] = a * sb;
  out[1] = 0;
  out[2] = a * cb;
  out[3] = -b * sa * Math.cos(gStar);
  out[4] = b * sa * Math.sin(gStar);
  out[5] = b * ca;
  out[6] = 0;
  out[7] = 0;
  out[8] = c;
  return out;
}

// Scratch of latticePointsInSphere, grown as needed.
let sphereCube = new Int32Array(256);
let sphereInt = new Int32Array(3 * 256);
let sphereCart = new Float64Array(3 * 256);
let sphereD2 = new Float64Array(256);

function growSphereScratch(): void {
  const cap = 2 * sphereCube.length;
  const cube = new Int32Array(cap);
  const int = new Int32Array(3 * cap);
  const cart = new Float64Array(3 * cap);
  const d2 = new Float64Array(cap);
  cube.set(sphereCube);
  int.set(sphereInt);
  cart.set(sphereCart);
  d2.set(sphereD2);
  sphereCube = cube;
  sphereInt = int;
  sphereCart = cart;
  sphereD2 = d2;
}

/**
 * All lattice points n·L (n ∈ Z³) with |n·L| < r, as integer coordinates (3·k), Cartesian vectors (3·k) and
 * lengths, in the order of pymatgen's `get_points_in_sphere([[0,0,0]], [0,0,0], r)`. That order decides which
 * triple `find_mapping` returns first (the last step of the Niggli reduction), so it is reproduced exactly: pymatgen's
 * `find_points_in_spheres` (optimization/neighbors.pyx) takes r as a C float, lists the images i, j, k (ascending)
 * inside the box ±(r + 1e-8), keeps d² < r² + 1e-8, files them in cubes of edge r (a linked list per cube, so the
 * last filed comes first), and visits the 27 cubes around the origin in (x, y, z) order.
 */
export function latticePointsInSphere(
  l: Mat3Like,
  r: number,
): { frac: Float64Array; cart: Float64Array; dist: Float64Array } {
  const tol = 1e-8;
  const rf = Math.fround(r);
  const r2 = Math.fround(rf * rf);
  const lo = -rf - tol;
  const hi = rf + tol;
  const inv = invert(new Float64Array(9), l);
  const bound = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    // |reciprocal vector c| / 2π = |column c of L⁻¹|
    const len = inv ? Math.hypot(inv[c], inv[3 + c], inv[6 + c]) : 0;
    bound[c] = Math.ceil((rf + 0.15) * len);
  }
  // candidates filed in typed scratch (no per-point objects): cube, integer coordinates, Cartesian vector, d²
  let count = 0;
  for (let i = -bound[0] - 1; i <= bound[0]; i++) {
    for (let j = -bound[1] - 1; j <= bound[1]; j++) {
      for (let k = -bound[2] - 1; k <= bound[2]; k++) {
        const x0 = i * l[0] + j * l[3] + k * l[6] + 0;
        const x1 = i * l[1] + j * l[4] + k * l[7] + 0;
        const x2 = i * l[2] + j * l[5] + k * l[8] + 0;
        if (!(x0 > lo && x0 < hi) || !(x1 > lo && x1 < hi) || !(x2 > lo && x2 < hi)) continue;
        const d2 = x0 * x0 + x1 * x1 + x2 * x2;
        if (!(d2 < r2 + tol)) continue;
        if (count === sphereCube.length) growSphereScratch();
        // 3 cubes of edge r per axis (the box is 2r + 2·tol wide)
        const cx = Math.floor((x0 - lo + 1e-8) / rf);
        const cy = Math.floor((x1 - lo + 1e-8) / rf);
        const cz = Math.floor((x2 - lo + 1e-8) / rf);
        sphereCube[count] = cx * 9 + cy * 3 + cz;
        sphereInt[3 * count] = i;
        sphereInt[3 * count + 1] = j;
        sphereInt[3 * count + 2] = k;
        sphereCart[3 * count] = x0;
        sphereCart[3 * count + 1] = x1;
        sphereCart[3 * count + 2] = x2;
        sphereD2[count] = d2;
        count++;
      }
    }
  }
  // cubes in ascending order; inside a cube, the last filed first (a counting sort over the cubes)
  let maxCube = 0;
  for (let q = 0; q < count; q++) if (sphereCube[q] > maxCube) maxCube = sphereCube[q];
  const start = new Int32Array(maxCube + 2);
  for (let q = 0; q < count; q++) start[sphereCube[q] + 1]++;
  for (let c = 0; c <= maxCube; c++) start[c + 1] += start[c];
  const frac = new Float64Array(3 * count);
  const cart = new Float64Array(3 * count);
  const dist = new Float64Array(count);
  for (let q = count - 1; q >= 0; q--) {
    const t = start[sphereCube[q]]++;
    for (let c = 0; c < 3; c++) {
      frac[3 * t + c] = sphereInt[3 * q + c];
      cart[3 * t + c] = sphereCart[3 * q + c];
    }
    dist[t] = Math.sqrt(sphereD2[q]);
  }
  return { frac, cart, dist };
}

/** One mapping of pymatgen's `find_all_mappings`: the aligned lattice (rows = Cartesian vectors) and the integer matrix. */
export interface LatticeMapping {
  /** 9: rows are lattice vectors of the searched lattice matching the target's lengths and angles. */
  readonly aligned: Float64Array;
  /** 9: integer coordinates of those rows in the searched lattice (aligned = scale · L). */
  readonly scale: Float64Array;
}

/**
 * pymatgen's `Lattice.find_all_mappings(other, ltol, atol)`: every triple of lattice vectors of `l` whose lengths
 * are within a factor (1 + ltol) of `target`'s and whose angles are within `atol` degrees, skipping singular
 * triples. Calls `visit` for each in pymatgen's order; stops early when `visit` returns true.
 */
export function forEachLatticeMapping(
  l: Mat3Like,
  targetLengths: ArrayLike<number>,
  targetAngles: ArrayLike<number>,
  ltol: number,
  atol: number,
  visit: (m: LatticeMapping) => boolean | undefined,
): void {
  const maxLen = Math.max(targetLengths[0], targetLengths[1], targetLengths[2]);
  const pts = latticePointsInSphere(l, maxLen * (1 + ltol));
  const np = pts.dist.length;
  const sel: number[][] = [[], [], []];
  for (let t = 0; t < 3; t++) {
    const len = targetLengths[t];
    for (let p = 0; p < np; p++) {
      const ratio = pts.dist[p] / len;
      if (ratio < 1 + ltol && ratio > 1 / (1 + ltol)) sel[t].push(p);
    }
  }
  const [sa, sb, sc] = sel;
  const ang = (p: number, q: number): number => {
    const c = dot3(pts.cart, 3 * p, pts.cart, 3 * q) / (pts.dist[p] * pts.dist[q]);
    return Math.acos(capUnit(c)) * DEG;
  };
  const [alpha, beta, gamma] = [targetAngles[0], targetAngles[1], targetAngles[2]];
  // alphab[j][k]: angle(b_j, c_k) ok; betab[i][k]: angle(a_i, c_k) ok
  const alphab = new Uint8Array(sb.length * sc.length);
  for (let j = 0; j < sb.length; j++) {
    for (let k = 0; k < sc.length; k++) alphab[j * sc.length + k] = Math.abs(ang(sb[j], sc[k]) - alpha) < atol ? 1 : 0;
  }
  const betaRow = new Uint8Array(sc.length);
  const aligned = new Float64Array(9);
  const scale = new Float64Array(9);
  const mapping: LatticeMapping = { aligned, scale };
  for (let i = 0; i < sa.length; i++) {
    const pa = sa[i];
    for (let k = 0; k < sc.length; k++) betaRow[k] = Math.abs(ang(pa, sc[k]) - beta) < atol ? 1 : 0;
    for (let j = 0; j < sb.length; j++) {
      if (!(Math.abs(ang(pa, sb[j]) - gamma) < atol)) continue;
      const pb = sb[j];
      for (let k = 0; k < sc.length; k++) {
        if (!alphab[j * sc.length + k] || !betaRow[k]) continue;
        const pc = sc[k];
        for (let c = 0; c < 3; c++) {
          scale[c] = pts.frac[3 * pa + c];
          scale[3 + c] = pts.frac[3 * pb + c];
          scale[6 + c] = pts.frac[3 * pc + c];
        }
        if (Math.abs(determinant(scale)) < 1e-8) continue;
        for (let c = 0; c < 3; c++) {
          aligned[c] = pts.cart[3 * pa + c];
          aligned[3 + c] = pts.cart[3 * pb + c];
          aligned[6 + c] = pts.cart[3 * pc + c];
        }
        if (visit(mapping)) return;
      }
    }
  }
}

/**
 * pymatgen's `get_niggli_reduced_lattice(tol = 1e-5)`: Niggli parameters from the LLL basis, then the first
 * triple of actual lattice vectors with those parameters (right-handed). Returns null when none is found.
 */
export function niggliPymatgen(lattice: Mat3Like, tol = 1e-5): Float64Array | null {
  const { matrix } = lllPymatgen(lattice);
  const vol = Math.abs(determinant(lattice));
  const e = tol * vol ** (1 / 3);
  // G = M·Mᵀ
  const G = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) G[3 * i + j] = dot3(matrix, 3 * i, matrix, 3 * j);
  const T = new Float64Array(9);
  const apply = (M: ArrayLike<number>): void => {
    // G = Mᵀ G M
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += G[3 * i + k] * M[3 * k + j];
        T[3 * i + j] = s;
      }
    }
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += M[3 * k + i] * T[3 * k + j];
        G[3 * i + j] = s;
      }
    }
  };
  for (let iter = 0; iter < 100; iter++) {
    let A = G[0];
    let B = G[4];
    const C = G[8];
    let E = 2 * G[5];
    let N = 2 * G[2];
    let Y = 2 * G[1];
    if (A > B + e || (Math.abs(A - B) < e && Math.abs(E) > Math.abs(N) + e)) {
      // pymatgen keeps using the values read before A1 for the A2 test and the signs of A3/A4
      apply([0, -1, 0, -1, 0, 0, 0, 0, -1]);
    }
    if (B > C + e || (Math.abs(B - C) < e && Math.abs(N) > Math.abs(Y) + e)) {
      apply([-1, 0, 0, 0, 0, -1, 0, -1, 0]);
      continue;
    }
    const l = Math.abs(E) < e ? 0 : E / Math.abs(E);
    const m = Math.abs(N) < e ? 0 : N / Math.abs(N);
    const n = Math.abs(Y) < e ? 0 : Y / Math.abs(Y);
    if (l * m * n === 1) {
      const i = l === -1 ? -1 : 1;
      const j = m === -1 ? -1 : 1;
      const k = n === -1 ? -1 : 1;
      apply([i, 0, 0, 0, j, 0, 0, 0, k]);
    } else if (l * m * n === 0 || l * m * n === -1) {
      let i = l === 1 ? -1 : 1;
      let j = m === 1 ? -1 : 1;
      let k = n === 1 ? -1 : 1;
      if (i * j * k === -1) {
        if (n === 0) k = -1;
        else if (m === 0) j = -1;
        else if (l === 0) i = -1;
      }
      apply([i, 0, 0, 0, j, 0, 0, 0, k]);
    }
    A = G[0];
    B = G[4];
    E = 2 * G[5];
    N = 2 * G[2];
    Y = 2 * G[1];
    if (Math.abs(E) > B + e || (Math.abs(E - B) < e && 2 * N < Y - e) || (Math.abs(E + B) < e && Y < -e)) {
      apply([1, 0, 0, 0, 1, -E / Math.abs(E), 0, 0, 1]);
      continue;
    }
    if (Math.abs(N) > A + e || (Math.abs(A - N) < e && 2 * E < Y - e) || (Math.abs(A + N) < e && Y < -e)) {
      apply([1, 0, -N / Math.abs(N), 0, 1, 0, 0, 0, 1]);
      continue;
    }
    if (Math.abs(Y) > A + e || (Math.abs(A - Y) < e && 2 * E < N - e) || (Math.abs(A + Y) < e && N < -e)) {
      apply([1, -Y / Math.abs(Y), 0, 0, 1, 0, 0, 0, 1]);
      continue;
    }
    const s = E + N + Y + A + B;
    if (s < -e || (Math.abs(s) < e && e < Y + (A + N) * 2)) {
      apply([1, 0, 1, 0, 1, 1, 0, 0, 1]);
      continue;
    }
    break;
  }
  const a = Math.sqrt(G[0]);
  const b = Math.sqrt(G[4]);
  const c = Math.sqrt(G[8]);
  const alpha = Math.acos((2 * G[5]) / 2 / b / c) * DEG;
  const beta = Math.acos((2 * G[2]) / 2 / a / c) * DEG;
  const gamma = Math.acos((2 * G[1]) / 2 / a / b) * DEG;
  // find_mapping(latt, ltol = e, atol = 1) works on the lengths and angles of from_parameters(...)
  const target = fromParameters(a, b, c, alpha, beta, gamma);
  const tl = lengths(target);
  const ta = angles(target);
  // pymatgen returns the first triple within (ltol = e, atol = 1°) in its point order (latticePointsInSphere
  // reproduces it): in a noisy cell near a Niggli boundary another triple with the same parameters, e.g. c and
  // −(a + c), comes first, and the matcher's lattice search depends on which one it is
  let found: Float64Array | null = null;
  forEachLatticeMapping(lattice, tl, ta, e, 1, (mp) => {
    found = Float64Array.from(mp.aligned);
    return true;
  });
  if (found === null) return null;
  const f: Float64Array = found;
  if (determinant(f) < 0) for (let i = 0; i < 9; i++) f[i] = -f[i];
  return f;
}

/** frac′ = cart · newL⁻¹ for Cartesian positions from `frac · oldL` (3·n); returns null for a singular newL. */
export function reexpress(frac: Float64Array, oldL: Mat3Like, newL: Mat3Like): Float64Array | null {
  const inv = invert(new Float64Array(9), newL);
  if (!inv) return null;
  // M = oldL · newL⁻¹
  const M = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      M[3 * i + j] = oldL[3 * i] * inv[j] + oldL[3 * i + 1] * inv[3 + j] + oldL[3 * i + 2] * inv[6 + j];
    }
  }
  const out = new Float64Array(frac.length);
  for (let p = 0; p < frac.length; p += 3) {
    const x = frac[p];
    const y = frac[p + 1];
    const z = frac[p + 2];
    out[p] = x * M[0] + y * M[3] + z * M[6];
    out[p + 1] = x * M[1] + y * M[4] + z * M[7];
    out[p + 2] = x * M[2] + y * M[5] + z * M[8];
  }
  return out;
}
