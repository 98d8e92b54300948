import type { PeriodicGraph } from './types.js';

function hashEdge(a: number, b: number, x: number, y: number, z: number): number {
  let h = Math.imul(a ^ 0x5bd1e995, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 13) ^ x, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 16) ^ y, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15) ^ z, 0x165667b1);
  return h ^ (h >>> 16);
}

/**
 * For every edge (i → j, τ) the index of its twin (j → i, −τ), or −1 when the graph has none (a kNN graph
 * is not symmetric). Linear time: one open-addressing hash table over the edges (Int32, 2–4 slots per edge).
 *
 * @example
 * const g = radiusGraph(crystal, { cutoff: 5 });
 * const rev = reverseEdges(g); // g.src[rev[e]] === g.dst[e], g.image[3 * rev[e]] === -g.image[3 * e]
 */
export function reverseEdges(graph: Pick<PeriodicGraph, 'src' | 'dst' | 'image'>): Int32Array {
  const { src, dst, image } = graph;
  const e = src.length;
  let size = 16;
  while (size < 2 * e) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  for (let q = 0; q < e; q++) {
    let s = hashEdge(src[q], dst[q], image[3 * q], image[3 * q + 1], image[3 * q + 2]) & mask;
    while (table[s] !== -1) s = (s + 1) & mask;
    table[s] = q;
  }
  const out = new Int32Array(e);
  for (let q = 0; q < e; q++) {
    const a = dst[q],
      b = src[q],
      x = -image[3 * q],
      y = -image[3 * q + 1],
      z = -image[3 * q + 2];
    let s = hashEdge(a, b, x, y, z) & mask;
    let found = -1;
    for (let f = table[s]; f !== -1; f = table[s]) {
      if (src[f] === a && dst[f] === b && image[3 * f] === x && image[3 * f + 1] === y && image[3 * f + 2] === z) {
        found = f;
        break;
      }
      s = (s + 1) & mask;
    }
    out[q] = found;
  }
  return out;
}
