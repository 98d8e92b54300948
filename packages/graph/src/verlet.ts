import {
  assertFiniteArray,
  assertLattice,
  type Crystal,
  InvalidArgumentError,
  invert,
  type Mat3Like,
} from '@crys/lattice';
import { updateEdgeGeometry } from './geometry.js';
import { checkCutoff, radiusGraph } from './radius-graph.js';
import type { PeriodicGraph } from './types.js';

/** Options of {@link createVerletList}. *
 * @example
 * createVerletList(crystal, { cutoff: 5, skin: 1 });
 *
 * @example
 * const list: VerletList = createVerletList(crystal, { cutoff: 5, skin: 1 });
 * if (list.needsRebuild(lattice, fracCoords)) console.log('moved too far');
 */
export interface VerletListOptions {
  /** Interaction cutoff (Å). Positive and finite. */
  readonly cutoff: number;
  /** Extra shell (Å) kept in the list so that small motions need no rebuild. Positive and finite. */
  readonly skin: number;
  /** Edge budget of each rebuild, as in {@link radiusGraph}. */
  readonly maxEdges?: number;
}

/**
 * A Verlet (skin) neighbour list for a crystal that moves step by step: atoms move and the lattice deforms.
 * It keeps every edge within cutoff + skin of a reference geometry and answers, for a new geometry, whether
 * that list still contains every edge within the cutoff.
 */
export interface VerletList {
  /** Interaction cutoff (Å). */
  readonly cutoff: number;
  /** Skin (Å). */
  readonly skin: number;
  /** Number of builds so far (1 after creation). */
  readonly builds: number;
  /** The skin graph: every edge within cutoff + skin of the reference geometry, with distances and vectors. */
  readonly graph: PeriodicGraph;
  /**
   * True when the list may miss an edge within the cutoff at this geometry (so it must be rebuilt); false when
   * it provably contains them all. See {@link verletSafeMargin} for the bound.
   */
  needsRebuild(lattice: Mat3Like, fracCoords: ArrayLike<number>): boolean;
  /**
   * The exact radius graph at the cutoff for this geometry (with distances and vectors): filtered from the skin
   * list when it is still valid, otherwise after a rebuild that makes this geometry the new reference.
   */
  update(lattice: Mat3Like, fracCoords: ArrayLike<number>): PeriodicGraph;
}

const scratchInv = new Float64Array(9);

/**
 * The rebuild rule of {@link VerletList}, as a number: σ·(cutoff + skin) − 2·u − cutoff, where σ is the smallest
 * singular value of the deformation F = L₀⁻¹·L (row-vector convention, r ↦ r·F) and u the largest displacement
 * |(x_i − x0_i)·L| of an atom measured in the new lattice. The list is valid while this is ≥ 0.
 *
 * Derivation: for an edge (i, j, τ), r = (x_j + τ − x_i)·L = r₀·F + (u_j − u_i) with r₀ its reference vector
 * and u_i = (x_i − x0_i)·L, so |r| ≥ σ·|r₀| − 2u. An edge missing from the list has |r₀| > cutoff + skin,
 * hence |r| > σ·(cutoff + skin) − 2u ≥ cutoff while the margin is ≥ 0. Lattice strain moves far images more
 * than near ones; the bound covers it through σ, whatever the image.
 *
 * @example
 * verletSafeMargin(L0, x0, L, x, 5, 1) >= 0; // the list built at (L0, x0) still holds every edge ≤ 5 Å
 */
export function verletSafeMargin(
  referenceLattice: Mat3Like,
  referenceFracCoords: ArrayLike<number>,
  lattice: Mat3Like,
  fracCoords: ArrayLike<number>,
  cutoff: number,
  skin: number,
): number {
  const l = lattice;
  if (!invert(scratchInv, referenceLattice)) return Number.NEGATIVE_INFINITY;
  const f = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      f[3 * r + c] = scratchInv[3 * r] * l[c] + scratchInv[3 * r + 1] * l[3 + c] + scratchInv[3 * r + 2] * l[6 + c];
    }
  }
  const sigma = Math.sqrt(Math.max(0, smallestEigenvalueGram(f)));
  let u2 = 0;
  for (let a = 0; a < fracCoords.length; a += 3) {
    const dx = fracCoords[a] - referenceFracCoords[a];
    const dy = fracCoords[a + 1] - referenceFracCoords[a + 1];
    const dz = fracCoords[a + 2] - referenceFracCoords[a + 2];
    const x = dx * l[0] + dy * l[3] + dz * l[6];
    const y = dx * l[1] + dy * l[4] + dz * l[7];
    const z = dx * l[2] + dy * l[5] + dz * l[8];
    const d2 = x * x + y * y + z * z;
    if (d2 > u2) u2 = d2;
  }
  // A relative 1e-12 allowance for rounding in σ and in the distances the list was built from.
  return sigma * (cutoff + skin) * (1 - 1e-12) - 2 * Math.sqrt(u2) - cutoff;
}

/** Smallest eigenvalue of F·Fᵀ (squared smallest singular value of F), closed form for symmetric 3×3. */
function smallestEigenvalueGram(f: Float64Array): number {
  const s00 = f[0] * f[0] + f[1] * f[1] + f[2] * f[2];
  const s11 = f[3] * f[3] + f[4] * f[4] + f[5] * f[5];
  const s22 = f[6] * f[6] + f[7] * f[7] + f[8] * f[8];
  const s01 = f[0] * f[3] + f[1] * f[4] + f[2] * f[5];
  const s02 = f[0] * f[6] + f[1] * f[7] + f[2] * f[8];
  const s12 = f[3] * f[6] + f[4] * f[7] + f[5] * f[8];
  const p1 = s01 * s01 + s02 * s02 + s12 * s12;
  const q = (s00 + s11 + s22) / 3;
  const p2 = (s00 - q) ** 2 + (s11 - q) ** 2 + (s22 - q) ** 2 + 2 * p1;
  if (p2 === 0) return q;
  const p = Math.sqrt(p2 / 6);
  const b00 = (s00 - q) / p,
    b11 = (s11 - q) / p,
    b22 = (s22 - q) / p;
  const b01 = s01 / p,
    b02 = s02 / p,
    b12 = s12 / p;
  const det = b00 * (b11 * b22 - b12 * b12) - b01 * (b01 * b22 - b12 * b02) + b02 * (b01 * b12 - b11 * b02);
  const r = Math.min(1, Math.max(-1, det / 2));
  const phi = Math.acos(r) / 3;
  // Smallest root, minus a rounding allowance proportional to the matrix scale (keeps the rule conservative).
  return q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3) - 1e-14 * (s00 + s11 + s22);
}

/**
 * A {@link VerletList} for `crystal`: builds every edge within cutoff + skin now, then tells when motions and
 * lattice deformations have gone far enough to need a rebuild (see {@link verletSafeMargin}). Coordinates must
 * move continuously (do not re-wrap them into [0, 1) between steps, or the rule asks for a rebuild).
 *
 * @example
 * const list = createVerletList(crystal, { cutoff: 5, skin: 1 });
 * const g = list.update(newLattice, newFracCoords); // exact 5 Å graph; rebuilt only when needed
 */
export function createVerletList(crystal: Crystal, options: VerletListOptions): VerletList {
  const fn = 'createVerletList';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, 'options', `must be an object with cutoff and skin, got ${String(options)}`);
  }
  const cutoff = checkCutoff(fn, options.cutoff);
  const skin = checkCutoff(fn, options.skin, 'skin');
  const maxEdges = options.maxEdges;
  let refLattice = Float64Array.from(crystal.lattice);
  let refFrac = Float64Array.from(crystal.fracCoords);
  const n = crystal.atomicNumbers.length;
  const build = (lattice: ArrayLike<number>, frac: ArrayLike<number>): PeriodicGraph =>
    radiusGraph(
      {
        lattice: Float64Array.from(lattice),
        fracCoords: Float64Array.from(frac),
        atomicNumbers: crystal.atomicNumbers,
      },
      { cutoff: cutoff + skin, vectors: true, distances: true, ...(maxEdges !== undefined ? { maxEdges } : {}) },
    );
  let graph = build(refLattice, refFrac);
  let builds = 1;
  const check = (name: string, lattice: Mat3Like, fracCoords: ArrayLike<number>): void => {
    assertLattice(name, lattice);
    assertFiniteArray(name, 'fracCoords', fracCoords, 3 * n);
  };
  const list: VerletList = {
    cutoff,
    skin,
    get builds() {
      return builds;
    },
    get graph() {
      return graph;
    },
    needsRebuild(lattice, fracCoords) {
      check('VerletList.needsRebuild', lattice, fracCoords);
      return !(verletSafeMargin(refLattice, refFrac, lattice, fracCoords, cutoff, skin) >= 0);
    },
    update(lattice, fracCoords) {
      check('VerletList.update', lattice, fracCoords);
      if (!(verletSafeMargin(refLattice, refFrac, lattice, fracCoords, cutoff, skin) >= 0)) {
        refLattice = Float64Array.from(lattice);
        refFrac = Float64Array.from(fracCoords);
        graph = build(refLattice, refFrac);
        builds++;
      } else {
        updateEdgeGeometry(graph, lattice, fracCoords);
      }
      return filterByDistance(graph, cutoff);
    },
  };
  return list;
}

/** The edges of `g` with distance ≤ cutoff, as a new graph (distances and vectors copied). */
function filterByDistance(g: PeriodicGraph, cutoff: number): PeriodicGraph {
  const d = g.distances as Float64Array,
    v = g.vectors as Float64Array;
  let m = 0;
  for (let e = 0; e < d.length; e++) if (d[e] <= cutoff) m++;
  const src = new Int32Array(m),
    dst = new Int32Array(m),
    image = new Int32Array(3 * m);
  const distances = new Float64Array(m),
    vectors = new Float64Array(3 * m);
  let q = 0;
  for (let e = 0; e < d.length; e++) {
    if (!(d[e] <= cutoff)) continue;
    src[q] = g.src[e];
    dst[q] = g.dst[e];
    distances[q] = d[e];
    for (let c = 0; c < 3; c++) {
      image[3 * q + c] = g.image[3 * e + c];
      vectors[3 * q + c] = v[3 * e + c];
    }
    q++;
  }
  return { numNodes: g.numNodes, src, dst, image, distances, vectors };
}
