import { planeSpacings } from '@crys/lattice';

/** One edge as a comparable tuple. */
export interface EdgeRecord {
  src: number;
  dst: number;
  image: [number, number, number];
  distance: number;
}

/**
 * Brute-force periodic neighbours, test-only: every (i, j, τ) in the box |x_j + τ − x_i|_k ≤ r/h_k of the
 * ORIGINAL basis (exact for any cell, no reduction, no binning), sorted by (src, dst, τ).
 */
export function bruteRadius(lattice: ArrayLike<number>, frac: ArrayLike<number>, cutoff: number): EdgeRecord[] {
  const n = frac.length / 3;
  const h = planeSpacings(lattice);
  const out: EdgeRecord[] = [];
  const l = lattice;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = [frac[3 * j] - frac[3 * i], frac[3 * j + 1] - frac[3 * i + 1], frac[3 * j + 2] - frac[3 * i + 2]];
      const lo = [0, 1, 2].map((k) => Math.ceil((-cutoff / h[k]) * (1 + 1e-9) - d[k]));
      const hi = [0, 1, 2].map((k) => Math.floor((cutoff / h[k]) * (1 + 1e-9) - d[k]));
      for (let a = lo[0]; a <= hi[0]; a++) {
        for (let b = lo[1]; b <= hi[1]; b++) {
          for (let c = lo[2]; c <= hi[2]; c++) {
            if (i === j && a === 0 && b === 0 && c === 0) continue;
            const fx = d[0] + a,
              fy = d[1] + b,
              fz = d[2] + c;
            const x = fx * l[0] + fy * l[3] + fz * l[6];
            const y = fx * l[1] + fy * l[4] + fz * l[7];
            const z = fx * l[2] + fy * l[5] + fz * l[8];
            const r = Math.sqrt(x * x + y * y + z * z);
            if (r <= cutoff) out.push({ src: i, dst: j, image: [a, b, c], distance: r });
          }
        }
      }
    }
  }
  return sortEdges(out);
}

/** Sorts edge records by (src, dst, τx, τy, τz). */
export function sortEdges(edges: EdgeRecord[]): EdgeRecord[] {
  return edges.sort(
    (p, q) =>
      p.src - q.src || p.dst - q.dst || p.image[0] - q.image[0] || p.image[1] - q.image[1] || p.image[2] - q.image[2],
  );
}

/** The edges of a graph as sorted records. */
export function graphEdges(g: {
  src: Int32Array;
  dst: Int32Array;
  image: Int32Array;
  distances?: Float64Array;
}): EdgeRecord[] {
  const out: EdgeRecord[] = [];
  for (let e = 0; e < g.src.length; e++) {
    out.push({
      src: g.src[e],
      dst: g.dst[e],
      image: [g.image[3 * e], g.image[3 * e + 1], g.image[3 * e + 2]],
      distance: g.distances ? g.distances[e] : Number.NaN,
    });
  }
  return sortEdges(out);
}

/** Edge keys "i,j,a,b,c" of sorted records, for set comparisons. */
export function edgeKeys(edges: readonly EdgeRecord[]): string[] {
  return edges.map((e) => `${e.src},${e.dst},${e.image.join(',')}`);
}
