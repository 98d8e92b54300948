import { invert } from '@crys/lattice';

// Private adapter: the periodic k-nearest-neighbour multigraph the model runs on, ties at the k-th distance
// kept so the graph does not depend on atom order or frame. To be replaced by @crys/graph's knnGraph once it
// lands. Edge e: src[e] → dst[e] shifted by image e; r_e = (frac[dst] + image − frac[src]) · L.

/** A periodic multigraph with its Cartesian edge vectors. @internal */
export interface KnnEdges {
  readonly src: Int32Array;
  readonly dst: Int32Array;
  /** 3·E integer images. */
  readonly image: Int32Array;
  /** 3·E Cartesian edge vectors (Å). */
  readonly vectors: Float64Array;
}

const TIE = 1e-6;

/**
 * Every atom's k nearest periodic neighbours (self-images included, itself at zero offset excluded), plus
 * any neighbour tied with the k-th within 1e-6 Å. @internal
 */
export function knnEdges(lattice: ArrayLike<number>, frac: ArrayLike<number>, k: number): KnnEdges {
  const n = frac.length / 3;
  const inv = invert(new Float64Array(9), lattice) ?? new Float64Array(9);
  // plane spacings h_i = 1 / |row i of L⁻ᵀ| = 1 / |column i of L⁻¹|
  const h = [0, 1, 2].map((i) => 1 / Math.hypot(inv[i], inv[3 + i], inv[6 + i]));
  const vol = Math.abs(
    lattice[0] * (lattice[4] * lattice[8] - lattice[5] * lattice[7]) -
      lattice[1] * (lattice[3] * lattice[8] - lattice[5] * lattice[6]) +
      lattice[2] * (lattice[3] * lattice[7] - lattice[4] * lattice[6]),
  );
  const w = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) w[i] = frac[i] - Math.floor(frac[i]);
  let radius = Math.cbrt(((k + 1) * vol) / n / ((4 / 3) * Math.PI)) * 1.5 + 1e-6;
  const src: number[] = [],
    dst: number[] = [],
    img: number[] = [],
    vec: number[] = [];
  for (;;) {
    const rx = Math.ceil(radius / h[0]) + 1,
      ry = Math.ceil(radius / h[1]) + 1,
      rz = Math.ceil(radius / h[2]) + 1;
    let ok = true;
    src.length = dst.length = img.length = vec.length = 0;
    const cand: number[] = []; // [d2, j, ix, iy, iz, vx, vy, vz] flattened per candidate
    for (let i = 0; i < n && ok; i++) {
      cand.length = 0;
      for (let j = 0; j < n; j++) {
        const dx = w[3 * j] - w[3 * i],
          dy = w[3 * j + 1] - w[3 * i + 1],
          dz = w[3 * j + 2] - w[3 * i + 2];
        for (let a = -rx; a <= rx; a++) {
          for (let b = -ry; b <= ry; b++) {
            for (let c = -rz; c <= rz; c++) {
              if (i === j && a === 0 && b === 0 && c === 0) continue;
              const fx = dx + a,
                fy = dy + b,
                fz = dz + c;
              const vx = fx * lattice[0] + fy * lattice[3] + fz * lattice[6];
              const vy = fx * lattice[1] + fy * lattice[4] + fz * lattice[7];
              const vz = fx * lattice[2] + fy * lattice[5] + fz * lattice[8];
              const d2 = vx * vx + vy * vy + vz * vz;
              if (d2 <= radius * radius) cand.push(d2, j, a, b, c, vx, vy, vz);
            }
          }
        }
      }
      const m = cand.length / 8;
      if (m < k) {
        ok = false;
        break;
      }
      const order = Array.from({ length: m }, (_, q) => q).sort((p, q) => cand[8 * p] - cand[8 * q]);
      const dk = Math.sqrt(cand[8 * order[k - 1]]);
      for (let q = 0; q < m; q++) {
        const o = order[q];
        if (q >= k && Math.sqrt(cand[8 * o]) > dk + TIE) break;
        src.push(i);
        // image relative to the unwrapped input coordinates
        const j = cand[8 * o + 1];
        dst.push(j);
        img.push(
          cand[8 * o + 2] + Math.floor(frac[3 * j]) * -1 + Math.floor(frac[3 * i]),
          cand[8 * o + 3] + Math.floor(frac[3 * j + 1]) * -1 + Math.floor(frac[3 * i + 1]),
          cand[8 * o + 4] + Math.floor(frac[3 * j + 2]) * -1 + Math.floor(frac[3 * i + 2]),
        );
        vec.push(cand[8 * o + 5], cand[8 * o + 6], cand[8 * o + 7]);
      }
    }
    if (ok) break;
    radius *= 1.5;
  }
  return {
    src: Int32Array.from(src),
    dst: Int32Array.from(dst),
    image: Int32Array.from(img),
    vectors: Float64Array.from(vec),
  };
}
