import { assertLattice, type Crystal, InvalidArgumentError } from '@crys/lattice';
import type { PeriodicGraph } from '@crys/graph';
import type { CrystalAction } from './apply.js';
import { type EdgeActionOptions, edgeActionsFromArrays } from './edge-actions.js';

/**
 * Cartesian edge vectors r_e = (frac[dst] + image − frac[src])·L of a graph in a crystal (3·E), the same
 * formula as @crys/graph's builders; use it after the crystal has moved (same edges, new geometry).
 *
 * @example
 * const r = edgeVectorsOf(crystal, radiusGraph(crystal, { cutoff: 5 }));
 */
export function edgeVectorsOf(crystal: Crystal, graph: Pick<PeriodicGraph, 'src' | 'dst' | 'image'>): Float64Array {
  const L = crystal.lattice,
    x = crystal.fracCoords;
  const numEdges = graph.src.length;
  const out = new Float64Array(3 * numEdges);
  for (let e = 0; e < numEdges; e++) {
    const i = graph.src[e],
      j = graph.dst[e];
    const f0 = x[3 * j] + graph.image[3 * e] - x[3 * i];
    const f1 = x[3 * j + 1] + graph.image[3 * e + 1] - x[3 * i + 1];
    const f2 = x[3 * j + 2] + graph.image[3 * e + 2] - x[3 * i + 2];
    out[3 * e] = f0 * L[0] + f1 * L[3] + f2 * L[6];
    out[3 * e + 1] = f0 * L[1] + f1 * L[4] + f2 * L[7];
    out[3 * e + 2] = f0 * L[2] + f1 * L[5] + f2 * L[8];
  }
  return out;
}

/**
 * The action of one crystal from two invariant weights per edge of its periodic graph (2·E, edge-major;
 * column 0 → atoms, column 1 → lattice): `{ deformation, atomActionsCart }`, ready for
 * `applyActionsToCrystal`. Uses `graph.vectors` when present, else computes them from the crystal.
 *
 * @example
 * const graph = radiusGraph(crystal, { cutoff: 5, vectors: true });
 * const action = crystalActions(crystal, graph, weights); // weights: Float64Array(2·E) from your model
 * const next = applyActionsToCrystal(crystal, action);
 */
export function crystalActions(
  crystal: Crystal,
  graph: PeriodicGraph,
  weights: ArrayLike<number>,
  options: EdgeActionOptions = {},
): CrystalAction {
  const fn = 'crystalActions';
  assertLattice(fn, crystal.lattice, 'crystal.lattice');
  const n = crystal.atomicNumbers.length;
  if (graph.numNodes !== n) {
    throw new InvalidArgumentError(fn, 'graph', `has ${graph.numNodes} nodes but the crystal has ${n} atoms`, graph);
  }
  const vectors = graph.vectors ?? edgeVectorsOf(crystal, graph);
  const { latticeAction, atomActionsCart } = edgeActionsFromArrays(
    vectors,
    weights,
    graph.src,
    new Int32Array(graph.src.length),
    n,
    1,
    options,
  );
  return { deformation: latticeAction, atomActionsCart };
}
