import { createCrystal } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { batchGraphs, radiusGraphBatch } from './batch.js';
import { createGraphWorkspace, KEEP_LIMIT, ONE_BUFFER_BYTES } from './edge-buffer.js';
import { radiusGraph, radiusGraphFromArrays } from './radius-graph.js';
import { loadVal } from '../test/datasets.js';

/** n×n×n supercell of a crystal (cell copies outer, atoms inner). */
function supercell(c: { lattice: Float64Array; fracCoords: Float64Array; atomicNumbers: Uint8Array }, n: number) {
  const m = c.atomicNumbers.length;
  const frac: number[] = [];
  const z: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++)
        for (let s = 0; s < m; s++) {
          frac.push(
            (c.fracCoords[3 * s] + i) / n,
            (c.fracCoords[3 * s + 1] + j) / n,
            (c.fracCoords[3 * s + 2] + k) / n,
          );
          z.push(c.atomicNumbers[s]);
        }
  return createCrystal({ lattice: Array.from(c.lattice, (v) => v * n), fracCoords: frac, atomicNumbers: z });
}

/** Equal arrays (or both absent); a mismatch reports its first index, not a diff of a million entries. */
function same(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): void {
  expect(a === undefined).toBe(b === undefined);
  if (!a || !b) return;
  expect(a.length).toBe(b.length);
  let first = -1;
  for (let q = 0; q < a.length && first < 0; q++) if (!Object.is(a[q], b[q])) first = q;
  expect(first).toBe(-1);
}

describe('radiusGraphBatch', () => {
  it('radiusGraphBatch(crystals, options) equals batchGraphs over per-crystal radiusGraph on val crystals', () => {
    const crystals = [...loadVal('perov_5', 40), ...loadVal('carbon_24', 40)].map((r) => r.crystal);
    for (const options of [{ cutoff: 5 }, { cutoff: 6, vectors: true, reverse: true, distances: false }]) {
      const ref = batchGraphs(
        crystals,
        crystals.map((c) => radiusGraph(c, options)),
      );
      for (const batch of [
        radiusGraphBatch(crystals, options),
        radiusGraphBatch(crystals, { ...options, workspace: createGraphWorkspace() }),
      ]) {
        expect(batch.numNodes).toBe(ref.numNodes);
        for (const key of [
          'src',
          'dst',
          'image',
          'distances',
          'vectors',
          'reverse',
          'numAtoms',
          'lattices',
          'fracCoords',
          'atomicNumbers',
          'crystalIndex',
          'edgeCrystalIndex',
          'nodeOffsets',
          'edgeOffsets',
        ] as const) {
          same(batch[key], ref[key]);
        }
      }
    }
  });

  it('radiusGraphBatch(crystals, options) applies the edge budget to each crystal', () => {
    const crystals = loadVal('carbon_24', 3).map((r) => r.crystal);
    const per = crystals.map((c) => radiusGraph(c, { cutoff: 5 }).src.length);
    const maxEdges = Math.ceil(1.2 * Math.max(...per));
    const batch = radiusGraphBatch(crystals, { cutoff: 5, maxEdges });
    expect(batch.src.length).toBe(per[0] + per[1] + per[2]);
    expect(batch.src.length).toBeGreaterThan(maxEdges);
  });

  it('radiusGraphBatch(crystals, options) names the crystal with bad input', () => {
    const ok = createCrystal({ lattice: [2, 0, 0, 0, 2, 0, 0, 0, 2], fracCoords: [0, 0, 0], atomicNumbers: [6] });
    const bad = { ...ok, fracCoords: new Float64Array(4) };
    expect(() => radiusGraphBatch([ok, bad], { cutoff: 3 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: radiusGraphBatch: crystals[1]: fracCoords must have length 3·n, got 4]`,
    );
    expect(() => radiusGraphBatch([ok], { cutoff: 3, workspace: {} as never })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: radiusGraphBatch: workspace must come from createGraphWorkspace(), got another object]`,
    );
  });
});

describe('createGraphWorkspace', () => {
  it('radiusGraph(crystal, { workspace }) gives the fresh graph as views that the next build overwrites', () => {
    const [a, b] = loadVal('carbon_24', 2).map((r) => r.crystal);
    const ws = createGraphWorkspace();
    const fa = radiusGraph(a, { cutoff: 5, vectors: true });
    const ga = radiusGraph(a, { cutoff: 5, vectors: true, workspace: ws });
    for (const key of ['src', 'dst', 'image', 'distances', 'vectors'] as const) same(ga[key], fa[key]);
    expect(ga.src.buffer).toBe(radiusGraph(b, { cutoff: 5, workspace: ws }).src.buffer);
    expect(ws.capacity).toBeGreaterThanOrEqual(fa.src.length);
  });

  it('a small graph comes in one new buffer, its arrays exact-size views on it; a larger one in arrays of its own', () => {
    const [small] = loadVal('perov_5', 1).map((r) => r.crystal);
    const larger = supercell(small, 3); // ≈ 4 000 edges: 28 B each is over ONE_BUFFER_BYTES
    const ws = createGraphWorkspace();
    const g = radiusGraph(small, { cutoff: 5, vectors: true });
    const e = g.src.length;
    expect(28 * e + 24 * e).toBeLessThanOrEqual(ONE_BUFFER_BYTES);
    const arrays = [g.src, g.dst, g.image, g.distances, g.vectors] as const;
    for (const a of arrays) expect(a?.buffer).toBe(g.src.buffer);
    expect(g.src.buffer.byteLength).toBe(52 * e);
    expect(arrays.map((a) => a?.length)).toEqual([e, e, 3 * e, e, 3 * e]);
    const copies = arrays.map((a) => a?.slice());
    const ref = radiusGraph(small, { cutoff: 5, vectors: true, workspace: ws });
    for (const key of ['src', 'dst', 'image', 'distances', 'vectors'] as const) same(g[key], ref[key]);
    const h = radiusGraph(larger, { cutoff: 5 });
    expect(28 * h.src.length).toBeGreaterThan(ONE_BUFFER_BYTES);
    expect(h.dst.buffer).not.toBe(h.src.buffer);
    expect(h.src.buffer.byteLength).toBe(4 * h.src.length);
    for (let q = 0; q < arrays.length; q++) same(arrays[q], copies[q]);
    const noDist = radiusGraph(small, { cutoff: 5, distances: false });
    expect(noDist.distances).toBeUndefined();
    expect(noDist.src.buffer.byteLength).toBe(20 * e);
    same(noDist.image, g.image);
  });

  it('a graph of more than KEEP_LIMIT edges equals its build in a workspace and is not shared with the next build', () => {
    const base = loadVal('carbon_24', 20)
      .map((r) => r.crystal)
      .find((c) => c.atomicNumbers.length >= 8);
    if (!base) throw new Error('no carbon_24 crystal with 8 atoms');
    const perCell = radiusGraph(base, { cutoff: 5 }).src.length;
    const c = supercell(base, Math.ceil(Math.cbrt((1.05 * KEEP_LIMIT) / perCell)));
    const g1 = radiusGraph(c, { cutoff: 5 });
    expect(g1.src.length).toBeGreaterThan(KEEP_LIMIT);
    const copy = g1.dst.slice();
    const g2 = radiusGraph(c, { cutoff: 5, method: 'cells' });
    expect(g2.src.buffer).not.toBe(g1.src.buffer);
    same(g1.dst, copy);
    const w = radiusGraph(c, { cutoff: 5, workspace: createGraphWorkspace() });
    for (const key of ['src', 'dst', 'image', 'distances'] as const) same(w[key], g1[key]);
  });

  it('a build into reused storage (the kept scratch, a workspace) writes the (0, 0, 0) images over the previous build', () => {
    // X: one atom in a 1 Å cube at 15 Å, ~14 000 edges, every image non-zero. Y: a 4×4×4 perov_5 supercell, most
    // images (0, 0, 0). Y built after X into the kept scratch and into a workspace must not show X's images.
    const x = { lattice: [1, 0, 0, 0, 1, 0, 0, 0, 1], frac: [0.5, 0.5, 0.5] };
    const y = supercell(loadVal('perov_5', 1)[0].crystal, 4);
    const yFresh = radiusGraph(y, { cutoff: 5, workspace: createGraphWorkspace() });
    let zeros = 0;
    for (let e = 0; e < yFresh.src.length; e++)
      if (yFresh.image[3 * e] === 0 && yFresh.image[3 * e + 1] === 0 && yFresh.image[3 * e + 2] === 0) zeros++;
    expect(zeros / yFresh.src.length).toBeGreaterThan(0.5);
    const ws = createGraphWorkspace();
    const gx = radiusGraphFromArrays(x.lattice, x.frac, 15, { workspace: ws });
    expect(gx.src.length).toBeGreaterThan(yFresh.src.length);
    for (let e = 0; e < gx.src.length; e++) {
      expect(gx.image[3 * e] !== 0 || gx.image[3 * e + 1] !== 0 || gx.image[3 * e + 2] !== 0).toBe(true);
    }
    const yReused = radiusGraph(y, { cutoff: 5, workspace: ws }); // views on ws: checked before ws is reused
    for (const key of ['src', 'dst', 'image', 'distances'] as const) same(yReused[key], yFresh[key]);
    radiusGraphFromArrays(x.lattice, x.frac, 15); // the kept scratch now holds X's images
    const yKept = radiusGraph(y, { cutoff: 5 });
    for (const key of ['src', 'dst', 'image', 'distances'] as const) same(yKept[key], yFresh[key]);
    for (const method of ['cells', 'pairs'] as const) {
      const ref = radiusGraph(y, { cutoff: 5, workspace: createGraphWorkspace(), method });
      radiusGraphFromArrays(x.lattice, x.frac, 15, { workspace: ws });
      const yMethod = radiusGraph(y, { cutoff: 5, workspace: ws, method });
      for (const key of ['src', 'dst', 'image', 'distances'] as const) same(yMethod[key], ref[key]);
    }
  });

  it('radiusGraphFromArrays grows past a density estimate that is too low (all atoms in one corner)', () => {
    // 400 atoms packed in 1/1000 of a 60 Å cell: the mean density predicts ~1 edge, there are ~160 000.
    const x: number[] = [];
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let a = 0; a < 400; a++) x.push(0.1 * rnd(), 0.1 * rnd(), 0.1 * rnd());
    const l = [60, 0, 0, 0, 60, 0, 0, 0, 60];
    const pairs = radiusGraphFromArrays(l, x, 5, { method: 'pairs' });
    const cells = radiusGraphFromArrays(l, x, 5, { method: 'cells' });
    const lent = radiusGraphFromArrays(l, x, 5, { method: 'cells', workspace: createGraphWorkspace() });
    let count = 0;
    for (let i = 0; i < 400; i++)
      for (let j = 0; j < 400; j++) {
        if (i === j) continue;
        const dx = (x[3 * j] - x[3 * i]) * 60,
          dy = (x[3 * j + 1] - x[3 * i + 1]) * 60,
          dz = (x[3 * j + 2] - x[3 * i + 2]) * 60;
        if (dx * dx + dy * dy + dz * dz <= 25) count++;
      }
    expect(pairs.src.length).toBe(count);
    expect(cells.src.length).toBe(count);
    for (const key of ['src', 'dst', 'image', 'distances'] as const) same(lent[key], cells[key]);
  });
});
