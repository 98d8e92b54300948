import { EdgeBudgetError } from './errors.js';
import type { PeriodicGraph } from './types.js';

/**
 * Internal growable edge scratch shared by the builders. It lives at module scope so that building thousands
 * of small graphs reuses one allocation; results are copied out at their exact size, so the memory a caller
 * keeps is proportional to its edges. Growth is checked against the caller's edge budget before allocating.
 */
export const buf = {
  src: new Int32Array(1024),
  dst: new Int32Array(1024),
  image: new Int32Array(3072),
  dist: new Float64Array(1024),
  vec: new Float64Array(0),
  length: 0,
  withVectors: false,
  maxEdges: Number.POSITIVE_INFINITY,
  fn: '',
};

/** Resets the scratch for a new build. */
export function resetBuffer(fn: string, maxEdges: number, withVectors: boolean): void {
  buf.length = 0;
  buf.fn = fn;
  buf.maxEdges = maxEdges;
  buf.withVectors = withVectors;
  if (withVectors && buf.vec.length < 3 * buf.src.length) buf.vec = new Float64Array(3 * buf.src.length);
}

/** Makes room for one more edge, throwing {@link EdgeBudgetError} past the budget. */
export function growBuffer(): void {
  const need = buf.length + 1;
  if (need > buf.maxEdges) throw new EdgeBudgetError(buf.fn, need, buf.maxEdges, false);
  const cap = Math.max(need, Math.min(2 * buf.src.length, Math.max(buf.maxEdges, need)));
  const src = new Int32Array(cap);
  src.set(buf.src.subarray(0, buf.length));
  const dst = new Int32Array(cap);
  dst.set(buf.dst.subarray(0, buf.length));
  const image = new Int32Array(3 * cap);
  image.set(buf.image.subarray(0, 3 * buf.length));
  const dist = new Float64Array(cap);
  dist.set(buf.dist.subarray(0, buf.length));
  buf.src = src;
  buf.dst = dst;
  buf.image = image;
  buf.dist = dist;
  if (buf.withVectors) {
    const vec = new Float64Array(3 * cap);
    vec.set(buf.vec.subarray(0, 3 * buf.length));
    buf.vec = vec;
  } else {
    buf.vec = new Float64Array(0);
  }
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
  if (buf.length === buf.src.length) growBuffer();
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

/** Copies the scratch out as a graph with exactly the requested fields. */
export function takeGraph(numNodes: number, distances: boolean, vectors: boolean): PeriodicGraph {
  const e = buf.length;
  return {
    numNodes,
    src: buf.src.slice(0, e),
    dst: buf.dst.slice(0, e),
    image: buf.image.slice(0, 3 * e),
    ...(distances ? { distances: buf.dist.slice(0, e) } : {}),
    ...(vectors ? { vectors: buf.vec.slice(0, 3 * e) } : {}),
  };
}
