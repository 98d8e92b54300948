import { invert, type Mat3Like } from './mat3.js';
import { planeSpacings } from './cell.js';
import { lllInPlace } from './reduce.js';

const scratchInv = new Float64Array(9);
const scratchH = new Float64Array(3);

/**
 * cart = frac · L for every atom (3·n, atom-major). `out` may be `frac`.
 *
 * @example
 * fracToCart(new Float64Array(3), Float64Array.of(0.5, 0, 0), lattice); // half of the first lattice vector
 */
export function fracToCart<T extends Float64Array>(out: T, frac: ArrayLike<number>, lattice: Mat3Like): T {
  const l00 = lattice[0],
    l01 = lattice[1],
    l02 = lattice[2];
  const l10 = lattice[3],
    l11 = lattice[4],
    l12 = lattice[5];
  const l20 = lattice[6],
    l21 = lattice[7],
    l22 = lattice[8];
  for (let i = 0; i < frac.length; i += 3) {
    const x = frac[i],
      y = frac[i + 1],
      z = frac[i + 2];
    out[i] = x * l00 + y * l10 + z * l20;
    out[i + 1] = x * l01 + y * l11 + z * l21;
    out[i + 2] = x * l02 + y * l12 + z * l22;
  }
  return out;
}

/**
 * frac = cart · L⁻¹ for every atom (3·n, atom-major). `out` may be `cart`. Returns `null` for a singular
 * lattice (kernel convention: no throw).
 *
 * @example
 * cartToFrac(new Float64Array(3), [2, 0, 0], [4, 0, 0, 0, 4, 0, 0, 0, 4]); // [0.5, 0, 0]
 */
export function cartToFrac<T extends Float64Array>(out: T, cart: ArrayLike<number>, lattice: Mat3Like): T | null {
  if (!invert(scratchInv, lattice)) return null;
  return fracToCart(out, cart, scratchInv);
}

/**
 * Wraps fractional coordinates into [0, 1): never returns 1.0 (a tiny negative input would round to it) or
 * −0. `out` may be `frac`.
 *
 * @example
 * wrapFrac(new Float64Array(3), [-0.25, 1, 2.5]); // [0.75, 0, 0.5]
 */
export function wrapFrac<T extends Float64Array>(out: T, frac: ArrayLike<number>): T {
  for (let i = 0; i < frac.length; i++) {
    const x = frac[i];
    let w = x - Math.floor(x);
    if (w >= 1 || w === 0) w = 0; // w === 0 also turns −0 into +0
    out[i] = w;
  }
  return out;
}

const sRed = new Float64Array(9);
const sT = new Float64Array(9);
const sTinv = new Float64Array(9);

/**
 * Minimum-image displacements: for each fractional difference d (3·n), the shortest Cartesian vector among
 * (d + t)·L, t ∈ Z³, written into `out` (3·n, Cartesian Å). Exact for any cell, however skewed: it works in the
 * LLL-reduced basis L' = T·L of the same lattice (d' = d·T⁻¹), rounds d' into [−½, ½], and then searches every
 * t' with |t'_i + d'_i| ≤ |r₀| / h_i, where r₀ is the rounded vector and h_i the plane spacings of L' (a shorter
 * vector cannot lie outside that box; in a reduced basis the box is ±1 or ±2). Ties keep the first candidate
 * in lexicographic order of t'. If `images` is given, the chosen integer translation t (relative to the
 * unrounded d, in the basis of `lattice`: r = (d + t)·L) is written there (3·n). `out` may be `fracDelta`.
 * Kernel: no validation, no allocation.
 *
 * @example
 * const r = minimumImage(new Float64Array(3), [0.9, 0, 0], latticeFromParameters(2, 2, 2, 90, 90, 90));
 * // r ≈ [-0.2, 0, 0]
 */
export function minimumImage<T extends Float64Array>(
  out: T,
  fracDelta: ArrayLike<number>,
  lattice: Mat3Like,
  images?: Int32Array,
): T {
  for (let i = 0; i < 9; i++) sRed[i] = lattice[i];
  sT.fill(0);
  sT[0] = sT[4] = sT[8] = 1;
  lllInPlace(sRed, sT, 0.75);
  // T is unimodular, so T⁻¹ = adj(T) / det(T) is an integer matrix.
  invert(sTinv, sT);
  for (let i = 0; i < 9; i++) sTinv[i] = Math.round(sTinv[i]);
  const q00 = sTinv[0],
    q01 = sTinv[1],
    q02 = sTinv[2];
  const q10 = sTinv[3],
    q11 = sTinv[4],
    q12 = sTinv[5];
  const q20 = sTinv[6],
    q21 = sTinv[7],
    q22 = sTinv[8];
  const t00 = sT[0],
    t01 = sT[1],
    t02 = sT[2];
  const t10 = sT[3],
    t11 = sT[4],
    t12 = sT[5];
  const t20 = sT[6],
    t21 = sT[7],
    t22 = sT[8];
  const l00 = sRed[0],
    l01 = sRed[1],
    l02 = sRed[2];
  const l10 = sRed[3],
    l11 = sRed[4],
    l12 = sRed[5];
  const l20 = sRed[6],
    l21 = sRed[7],
    l22 = sRed[8];
  const h = planeSpacings(sRed, scratchH);
  const ih0 = 1 / h[0],
    ih1 = 1 / h[1],
    ih2 = 1 / h[2];
  for (let i = 0; i < fracDelta.length; i += 3) {
    const ex = fracDelta[i],
      ey = fracDelta[i + 1],
      ez = fracDelta[i + 2];
    // d' = d · T⁻¹ (fractional coordinates in the reduced basis)
    const dx = ex * q00 + ey * q10 + ez * q20;
    const dy = ex * q01 + ey * q11 + ez * q21;
    const dz = ex * q02 + ey * q12 + ez * q22;
    const rx0 = Math.round(dx),
      ry0 = Math.round(dy),
      rz0 = Math.round(dz);
    const fx = dx - rx0,
      fy = dy - ry0,
      fz = dz - rz0;
    let bx = fx * l00 + fy * l10 + fz * l20;
    let by = fx * l01 + fy * l11 + fz * l21;
    let bz = fx * l02 + fy * l12 + fz * l22;
    let best = bx * bx + by * by + bz * bz;
    let tx = 0,
      ty = 0,
      tz = 0;
    const r = Math.sqrt(best);
    const ax0 = Math.ceil(-fx - r * ih0),
      ax1 = Math.floor(-fx + r * ih0);
    const ay0 = Math.ceil(-fy - r * ih1),
      ay1 = Math.floor(-fy + r * ih1);
    const az0 = Math.ceil(-fz - r * ih2),
      az1 = Math.floor(-fz + r * ih2);
    for (let a = ax0; a <= ax1; a++) {
      for (let b = ay0; b <= ay1; b++) {
        for (let c = az0; c <= az1; c++) {
          if (a === 0 && b === 0 && c === 0) continue;
          const gx = fx + a,
            gy = fy + b,
            gz = fz + c;
          const x = gx * l00 + gy * l10 + gz * l20;
          const y = gx * l01 + gy * l11 + gz * l21;
          const z = gx * l02 + gy * l12 + gz * l22;
          const d2 = x * x + y * y + z * z;
          if (d2 < best) {
            best = d2;
            bx = x;
            by = y;
            bz = z;
            tx = a;
            ty = b;
            tz = c;
          }
        }
      }
    }
    out[i] = bx;
    out[i + 1] = by;
    out[i + 2] = bz;
    if (images) {
      // t = t' · T with t' = (tx − rx0, ty − ry0, tz − rz0), since (d' + t')·L' = (d + t'·T)·L.
      const ux = tx - rx0,
        uy = ty - ry0,
        uz = tz - rz0;
      images[i] = ux * t00 + uy * t10 + uz * t20;
      images[i + 1] = ux * t01 + uy * t11 + uz * t21;
      images[i + 2] = ux * t02 + uy * t12 + uz * t22;
    }
  }
  return out;
}
