import { linearAssignment } from '@crys/eval';

/** Options of {@link alignedDisplacement}. */
export interface AlignOptions {
  /** Candidate (operation, anchor site) pairs scored cheaply (default 48). */
  readonly maxCandidates?: number;
  /** Best-scored candidates refined with optimal assignments and translations (default 3). */
  readonly refine?: number;
}

/**
 * The displacement that takes noised fractional coordinates x to the nearest equivalent copy of a clean structure y:
 * nearest over the clean lattice's point-group operations R (y ↦ y·R, the same crystal rotated onto its own
 * lattice), translations s and permutations π of atoms of the same species, in the Cartesian metric of `lattice`
 * with the nearest image of every atom: d_i = y_π(i)·R + s − x_i. Every candidate copy is the same crystal, so
 * d is as valid a target as the negated noise, and it is the shortest one: a training target that does not ask the
 * network to choose among equivalent sites (the optimal-transport coupling of equivariant flow matching, here with
 * the crystal's symmetries). The mean over atoms is removed (translations are free).
 *
 * Search: every operation is paired with translations that put one atom of the rarest species on each of its sites
 * (at most `maxCandidates` pairs, evenly spread), each scored by the sum of nearest same-species squared distances;
 * the `refine` best are refined by two rounds of optimal assignment per species (Hungarian) and mean-residual
 * translation, and so is the plain copy (identity, mean-residual translation). Deterministic. `ops[0]` must be the identity (use `[identity]` for permutations and translations only).
 *
 * @example
 * const ops = latticePointGroup(crystal.lattice);
 * const d = alignedDisplacement(noisedFrac, crystal.fracCoords, species, noisedLattice, ops);
 */
export function alignedDisplacement(
  noised: ArrayLike<number>,
  clean: ArrayLike<number>,
  species: ArrayLike<number>,
  lattice: ArrayLike<number>,
  ops: readonly ArrayLike<number>[],
  options: AlignOptions = {},
  out: Float64Array = new Float64Array(noised.length),
): Float64Array {
  const n = species.length;
  const maxCandidates = options.maxCandidates ?? 48;
  const refine = options.refine ?? 3;
  const g = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      g[3 * i + j] =
        lattice[3 * i] * lattice[3 * j] +
        lattice[3 * i + 1] * lattice[3 * j + 1] +
        lattice[3 * i + 2] * lattice[3 * j + 2];
  const dist2 = (dx: number, dy: number, dz: number) =>
    dx * (g[0] * dx + g[1] * dy + g[2] * dz) +
    dy * (g[3] * dx + g[4] * dy + g[5] * dz) +
    dz * (g[6] * dx + g[7] * dy + g[8] * dz);
  const near = (v: number) => v - Math.round(v);

  // species groups, the rarest first (ties: smallest species value), for a deterministic anchor
  const groupsBySpecies = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const s = species[i];
    const list = groupsBySpecies.get(s);
    if (list) list.push(i);
    else groupsBySpecies.set(s, [i]);
  }
  const groups = [...groupsBySpecies.entries()]
    .sort((a, b) => a[1].length - b[1].length || a[0] - b[0])
    .map((e) => e[1]);
  const anchorGroup = groups[0];
  const anchor = anchorGroup[0];

  // y·R for every operation
  const rotated = ops.map((r) => {
    const yr = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const a = clean[3 * i],
        b = clean[3 * i + 1],
        c = clean[3 * i + 2];
      for (let q = 0; q < 3; q++) yr[3 * i + q] = a * r[q] + b * r[3 + q] + c * r[6 + q];
    }
    return yr;
  });

  // cheap scores of (operation, anchor site) candidates
  const perOp = Math.max(1, Math.min(anchorGroup.length, Math.floor(maxCandidates / ops.length)));
  const candidates: { op: number; s: Float64Array; score: number }[] = [];
  for (let o = 0; o < ops.length; o++) {
    const yr = rotated[o];
    for (let k = 0; k < perOp; k++) {
      const site = anchorGroup[Math.floor((k * anchorGroup.length) / perOp)];
      const s = Float64Array.of(
        noised[3 * anchor] - yr[3 * site],
        noised[3 * anchor + 1] - yr[3 * site + 1],
        noised[3 * anchor + 2] - yr[3 * site + 2],
      );
      let score = 0;
      for (const group of groups) {
        for (const i of group) {
          let best = Number.POSITIVE_INFINITY;
          for (const j of group) {
            const d = dist2(
              near(yr[3 * j] + s[0] - noised[3 * i]),
              near(yr[3 * j + 1] + s[1] - noised[3 * i + 1]),
              near(yr[3 * j + 2] + s[2] - noised[3 * i + 2]),
            );
            if (d < best) best = d;
          }
          score += best;
        }
      }
      candidates.push({ op: o, s, score });
    }
  }
  candidates.sort((a, b) => a.score - b.score || a.op - b.op);
  // the plain copy (no operation, the mean-residual translation) is always refined, so the result is never
  // longer than the plain target
  const plainS = new Float64Array(3);
  for (let i = 0; i < n; i++) for (let q = 0; q < 3; q++) plainS[q] -= near(clean[3 * i + q] - noised[3 * i + q]) / n;
  candidates.splice(Math.min(refine, candidates.length), 0, { op: 0, s: plainS, score: 0 });

  // refinement: optimal assignment per species, then the mean-residual translation, twice
  const perm = new Int32Array(n);
  const bestPerm = new Int32Array(n);
  let bestCost = Number.POSITIVE_INFINITY,
    bestOp = 0;
  const bestS = new Float64Array(3);
  const maxGroup = Math.max(...groups.map((x) => x.length));
  const cost = new Float64Array(maxGroup * maxGroup);
  const assignment = new Int32Array(maxGroup);
  for (let c = 0; c < Math.min(refine + 1, candidates.length); c++) {
    const { op } = candidates[c];
    const yr = rotated[op];
    const s = Float64Array.from(candidates[c].s);
    let total = 0;
    for (let round = 0; round < 3; round++) {
      if (round < 2) {
        for (const group of groups) {
          const m = group.length;
          if (m === 1) {
            perm[group[0]] = group[0];
            continue;
          }
          for (let a = 0; a < m; a++) {
            const i = group[a];
            for (let b = 0; b < m; b++) {
              const j = group[b];
              cost[a * m + b] = dist2(
                near(yr[3 * j] + s[0] - noised[3 * i]),
                near(yr[3 * j + 1] + s[1] - noised[3 * i + 1]),
                near(yr[3 * j + 2] + s[2] - noised[3 * i + 2]),
              );
            }
          }
          linearAssignment(cost.subarray(0, m * m), m, assignment);
          for (let a = 0; a < m; a++) perm[group[a]] = group[assignment[a]];
        }
      }
      // residuals under (perm, s); the last round only measures
      let mx = 0,
        my = 0,
        mz = 0;
      total = 0;
      for (let i = 0; i < n; i++) {
        const j = perm[i];
        const dx = near(yr[3 * j] + s[0] - noised[3 * i]),
          dy = near(yr[3 * j + 1] + s[1] - noised[3 * i + 1]),
          dz = near(yr[3 * j + 2] + s[2] - noised[3 * i + 2]);
        mx += dx;
        my += dy;
        mz += dz;
        total += dist2(dx, dy, dz);
      }
      if (round < 2) {
        s[0] -= mx / n;
        s[1] -= my / n;
        s[2] -= mz / n;
      }
    }
    if (total < bestCost) {
      bestCost = total;
      bestOp = op;
      bestPerm.set(perm);
      bestS.set(s);
    }
  }
  const yr = rotated[bestOp];
  const mean = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const j = bestPerm[i];
    for (let q = 0; q < 3; q++) {
      const d = near(yr[3 * j + q] + bestS[q] - noised[3 * i + q]);
      out[3 * i + q] = d;
      mean[q] += d / n;
    }
  }
  for (let i = 0; i < 3 * n; i++) out[i] -= mean[i % 3];
  return out;
}
