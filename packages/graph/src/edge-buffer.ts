import { EdgeBudgetError } from './errors.js';
import type { PeriodicGraph } from './types.js';

const SMALL = 1024;
/**
 * The largest edge scratch kept between builds (2²⁰ edges: 28 MiB, 52 MiB with vectors). A build that needs more
 * writes into arrays of its own, sized from the density estimate and grown geometrically, and returns views of
 * them, so a large graph is neither copied nor kept by the module.
 */
export const KEEP_LIMIT = 1 << 20;
/** The largest graph output (bytes) copied into one ArrayBuffer rather than an array per field (see takeArrays). */
export const ONE_BUFFER_BYTES = 1 << 16;

interface Arrays {
  src: Int32Array;
  dst: Int32Array;
  image: Int32Array;
  dist: Float64Array;
  vec: Float64Array;
}

// The kept scratch, at most KEEP_LIMIT edges; `buf` points to it unless a large build owns its own arrays or the
// caller lent a workspace.
const kept: Arrays = {
  src: new Int32Array(SMALL),
  dst: new Int32Array(SMALL),
  image: new Int32Array(3 * SMALL),
  dist: new Float64Array(SMALL),
  vec: new Float64Array(0),
};

/**
 * Storage that graph builds can reuse (`options.workspace`): the arrays of a graph built into it are views on the
 * workspace, valid until the next build into the same workspace, so repeated builds (a moving structure, a
 * training loop) allocate nothing and touch no fresh memory. It holds about 28 bytes per edge (52 with
 * `vectors`) of the largest graph built into it, ×1.5 at most from geometric growth, until it is dropped.
 *
 * @example
 * const ws = createGraphWorkspace();
 * for (const frame of frames) {
 *   const g = radiusGraph(frame, { cutoff: 5, workspace: ws }); // g's arrays are overwritten by the next build
 * }
 */
export interface GraphWorkspace {
  /** Edges the workspace holds without growing. */
  readonly capacity: number;
}

class Workspace implements GraphWorkspace, Arrays {
  src = new Int32Array(0);
  dst = new Int32Array(0);
  image = new Int32Array(0);
  dist = new Float64Array(0);
  vec = new Float64Array(0);
  get capacity(): number {
    return this.src.length;
  }
}

/**
 * A workspace for repeated graph builds; see {@link GraphWorkspace}.
 *
 * @example
 * const ws = createGraphWorkspace();
 * const g = radiusGraph(crystal, { cutoff: 5, workspace: ws });
 */
export function createGraphWorkspace(): GraphWorkspace {
  return new Workspace();
}

/** True when `value` came from {@link createGraphWorkspace}. */
export function isGraphWorkspace(value: unknown): value is GraphWorkspace {
  return value instanceof Workspace;
}

// Where reallocations go: the kept scratch, or the lent workspace during a build into it.
let home: Arrays = kept;

/**
 * Internal growable edge scratch shared by the builders. It lives at module scope so that building thousands
 * of small graphs reuses one allocation; small results are copied out at their exact size. A graph of more than
 * {@link KEEP_LIMIT} edges is built in arrays of its own that are handed to the caller, so the memory the module
 * keeps is bounded by the kept scratch. Growth is checked against the caller's edge budget before allocating.
 */
export const buf = {
  src: kept.src,
  dst: kept.dst,
  image: kept.image,
  dist: kept.dist,
  vec: kept.vec,
  length: 0,
  /** min(capacity, base + maxEdges): pushing at this length grows the scratch or throws. */
  limit: SMALL,
  withVectors: false,
  /** Where the current crystal's edges start (a batch appends crystal after crystal). */
  base: 0,
  /** The edge budget of one crystal. */
  maxEdges: Number.POSITIVE_INFINITY,
  fn: '',
  /**
   * True while the build writes into a large graph's own arrays (more than {@link KEEP_LIMIT} edges, allocated
   * during this build and handed to the caller, never reused): they are zero-filled, as every new typed array is,
   * so every entry from `length` on is still 0 and a search may leave an image of (0, 0, 0) unwritten. The pages of
   * `image` that hold only such images (most of them: most edges of a large cell are inside it) are then never
   * touched, and their page faults are saved. Storage that later builds reuse (the kept scratch, a workspace) has
   * every image written, so that its next build finds its pages resident.
   */
  zeroed: false,
};

function point(a: Arrays): void {
  buf.zeroed = false; // storage that earlier builds wrote
  buf.src = a.src;
  buf.dst = a.dst;
  buf.image = a.image;
  buf.dist = a.dist;
  buf.vec = a.vec;
}

function setLimit(): void {
  buf.limit = Math.min(buf.src.length, buf.base + buf.maxEdges);
}

/** Moves the scratch to arrays of capacity `cap`, keeping the first `buf.length` edges. */
function reallocate(cap: number): void {
  const len = buf.length;
  const old: Arrays = { src: buf.src, dst: buf.dst, image: buf.image, dist: buf.dist, vec: buf.vec };
  buf.src = new Int32Array(cap);
  buf.dst = new Int32Array(cap);
  buf.image = new Int32Array(3 * cap);
  buf.dist = new Float64Array(cap);
  buf.vec = new Float64Array(buf.withVectors ? 3 * cap : 0);
  if (len > 0) {
    buf.src.set(old.src.subarray(0, len));
    buf.dst.set(old.dst.subarray(0, len));
    buf.image.set(old.image.subarray(0, 3 * len));
    buf.dist.set(old.dist.subarray(0, len));
    if (buf.withVectors) buf.vec.set(old.vec.subarray(0, 3 * len));
  }
  const own = home === kept && cap > KEEP_LIMIT; // a large build's own arrays, handed to the caller
  buf.zeroed = own;
  if (!own) {
    home.src = buf.src;
    home.dst = buf.dst;
    home.image = buf.image;
    home.dist = buf.dist;
    home.vec = buf.vec;
  }
  setLimit();
}

/**
 * Resets the scratch for a new build (or a new batch) of graphs with at most `maxEdges` edges each, in the
 * caller's workspace when one is given.
 */
export function resetBuffer(fn: string, maxEdges: number, withVectors: boolean, workspace?: GraphWorkspace): void {
  home = workspace ? (workspace as Workspace) : kept;
  point(home);
  buf.length = 0;
  buf.base = 0;
  buf.fn = fn;
  buf.maxEdges = maxEdges;
  buf.withVectors = withVectors;
  if (withVectors && buf.vec.length < 3 * buf.src.length) {
    buf.vec = new Float64Array(3 * buf.src.length);
    home.vec = buf.vec;
  }
  setLimit();
}

/** True while a build writes into a caller's workspace. */
export function usingWorkspace(): boolean {
  return home !== kept;
}

/** Starts the next crystal of a batch: its edges are appended, and its budget counts from here. */
export function startCrystal(): void {
  buf.base = buf.length;
  setLimit();
}

/**
 * Makes room for about `expected` more edges (the density estimate, +8 %) so that a big graph is not built
 * through repeated doubling and copying.
 */
export function reserveEdges(expected: number): void {
  const want = buf.length + Math.min(buf.maxEdges, Math.ceil(expected * 1.08) + SMALL);
  if (want > buf.src.length) reallocate(Math.max(want, Math.min(buf.base + buf.maxEdges, grown(buf.src.length))));
}

/** Geometric growth: doubling while small, then ×1.5. */
function grown(capacity: number): number {
  return Math.max(SMALL, Math.ceil(capacity < KEEP_LIMIT ? 2 * capacity : 1.5 * capacity));
}

/** Makes room for one more edge, throwing {@link EdgeBudgetError} past the budget. */
export function growBuffer(): void {
  const len = buf.length;
  if (len + 1 - buf.base > buf.maxEdges) throw new EdgeBudgetError(buf.fn, len + 1 - buf.base, buf.maxEdges, false);
  reallocate(Math.min(buf.base + buf.maxEdges, Math.max(len + 1, grown(buf.src.length))));
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

/** Returns to the kept scratch (a large build's own arrays are dropped or were handed out). */
export function releaseBuffer(): void {
  home = kept;
  point(kept);
  buf.length = 0;
  buf.base = 0;
  setLimit();
}

/**
 * The scratch as output arrays (`src`, `dst`, `image`, and `dist`/`vec` when asked for), then the scratch is
 * released. A workspace's arrays, and a large build's own arrays unless less than half of them is used, are handed
 * out as views (their untouched tails are never written, so the pages beyond the edges are not resident). Otherwise
 * the edges are copied out at their exact size: a graph of at most {@link ONE_BUFFER_BYTES} into one new ArrayBuffer
 * that its arrays are views on (Float64 first, for alignment), where allocating each typed array costs more than
 * copying it (3787 perov_5 graphs of ≈ 33 edges: ≈ 95 ms with four new arrays each, ≈ 23 ms with one buffer); a larger
 * one into arrays of its own (one large buffer is slower: glibc maps and unmaps it on every build).
 */
export function takeArrays(distances: boolean, vectors: boolean): Partial<Arrays> & Omit<Arrays, 'dist' | 'vec'> {
  const e = buf.length;
  const own = home !== kept || (buf.src !== kept.src && 2 * e >= buf.src.length);
  const floats = (distances ? e : 0) + (vectors ? 3 * e : 0);
  let block: ArrayBuffer | undefined;
  let at = 0;
  // Each field's first n entries: a view, an exact-size copy, or a copy into the shared block (Float64 fields first).
  const take = <T extends Int32Array | Float64Array>(a: T, n: number): T => {
    if (own) return (a.length === n ? a : a.subarray(0, n)) as T;
    if (!block) return a.slice(0, n) as T;
    const c = new (a.constructor as new (b: ArrayBuffer, at: number, n: number) => T)(block, at, n);
    c.set(a.subarray(0, n));
    at += a.BYTES_PER_ELEMENT * n;
    return c;
  };
  if (!own && 8 * floats + 20 * e <= ONE_BUFFER_BYTES) block = new ArrayBuffer(8 * floats + 20 * e);
  const dist = distances ? take(buf.dist, e) : undefined;
  const vec = vectors ? take(buf.vec, 3 * e) : undefined;
  const out: Partial<Arrays> & Omit<Arrays, 'dist' | 'vec'> = {
    src: take(buf.src, e),
    dst: take(buf.dst, e),
    image: take(buf.image, 3 * e),
  };
  if (dist) out.dist = dist;
  if (vec) out.vec = vec;
  releaseBuffer();
  return out;
}

/** Copies the scratch out as a graph with exactly the requested fields, then releases a large scratch. */
export function takeGraph(numNodes: number, distances: boolean, vectors: boolean): PeriodicGraph {
  const a = takeArrays(distances, vectors);
  const g: { -readonly [K in keyof PeriodicGraph]: PeriodicGraph[K] } = {
    numNodes,
    src: a.src,
    dst: a.dst,
    image: a.image,
  };
  if (a.dist) g.distances = a.dist;
  if (a.vec) g.vectors = a.vec;
  return g;
}
