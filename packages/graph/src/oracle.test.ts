import { describe, expect, it } from 'vitest';
import { radiusGraphFromArrays } from './radius-graph.js';
import { type DatasetRow, loadVal } from '../test/datasets.js';
import { compareWithOracle, readOracleEdges } from '../test/oracle.js';

// Full ASE edge lists (tools/fixtures/graph_oracle.py): a stride of the val crystals and random strongly skewed cells,
// at 4, 6 and 8 Å. The whole datasets are checked by digests in oracle.slow.test.ts.
const oracle = readOracleEdges();

describe('radiusGraph against ASE neighbor_list', () => {
  const rows: Record<string, DatasetRow[]> = {};
  const need = (name: 'perov_5' | 'carbon_24', row: number): DatasetRow => {
    rows[name] ??= loadVal(name);
    return rows[name][row];
  };

  it('the val CIFs read in file order, coordinates as written, match the oracle inputs', () => {
    for (const c of oracle.crystals) {
      if (c.dataset === 'skewed') continue;
      const { id, crystal } = need(c.dataset, c.row);
      expect(id).toBe(c.id);
      expect(Array.from(crystal.fracCoords)).toEqual(c.fracCoords);
      for (let k = 0; k < 9; k++) expect(Math.abs(crystal.lattice[k] - c.lattice[k])).toBeLessThan(1e-12);
    }
  });

  for (const method of ['auto', 'cells'] as const) {
    it(`radiusGraph (method ${method}) gives ASE's edge multiset and distances within 1e-9 on ${oracle.crystals.length} crystals × 3 cutoffs`, () => {
      const failures: string[] = [];
      let edges = 0;
      for (const c of oracle.crystals) {
        const lattice = c.dataset === 'skewed' ? c.lattice : need(c.dataset, c.row).crystal.lattice;
        const frac = c.dataset === 'skewed' ? c.fracCoords : need(c.dataset, c.row).crystal.fracCoords;
        for (const rc of oracle.cutoffs) {
          const g = radiusGraphFromArrays(lattice, frac, rc, { method });
          const ref = c.edges[String(rc)];
          const { missing, extra, maxDiff } = compareWithOracle(g, ref);
          edges += g.src.length;
          if (missing.length || extra.length || !(maxDiff <= 1e-9)) {
            failures.push(
              `${c.dataset}/${c.id} @${rc}: missing ${missing.slice(0, 3)} extra ${extra.slice(0, 3)} maxDiff ${maxDiff}`,
            );
          }
        }
      }
      expect(failures).toEqual([]);
      expect(edges).toBeGreaterThan(100_000);
    });
  }
});
