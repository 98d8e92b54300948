import { EdgeBudgetError } from './errors.js';
import type { PeriodicGraph } from './types.js';

const SMALL = 1024;
// A scratch larger than this is released after each build instead of being kept for the next one.
const KEEP_LIMIT = 1 << 20;

/**
 * Internal growable edge scratch shared by the builders. It lives at module scope so that building thousands
 * of small graphs reuses one allocation; results are copied out at their exact size, and a large scratch is
 * released afterwards, so the memory a caller keeps is proportional to its edges. Growth is checked against
 * the caller's edge budget before allocating.
 */
export const buf = {
  src: new Int32Array(SMALL),
  dst: new Int32Array(SMALL),
  image: new Int32Array(3 * SMALL),
  dist: new Float64Array(SMALL),
  vec: new Float64Array(0),
  length: 0,
  /** min(capacity, maxEdges): pushing at this length grows the scratch or throws. */
  limit: SMALL,
  withVectors: false,
  maxEdges: Number.POSITIVE_INFINITY,
  fn: '',
};

function allocate(cap: number, withVectors: boolean): void {
  buf.src = new Int32Array(cap);
  buf.dst = new Int32Array(cap);
  buf.image = new Int32Array(3 * cap);
  buf.dist = new Float64Array(cap);
  buf.vec = new Float64Array(withVectors ? 3 * cap : 0);
}

/**
 * Resets the scratch for a new build. `expected` (the density estimate) pre-sizes a large scratch so that
 * big graphs are not built through repeated doubling.
 */
export function resetBuffer(fn: string, maxEdges: number, withVectors: boolean, expected = 0): void {
  buf.length = 0;
  buf.fn = fn;
  buf.maxEdges = maxEdges;
  buf.withVectors = withVectors;
  const want = Math.min(maxEdges, Math.ceil(expected * 1.08) + SMALL);
  if (want > buf.src.length) allocate(want, withVectors);
  else if (withVectors && buf.vec.length < 3 * buf.src.length) buf.vec = new Float64Array(3 * buf.src.length);
  buf.limit = Math.min(buf.src.length, maxEdges);
}

/** Makes room for one more edge, throwing {@link EdgeBudgetError} past the budget. */
export function growBuffer(): void {
  const len = buf.length;
  if (len + 1 > buf.maxEdges) throw new EdgeBudgetError(buf.fn, len + 1, buf.maxEdges, false);
  const old = buf.src.length;
  const cap = Math.min(buf.maxEdges, Math.max(len + 1, Math.ceil(old < KEEP_LIMIT ? 2 * old : 1.5 * old)));
  const { src, dst, image, dist, vec } = buf;
  allocate(cap, buf.withVectors);
  buf.src.set(src.subarray(0, len));
  buf.dst.set(dst.subarray(0, len));
  buf.image.set(image.subarray(0, 3 * len));
  buf.dist.set(dist.subarray(0, len));
  if (buf.withVectors) buf.vec.set(vec.subarray(0, 3 * len));
  buf.limit = Math.min(cap, buf.maxEdges);
}

/** Appends edge (i → j, image t) with Cartesian vector r and squared length d2. */
export function pushEdge(
  i: number,
  j: number,
  t0: number,
  t1: number,
  t2: number,
  rx: number,
  ry: number,
  rz: number,
  d2: number,
): void {
  if (buf.length === buf.limit) growBuffer();
  const e = buf.length++;
  buf.src[e] = i;
  buf.dst[e] = j;
  buf.image[3 * e] = t0;
  buf.image[3 * e + 1] = t1;
  buf.image[3 * e + 2] = t2;
  buf.dist[e] = Math.sqrt(d2);
  if (buf.withVectors) {
    buf.vec[3 * e] = rx;
    buf.vec[3 * e + 1] = ry;
    buf.vec[3 * e + 2] = rz;
  }
}

/** Releases a large scratch (keeps a small one for the next build). */
export function releaseBuffer(): void {
  if (buf.src.length > KEEP_LIMIT) allocate(SMALL, false);
  buf.length = 0;
  buf.limit = Math.min(buf.src.length, buf.maxEdges);
}

/** Copies the scratch out as a graph with exactly the requested fields, then releases a large scratch. */
export function takeGraph(numNodes: number, distances: boolean, vectors: boolean): PeriodicGraph {
  const e = buf.length;
  const g: { -readonly [K in keyof PeriodicGraph]: PeriodicGraph[K] } = {
    numNodes,
    src: buf.src.slice(0, e),
    dst: buf.dst.slice(0, e),
    image: buf.image.slice(0, 3 * e),
  };
  if (distances) g.distances = buf.dist.slice(0, e);
  if (vectors) g.vectors = buf.vec.slice(0, 3 * e);
  releaseBuffer();
  return g;
}
