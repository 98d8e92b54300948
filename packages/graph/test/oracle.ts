import { join } from 'node:path';
import type { PeriodicGraph } from '../src/types.js';
import { REPO_ROOT } from './datasets.js';
import { readGzipJson } from './digest.js';

export const FIXTURES = join(REPO_ROOT, 'packages/graph/test/fixtures');

/** Full ASE edge list of one crystal at one cutoff (tools/fixtures/graph_oracle.py `full`). */
export interface OracleEdges {
  src: number[];
  dst: number[];
  image: number[];
  d: number[];
  /** Indices of edges with |d − cutoff| ≤ 1e-6: a port may include or exclude them. */
  amb: number[];
}

export interface OracleCrystal {
  dataset: 'perov_5' | 'carbon_24' | 'skewed';
  row: number;
  id: string;
  lattice: number[];
  fracCoords: number[];
  symbols: string[];
  edges: Record<string, OracleEdges>;
}

export interface OracleEdgeFile {
  cutoffs: number[];
  crystals: OracleCrystal[];
}

export function readOracleEdges(): OracleEdgeFile {
  return readGzipJson<OracleEdgeFile>(join(FIXTURES, 'oracle-edges.json.gz'));
}

/**
 * Compares a graph with an ASE edge list: every non-ambiguous ASE edge must be present, every edge of ours must
 * be an ASE edge (ambiguous ones included), and distances must agree. Returns the discrepancies.
 */
export function compareWithOracle(
  g: PeriodicGraph,
  ref: OracleEdges,
): { missing: string[]; extra: string[]; maxDiff: number } {
  const index = new Map<string, number>();
  for (let e = 0; e < ref.src.length; e++) {
    index.set(`${ref.src[e]},${ref.dst[e]},${ref.image[3 * e]},${ref.image[3 * e + 1]},${ref.image[3 * e + 2]}`, e);
  }
  const amb = new Set(ref.amb);
  const seen = new Uint8Array(ref.src.length);
  const extra: string[] = [];
  let maxDiff = 0;
  const d = g.distances as Float64Array;
  for (let e = 0; e < g.src.length; e++) {
    const key = `${g.src[e]},${g.dst[e]},${g.image[3 * e]},${g.image[3 * e + 1]},${g.image[3 * e + 2]}`;
    const f = index.get(key);
    if (f === undefined) {
      extra.push(key);
      continue;
    }
    seen[f] = 1;
    maxDiff = Math.max(maxDiff, Math.abs(d[e] - ref.d[f]));
  }
  const missing: string[] = [];
  for (let f = 0; f < ref.src.length; f++) {
    if (!seen[f] && !amb.has(f))
      missing.push(`${ref.src[f]},${ref.dst[f]},${ref.image.slice(3 * f, 3 * f + 3).join(',')}`);
  }
  return { missing, extra, maxDiff };
}
