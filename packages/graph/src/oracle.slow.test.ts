import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { radiusGraph } from './radius-graph.js';
import { loadVal } from '../test/datasets.js';
import { digestEdges, type EdgeDigest, readGzipJson } from '../test/digest.js';
import { FIXTURES } from '../test/oracle.js';

// Every val crystal of Perov-5 and Carbon-24 at 4, 6 and 8 Å against ASE's neighbor_list, through per-crystal
// digests written by tools/fixtures/graph_oracle.py: edge count, two order-independent 32-bit hashes of the
// (src, dst, τ) multiset, compensated sums of d and d², and nine sorted-distance quantiles (each within 1e-9).
interface DigestFile {
  seeds: [number, number];
  cutoffs: number[];
  ambiguity: number;
  datasets: Record<'perov_5' | 'carbon_24', ({ id: string; n: number } & Record<string, EdgeDigest>)[]>;
}

const file = readGzipJson<DigestFile>(join(FIXTURES, 'oracle-digests.json.gz'));

describe('radiusGraph against ASE on the whole val datasets', () => {
  for (const name of ['perov_5', 'carbon_24'] as const) {
    for (const method of ['auto', 'cells'] as const) {
      it(`radiusGraph (method ${method}) matches ASE on every ${name} val crystal at 4, 6 and 8 Å`, () => {
        const rows = loadVal(name);
        const ref = file.datasets[name];
        expect(rows.length).toBe(ref.length);
        const failures: string[] = [];
        let checked = 0;
        for (let r = 0; r < rows.length; r++) {
          const { id, crystal } = rows[r];
          if (id !== ref[r].id || crystal.atomicNumbers.length !== ref[r].n) failures.push(`row ${r}: id/n differ`);
          for (const rc of file.cutoffs) {
            const want = ref[r][String(rc)];
            const g = radiusGraph(crystal, { cutoff: rc, method });
            const amb = new Set((want.amb ?? []).map((a) => a.slice(0, 5).join(',')));
            const got = digestEdges(g, file.seeds, amb);
            // our edges in the ambiguous band must really be within 1e-6 of the cutoff
            for (let e = 0; e < g.src.length && amb.size > 0; e++) {
              const key = `${g.src[e]},${g.dst[e]},${g.image.subarray(3 * e, 3 * e + 3).join(',')}`;
              if (amb.has(key) && !(Math.abs((g.distances as Float64Array)[e] - rc) <= file.ambiguity + 1e-9)) {
                failures.push(`${id} @${rc}: ambiguous edge ${key} at ${(g.distances as Float64Array)[e]}`);
              }
            }
            const ok =
              got.ne === want.ne &&
              got.h1 === want.h1 &&
              got.h2 === want.h2 &&
              Math.abs(got.sd - want.sd) <= 1e-9 &&
              Math.abs(got.sd2 - want.sd2) <= 1e-8 &&
              got.q.length === want.q.length &&
              got.q.every((x, k) => Math.abs(x - want.q[k]) <= 1e-9);
            if (!ok) failures.push(`${id} @${rc}: ours ${JSON.stringify(got)} ASE ${JSON.stringify(want)}`);
            checked++;
          }
        }
        expect(failures.slice(0, 5)).toEqual([]);
        expect(checked).toBe(3 * ref.length);
      });
    }
  }
});
