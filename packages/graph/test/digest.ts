import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** 32-bit edge hash, bit-identical to hash32 in tools/fixtures/graph_oracle.py. */
export function hashEdge32(seed: number, i: number, j: number, a: number, b: number, c: number): number {
  let h = seed >>> 0;
  for (const v of [i, j, a, b, c]) {
    h = Math.imul(h ^ v, 0x9e3779b1) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** Neumaier-compensated sum (agrees with Python's math.fsum far below 1e-9 here). */
export function compensatedSum(xs: ArrayLike<number>): number {
  let s = 0,
    c = 0;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k];
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

/** Per-crystal digest of an edge multiset, as written by tools/fixtures/graph_oracle.py. */
export interface EdgeDigest {
  ne: number;
  h1: number;
  h2: number;
  sd: number;
  sd2: number;
  q: number[];
  amb?: [number, number, number, number, number, number][];
}

/** Digest of the edges whose key is not in `exclude` ("i,j,a,b,c"). */
export function digestEdges(
  g: { src: Int32Array; dst: Int32Array; image: Int32Array; distances?: Float64Array },
  seeds: readonly [number, number],
  exclude: ReadonlySet<string>,
): EdgeDigest {
  let h1 = 0,
    h2 = 0;
  const d: number[] = [];
  for (let e = 0; e < g.src.length; e++) {
    const i = g.src[e],
      j = g.dst[e],
      a = g.image[3 * e],
      b = g.image[3 * e + 1],
      c = g.image[3 * e + 2];
    if (exclude.size > 0 && exclude.has(`${i},${j},${a},${b},${c}`)) continue;
    h1 = (h1 + hashEdge32(seeds[0], i, j, a, b, c)) >>> 0;
    h2 = (h2 + hashEdge32(seeds[1], i, j, a, b, c)) >>> 0;
    d.push((g.distances as Float64Array)[e]);
  }
  const sorted = Float64Array.from(d).sort();
  const ne = sorted.length;
  const q: number[] = [];
  if (ne > 0) for (let k = 0; k <= 8; k++) q.push(sorted[Math.floor((k * (ne - 1)) / 8)]);
  return { ne, h1, h2, sd: compensatedSum(sorted), sd2: compensatedSum(sorted.map((x) => x * x)), q };
}

/** Reads a gzip JSON fixture. */
export function readGzipJson<T>(path: string): T {
  return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as T;
}
