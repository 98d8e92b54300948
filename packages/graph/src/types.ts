/**
 * A periodic multigraph in struct-of-arrays form. Edge e joins atom `src[e]` to the copy of atom `dst[e]`
 * shifted by the integer lattice translation `image[3e..3e+2]`:
 * r_e = (frac[dst] + image − frac[src]) · L (ASE's `D = positions[j] − positions[i] + S·cell`).
 * One pair may be joined several times through different images, and an atom may be joined to its own
 * images; the zero self-edge (i, i, 0) never appears.
 *
 * @example
 * const g: PeriodicGraph = radiusGraph(crystal, { cutoff: 5 });
 * const [tx, ty, tz] = g.image.subarray(3 * e, 3 * e + 3); // edge e: g.src[e] → g.dst[e] + (tx, ty, tz)
 */
export interface PeriodicGraph {
  /** Number of atoms n (node ids are 0…n−1). */
  readonly numNodes: number;
  /** E source atoms. */
  readonly src: Int32Array;
  /** E destination atoms. */
  readonly dst: Int32Array;
  /** 3·E integer lattice translations of `dst`, edge-major [τx0, τy0, τz0, τx1, …]. */
  readonly image: Int32Array;
  /** E edge lengths |r_e| (Å), when requested. */
  readonly distances?: Float64Array;
  /** 3·E Cartesian edge vectors r_e (Å), edge-major, when requested. */
  readonly vectors?: Float64Array;
  /** E index of each edge's twin (dst → src with image −τ), or −1 where the graph has none (kNN). */
  readonly reverse?: Int32Array;
}

/**
 * B crystals and their graphs concatenated into one graph of N = Σ nᵢ nodes and E = Σ Eᵢ edges. Node ids
 * are offset by `nodeOffsets`; `image` stays relative to each crystal's own lattice, so
 * r_e = (frac[dst] + image − frac[src]) · lattices[edgeCrystalIndex[e]].
 *
 * @example
 * const batch: GraphBatch = radiusGraphBatch(crystals, { cutoff: 5 });
 * batch.crystalIndex; // Int32Array(N): the crystal of every node
 */
export interface GraphBatch extends PeriodicGraph {
  /** Number of crystals B. */
  readonly numGraphs: number;
  /** B atom counts. */
  readonly numAtoms: Int32Array;
  /** 9·B lattices, row-major, crystal-major. */
  readonly lattices: Float64Array;
  /** 3·N fractional coordinates, atom-major, crystals concatenated. */
  readonly fracCoords: Float64Array;
  /** N atomic numbers. */
  readonly atomicNumbers: Uint8Array;
  /** N crystal index of each node (segment ids for per-crystal sums). */
  readonly crystalIndex: Int32Array;
  /** E crystal index of each edge. */
  readonly edgeCrystalIndex: Int32Array;
  /** B + 1 node offsets: crystal b owns nodes nodeOffsets[b] … nodeOffsets[b+1]−1. */
  readonly nodeOffsets: Int32Array;
  /** B + 1 edge offsets: crystal b owns edges edgeOffsets[b] … edgeOffsets[b+1]−1. */
  readonly edgeOffsets: Int32Array;
}
