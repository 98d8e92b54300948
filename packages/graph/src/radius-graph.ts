import { assertFiniteArray, assertLattice, type Crystal, InvalidArgumentError, type Mat3Like } from '@crys/lattice';
import { assertPositive } from '@crys/lattice/internal';
import { type GraphWorkspace, isGraphWorkspace, resetBuffer, takeGraph } from './edge-buffer.js';
import { reverseEdges } from './reverse.js';
import { type SearchMethod, searchRadius } from './search.js';
import type { PeriodicGraph } from './types.js';

/** Default edge budget of every builder: 5·10⁷ edges (≈ 1.4 GB with distances, 2.6 GB with vectors). *
 * @example
 * radiusGraph(crystal, { cutoff: 12, maxEdges: 4 * DEFAULT_MAX_EDGES }); // allow a bigger graph
 */
export const DEFAULT_MAX_EDGES = 50_000_000;

/** Options of {@link radiusGraphFromArrays} (everything of {@link RadiusGraphOptions} but the cutoff). *
 * @example
 * radiusGraphFromArrays(lattice, fracCoords, 5, { vectors: true, reverse: true, method: 'cells' });
 */
export interface RadiusGraphArrayOptions {
  /** Return `distances` (E). Default true. */
  readonly distances?: boolean;
  /** Return Cartesian `vectors` (3·E). Default false. */
  readonly vectors?: boolean;
  /** Return `reverse` (E), each edge's twin. Default false. */
  readonly reverse?: boolean;
  /**
   * Edge budget: an {@link EdgeBudgetError} is thrown before allocating when density × sphere volume
   * predicts more edges, or as soon as the count passes it. Default {@link DEFAULT_MAX_EDGES}.
   */
  readonly maxEdges?: number;
  /**
   * Search algorithm: `'pairs'` (sphere slicing per atom pair, best for small cells), `'cells'` (Cartesian cell
   * lists, linear time) or `'auto'` (default: the cheaper by cost models fitted to both). All give the same edges,
   * grouped by `src` ascending; within a group the order is the search's own.
   */
  readonly method?: SearchMethod;
  /**
   * Storage to build into (from `createGraphWorkspace()`): the returned arrays are then views on it, valid until
   * the next build into the same workspace, and repeated builds allocate nothing. Default: fresh arrays.
   */
  readonly workspace?: GraphWorkspace;
}

/** Options of {@link radiusGraph}. *
 * @example
 * const options: RadiusGraphOptions = { cutoff: 5, vectors: true };
 */
export interface RadiusGraphOptions extends RadiusGraphArrayOptions {
  /** Cutoff radius (Å): every edge with |r| ≤ cutoff. Positive and finite. */
  readonly cutoff: number;
}

/** Validates the shared inputs of the builders; returns n. */
export function checkInputs(fn: string, lattice: unknown, fracCoords: unknown): number {
  assertLattice(fn, lattice);
  assertFiniteArray(fn, 'fracCoords', fracCoords);
  const len = (fracCoords as ArrayLike<number>).length;
  if (len % 3 !== 0) {
    throw new InvalidArgumentError(fn, 'fracCoords', `must have length 3·n, got ${len}`, fracCoords);
  }
  return len / 3;
}

/** Validates a cutoff-like option. */
export function checkCutoff(fn: string, cutoff: unknown, name = 'cutoff'): number {
  assertPositive(fn, name, cutoff);
  return cutoff;
}

/** Validates `maxEdges` and `method`. */
export function checkBuildOptions(
  fn: string,
  options: RadiusGraphArrayOptions,
): { maxEdges: number; method: SearchMethod; workspace: GraphWorkspace | undefined } {
  const maxEdges = options.maxEdges ?? DEFAULT_MAX_EDGES;
  if (typeof maxEdges !== 'number' || Number.isNaN(maxEdges) || !(maxEdges >= 0)) {
    throw new InvalidArgumentError(fn, 'maxEdges', `must be a non-negative number, got ${String(maxEdges)}`, maxEdges);
  }
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'pairs' && method !== 'cells') {
    throw new InvalidArgumentError(fn, 'method', `must be 'auto', 'pairs' or 'cells', got ${String(method)}`, method);
  }
  const workspace = options.workspace;
  if (workspace !== undefined && !isGraphWorkspace(workspace)) {
    throw new InvalidArgumentError(
      fn,
      'workspace',
      `must come from createGraphWorkspace(), got ${typeof workspace === 'object' ? 'another object' : String(workspace)}`,
      workspace,
    );
  }
  return { maxEdges, method, workspace };
}

/**
 * The periodic radius graph on raw arrays: every edge (i, j, τ ∈ Z³) with |(x_j + τ − x_i)·L| ≤ cutoff, including
 * multi-edges through different images and self-image loops, excluding (i, i, 0). Exact for any cell however
 * skewed or small against the cutoff (the search works in a reduced basis and image ranges follow the plane
 * spacings). Edges come grouped by `src` ascending; the order within a source is deterministic. Coordinates
 * are used as given (not wrapped), so images are relative to them, as in ASE's `neighbor_list`.
 *
 * @param lattice 3×3 row-major, row i is lattice vector i (Å).
 * @param fracCoords 3·n fractional coordinates, atom-major.
 * @param cutoff radius (Å), positive and finite.
 * @example
 * const g = radiusGraphFromArrays([2, 0, 0, 0, 2, 0, 0, 0, 2], [0, 0, 0], 3);
 * g.src.length; // 6: the atom joined to its own six nearest images
 */
export function radiusGraphFromArrays(
  lattice: Mat3Like,
  fracCoords: ArrayLike<number>,
  cutoff: number,
  options: RadiusGraphArrayOptions = {},
): PeriodicGraph {
  return buildRadius('radiusGraphFromArrays', lattice, fracCoords, cutoff, options);
}

/**
 * The periodic radius graph of a crystal; see {@link radiusGraphFromArrays} for the edge definition.
 *
 * @example
 * const g = radiusGraph(crystal, { cutoff: 5, vectors: true, reverse: true });
 * // edge e: g.src[e] → g.dst[e] shifted by g.image.subarray(3 * e, 3 * e + 3), length g.distances[e]
 */
export function radiusGraph(crystal: Crystal, options: RadiusGraphOptions): PeriodicGraph {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('radiusGraph', 'options', `must be an object with a cutoff, got ${String(options)}`);
  }
  return buildRadius('radiusGraph', crystal.lattice, crystal.fracCoords, options.cutoff, options);
}

function buildRadius(
  fn: string,
  lattice: Mat3Like,
  fracCoords: ArrayLike<number>,
  cutoff: number,
  options: RadiusGraphArrayOptions,
): PeriodicGraph {
  const n = checkInputs(fn, lattice, fracCoords);
  checkCutoff(fn, cutoff);
  const { maxEdges, method, workspace } = checkBuildOptions(fn, options);
  const vectors = options.vectors ?? false;
  resetBuffer(fn, maxEdges, vectors, workspace);
  searchRadius(fn, lattice, fracCoords, n, cutoff, maxEdges, method);
  const g = takeGraph(n, options.distances ?? true, vectors);
  if (options.reverse) (g as { reverse?: Int32Array }).reverse = reverseEdges(g);
  return g;
}
