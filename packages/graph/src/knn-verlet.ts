import { assertFiniteArray, assertLattice, InvalidArgumentError, type Mat3Like } from '@crys/lattice';
import { KNN_DISTANCE_QUANTUM, knnGraphFromArrays } from './knn-graph.js';
import { checkBuildOptions, checkCutoff, checkInputs, radiusGraphFromArrays } from './radius-graph.js';
import type { PeriodicGraph } from './types.js';
import { verletSafeMargin } from './verlet.js';

/** Options of {@link createKnnVerletList}. *
 * @example
 * const options: KnnVerletListOptions = { k: 16, skin: 1, ties: 'keep' };
 */
export interface KnnVerletListOptions {
  /** Number of neighbours per atom, an integer ≥ 1 (as in {@link knnGraphFromArrays}). */
  readonly k: number;
  /** Extra shell (Å) beyond the largest k-th-neighbour distance kept as candidates. Positive and finite. */
  readonly skin: number;
  /** Tie policy at the k-th neighbour, as in {@link knnGraphFromArrays}. Default `'break'`. */
  readonly ties?: 'break' | 'keep';
  /** Edge budget of each rebuild, as in {@link radiusGraphFromArrays}. */
  readonly maxEdges?: number;
}

/**
 * A Verlet (skin) list for the periodic k-nearest-neighbour graph of a crystal that moves step by step: atoms
 * move and the lattice deforms. {@link KnnVerletList.update} returns exactly the graph of
 * {@link knnGraphFromArrays}`(L, x, k, { ties, vectors: true })`, usually re-ranked from a candidate list.
 */
export interface KnnVerletList {
  /** Neighbours per atom. */
  readonly k: number;
  /** Skin (Å). */
  readonly skin: number;
  /** Tie policy. */
  readonly ties: 'break' | 'keep';
  /** Number of builds so far (1 after creation). */
  readonly builds: number;
  /** Candidate radius R (Å) of the current list: every edge within R of the reference geometry is a candidate. */
  readonly radius: number;
  /** Number of candidate edges in the current list. */
  readonly candidates: number;
  /**
   * The exact kNN graph at this geometry, with `distances` and `vectors`: equal (same edges, same order, same
   * numbers) to `knnGraphFromArrays(lattice, fracCoords, k, { ties, vectors: true })`. Re-ranked from the
   * candidates when the Verlet bound proves no other edge can enter, otherwise after a rebuild that makes this
   * geometry the new reference (`builds` then grows by one).
   */
  update(lattice: Mat3Like, fracCoords: ArrayLike<number>): PeriodicGraph;
}

/**
 * A {@link KnnVerletList} for the crystal (lattice, fracCoords). A build runs {@link knnGraphFromArrays}, takes
 * R = cutoff₀ + skin where cutoff₀ is the largest k-th-neighbour distance of any atom plus two
 * {@link KNN_DISTANCE_QUANTUM}s (so it also covers the tie group), and keeps every edge within R as a
 * candidate. An update recomputes the candidates' distances at the new geometry (with the same arithmetic as a
 * fresh build, so the numbers agree to the bit), ranks each atom's candidates with the tie policy of
 * {@link knnGraphFromArrays} and selects its k nearest (plus ties). The selection is accepted when
 * {@link verletSafeMargin}(L₀, x₀, L, x, cutoff, R − cutoff) ≥ 0 with cutoff the largest selected k-th distance
 * plus two quanta: then every non-candidate edge is longer than cutoff, so it can neither rank before any atom's
 * k-th neighbour nor tie with it. Otherwise the list is rebuilt at the new geometry.
 *
 * Coordinates must move continuously: do not re-wrap them into [0, 1) between steps (images are relative to the
 * coordinates, and a wrapped atom looks like a jump of one cell, which forces a rebuild). Takes raw arrays, not a
 * `Crystal`, because a kNN graph needs no species.
 *
 * @example
 * const list = createKnnVerletList(lattice, fracCoords, { k: 16, skin: 1, ties: 'keep' });
 * const g = list.update(newLattice, newFracCoords); // === knnGraphFromArrays(newLattice, newFracCoords, 16, …)
 * list.builds; // 1 until the atoms or the cell have moved far enough
 */
export function createKnnVerletList(
  lattice: Mat3Like,
  fracCoords: ArrayLike<number>,
  options: KnnVerletListOptions,
): KnnVerletList {
  const fn = 'createKnnVerletList';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, 'options', `must be an object with k and skin, got ${String(options)}`);
  }
  const n = checkInputs(fn, lattice, fracCoords);
  const k = options.k;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new InvalidArgumentError(fn, 'options.k', `must be an integer ≥ 1, got ${String(k)}`, k);
  }
  const skin = checkCutoff(fn, options.skin, 'options.skin');
  const ties = options.ties ?? 'break';
  if (ties !== 'break' && ties !== 'keep') {
    throw new InvalidArgumentError(fn, 'options.ties', `must be 'break' or 'keep', got ${String(ties)}`, ties);
  }
  const { maxEdges } = checkBuildOptions(fn, { maxEdges: options.maxEdges });
  const st = buildList(lattice, fracCoords, n, k, ties, skin, maxEdges);
  let builds = 1;
  return {
    k,
    skin,
    ties,
    get builds() {
      return builds;
    },
    get radius() {
      return st.radius;
    },
    get candidates() {
      return st.src.length;
    },
    update(l, x) {
      const name = 'KnnVerletList.update';
      assertLattice(name, l);
      assertFiniteArray(name, 'fracCoords', x, 3 * n);
      const cutoff = rankCandidates(st, l, x, k, ties === 'keep');
      const margin =
        cutoff < st.radius ? verletSafeMargin(st.refLattice, st.refFrac, l, x, cutoff, st.radius - cutoff) : -1;
      if (!(margin >= 0)) {
        Object.assign(st, buildList(l, x, n, k, ties, skin, maxEdges));
        builds++;
        rankCandidates(st, l, x, k, ties === 'keep');
      }
      return selectedGraph(st, n);
    },
  };
}

/** The state of a {@link KnnVerletList}: reference geometry, candidates and the numbers of the last update. */
interface ListState {
  /** Reference lattice (9) and coordinates (3·n) of the last build. */
  refLattice: Float64Array;
  refFrac: Float64Array;
  /** Candidate radius R (Å). */
  radius: number;
  /** Candidates (C), grouped by src: atom i owns candidates start[i] … start[i+1]−1. */
  src: Int32Array;
  dst: Int32Array;
  image: Int32Array;
  start: Int32Array;
  /** C: rank of each candidate among its atom's candidates by (dst, τ), the tie order after the distance. */
  order: Float64Array;
  /** Largest number of candidates of one atom (≥ 1): sort keys are quanta · span + order. */
  span: number;
  /** Per-update numbers: distances (C), vectors (3·C), sort keys (C). */
  dist: Float64Array;
  vec: Float64Array;
  key: Float64Array;
  /** Each atom's candidates in rank order (C), kept between updates: re-ranking is then an almost sorted
   * insertion sort. */
  perm: Int32Array;
  /** True until the first ranking after a build (perm is then unsorted). */
  fresh: boolean;
  /** n: selected neighbours of each atom (the first take[i] of its ranked candidates). */
  take: Int32Array;
}

/** Builds the candidate list at (L, x): knnGraphFromArrays for the radius, then every edge within it. */
function buildList(
  l: Mat3Like,
  x: ArrayLike<number>,
  n: number,
  k: number,
  ties: 'break' | 'keep',
  skin: number,
  maxEdges: number,
): ListState {
  const g = knnGraphFromArrays(l, x, k, { ties, maxEdges });
  const d = g.distances as Float64Array;
  let cutoff = 0;
  for (let e = 0, i = -1, rank = 0; e < g.src.length; e++) {
    if (g.src[e] !== i) {
      i = g.src[e];
      rank = 0;
    }
    if (++rank === k) cutoff = Math.max(cutoff, (Math.round(d[e] / KNN_DISTANCE_QUANTUM) + 2) * KNN_DISTANCE_QUANTUM);
  }
  const radius = cutoff + skin;
  const c = radiusGraphFromArrays(l, x, radius, { distances: false, maxEdges });
  const { src, dst, image } = c;
  const m = src.length;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) start[src[e] + 1]++;
  let span = 1;
  for (let i = 0; i < n; i++) {
    span = Math.max(span, start[i + 1]);
    start[i + 1] += start[i];
  }
  const perm = new Int32Array(m);
  for (let e = 0; e < m; e++) perm[e] = e;
  const byNeighbour = (a: number, b: number): number =>
    dst[a] - dst[b] ||
    image[3 * a] - image[3 * b] ||
    image[3 * a + 1] - image[3 * b + 1] ||
    image[3 * a + 2] - image[3 * b + 2];
  const order = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const s = start[i];
    const group = perm.subarray(s, start[i + 1]).sort(byNeighbour);
    for (let r = 0; r < group.length; r++) order[group[r]] = r;
  }
  return {
    refLattice: Float64Array.from(l),
    refFrac: Float64Array.from(x),
    radius,
    src,
    dst,
    image,
    start,
    order,
    span,
    dist: new Float64Array(m),
    vec: new Float64Array(3 * m),
    key: new Float64Array(m),
    perm,
    fresh: true,
    take: new Int32Array(n),
  };
}

/**
 * Distances of the candidates at (L, x), each atom's ranking by (round(d / quantum), dst, τ) and its selection
 * (first k, plus the k-th's tie group when `keepTies`). Returns the cutoff the Verlet rule must guarantee: the
 * largest selected k-th distance in quanta, plus 2 (anything longer rounds to ≥ k-th + 2 quanta, so it ranks after
 * the k-th and is no tie).
 */
function rankCandidates(st: ListState, l: Mat3Like, x: ArrayLike<number>, k: number, keepTies: boolean): number {
  const { src, dst, image, start, order, dist, vec, key, perm, take } = st;
  const q = KNN_DISTANCE_QUANTUM,
    span = st.span;
  const l00 = l[0],
    l01 = l[1],
    l02 = l[2],
    l10 = l[3],
    l11 = l[4],
    l12 = l[5],
    l20 = l[6],
    l21 = l[7],
    l22 = l[8];
  const m = src.length;
  let maxQuant = 0;
  for (let e = 0; e < m; e++) {
    const i = src[e],
      j = dst[e];
    // The arithmetic of the radius search (search.ts), so distances and their quanta agree to the bit.
    const fx = x[3 * j] - x[3 * i] + image[3 * e],
      fy = x[3 * j + 1] - x[3 * i + 1] + image[3 * e + 1],
      fz = x[3 * j + 2] - x[3 * i + 2] + image[3 * e + 2];
    const vx = fx * l00 + fy * l10 + fz * l20;
    const vy = fx * l01 + fy * l11 + fz * l21;
    const vz = fx * l02 + fy * l12 + fz * l22;
    vec[3 * e] = vx;
    vec[3 * e + 1] = vy;
    vec[3 * e + 2] = vz;
    const d = Math.sqrt(vx * vx + vy * vy + vz * vz);
    dist[e] = d;
    const quant = Math.round(d / q);
    if (quant > maxQuant) maxQuant = quant;
    key[e] = quant * span + order[e];
  }
  // One number per candidate orders it exactly while quanta · span + order stays an exact double (distances
  // below ~9·10⁹ Å / span); beyond that, the three-level comparison.
  const exactKeys = (maxQuant + 1) * span <= Number.MAX_SAFE_INTEGER;
  const byKey = (a: number, b: number): number => key[a] - key[b];
  const byRank = (a: number, b: number): number =>
    Math.round(dist[a] / q) - Math.round(dist[b] / q) || order[a] - order[b];
  let cutoff = 0;
  for (let i = 0; i < start.length - 1; i++) {
    const s = start[i],
      end = start[i + 1];
    if (!exactKeys) perm.subarray(s, end).sort(byRank);
    else if (st.fresh || !insertionSort(perm, key, s, end)) perm.subarray(s, end).sort(byKey);
    let t = Math.min(k, end - s);
    if (t === 0) {
      take[i] = 0;
      continue;
    }
    const last = Math.round(dist[perm[s + t - 1]] / q);
    if (keepTies) while (s + t < end && Math.round(dist[perm[s + t]] / q) - last <= 1) t++;
    take[i] = t;
    const c = (last + 2) * q;
    if (c > cutoff) cutoff = c;
  }
  st.fresh = false;
  return cutoff;
}

/** Insertion sort of perm[s, end) by key; gives up (false) after about 4 moves per element (then sort() runs). */
function insertionSort(perm: Int32Array, key: Float64Array, s: number, end: number): boolean {
  let budget = 4 * (end - s) + 16;
  for (let a = s + 1; a < end; a++) {
    const p = perm[a],
      kp = key[p];
    let b = a - 1;
    while (b >= s && key[perm[b]] > kp) {
      perm[b + 1] = perm[b];
      b--;
      if (--budget < 0) {
        perm[b + 1] = p;
        return false;
      }
    }
    perm[b + 1] = p;
  }
  return true;
}

/** The selected edges as a new graph, grouped by src ascending, in rank order, with distances and vectors. */
function selectedGraph(st: ListState, n: number): PeriodicGraph {
  const { dst, image, start, dist, vec, perm, take } = st;
  let m = 0;
  for (let i = 0; i < n; i++) m += take[i];
  const oSrc = new Int32Array(m),
    oDst = new Int32Array(m),
    oImage = new Int32Array(3 * m);
  const oDist = new Float64Array(m),
    oVec = new Float64Array(3 * m);
  let r = 0;
  for (let i = 0; i < n; i++) {
    const s = start[i];
    for (let t = 0; t < take[i]; t++, r++) {
      const e = perm[s + t];
      oSrc[r] = i;
      oDst[r] = dst[e];
      oDist[r] = dist[e];
      oImage[3 * r] = image[3 * e];
      oImage[3 * r + 1] = image[3 * e + 1];
      oImage[3 * r + 2] = image[3 * e + 2];
      oVec[3 * r] = vec[3 * e];
      oVec[3 * r + 1] = vec[3 * e + 1];
      oVec[3 * r + 2] = vec[3 * e + 2];
    }
  }
  return { numNodes: n, src: oSrc, dst: oDst, image: oImage, distances: oDist, vectors: oVec };
}
