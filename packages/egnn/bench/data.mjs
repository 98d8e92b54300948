// Dataset loading for the benchmarks (plain JS: runs against the built packages, @crys/io included; no Python).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDatasetCsv } from '@crys/io';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The first `count` crystals of a val split (the peer takes the same ones: `load_crystals(ds, 'val', limit)`), read
 * by @crys/io with fractional coordinates exactly as written (`wrap: false`).
 */
export function valCrystals(name, count) {
  const source = join(REPO_ROOT, 'data', name, 'val.csv');
  const out = [];
  if (count <= 0) return out;
  for (const row of readDatasetCsv(readFileSync(source, 'utf8'), { source, wrap: false })) {
    if (row.warnings.length > 0) throw new Error(`valCrystals: ${row.warnings.join('\n')}`);
    out.push(row.crystal);
    if (out.length >= count) break;
  }
  return out;
}

/** xorshift32 in [0, 1). */
export function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/**
 * The peer's synthetic graph (`egnn_ref.py synthetic`): `deg` edges per atom to random atoms, random directions,
 * lengths uniform in [1, cutoff), atomic numbers in [1, 90), one crystal.
 */
export function syntheticGraph(N, deg, cutoff, seed = 0) {
  const r = rng(seed + 12345);
  const E = N * deg;
  const src = new Int32Array(E);
  const dst = new Int32Array(E);
  const vectors = new Float32Array(3 * E);
  for (let e = 0; e < E; e++) {
    src[e] = Math.floor(e / deg);
    dst[e] = Math.floor(r() * N);
    let x, y, z, n;
    do {
      x = 2 * r() - 1;
      y = 2 * r() - 1;
      z = 2 * r() - 1;
      n = Math.hypot(x, y, z);
    } while (n > 1 || n < 1e-3);
    const len = 1 + (cutoff - 1) * r();
    vectors[3 * e] = (x / n) * len;
    vectors[3 * e + 1] = (y / n) * len;
    vectors[3 * e + 2] = (z / n) * len;
  }
  const atomicNumbers = new Int32Array(N);
  for (let i = 0; i < N; i++) atomicNumbers[i] = 1 + Math.floor(r() * 89);
  return { N, E, src, dst, vectors, atomicNumbers };
}
