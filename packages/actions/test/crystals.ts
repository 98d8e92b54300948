/**
 * Test-only helpers (excluded from the build): read the committed val CSVs (through @crys/io, a devDependency),
 * give edges deterministic invariant weights, draw random orthogonal matrices.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readDatasetCsv } from '@crys/io';
import type { Crystal } from '@crys/lattice';

const ROOT = new URL('../../../', import.meta.url);

const textCache = new Map<string, string>();

/**
 * The first `limit` crystals of data/<name>/val.csv (whole file when limit is omitted), fractional coordinates
 * exactly as written (`wrap: false`); reads only those rows, fresh arrays on every call.
 */
export function readVal(name: 'perov_5' | 'carbon_24', limit = Number.POSITIVE_INFINITY): Crystal[] {
  const source = fileURLToPath(new URL(`data/${name}/val.csv`, ROOT));
  let text = textCache.get(name);
  if (text === undefined) {
    text = readFileSync(source, 'utf8');
    textCache.set(name, text);
  }
  const out: Crystal[] = [];
  if (limit <= 0) return out;
  for (const row of readDatasetCsv(text, { source, wrap: false })) {
    if (row.warnings.length > 0) throw new Error(`readVal: ${row.warnings.join('\n')}`);
    out.push(row.crystal);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Two invariant weights per edge (2·E, edge-major) from its length and the two species only: a stand-in for
 * a trained network's edge head that is invariant by construction (asymmetric in src/dst on purpose).
 */
export function invariantWeights(
  atomicNumbers: Uint8Array,
  graph: { readonly src: Int32Array; readonly dst: Int32Array },
  edgeVectors: ArrayLike<number>,
  cutoff: number,
): Float64Array {
  const z = atomicNumbers,
    r = edgeVectors;
  const out = new Float64Array(2 * graph.src.length);
  for (let e = 0; e < graph.src.length; e++) {
    const d = Math.hypot(r[3 * e], r[3 * e + 1], r[3 * e + 2]);
    const fc = d < cutoff ? 0.5 * (Math.cos((Math.PI * d) / cutoff) + 1) : 0;
    const zs = z[graph.src[e]],
      zd = z[graph.dst[e]];
    out[2 * e] = 0.05 * Math.sin(1.3 * d + 0.11 * zs - 0.07 * zd) * fc;
    out[2 * e + 1] = 0.8 * Math.cos(0.7 * d + 0.05 * zd + 0.03 * zs) * fc;
  }
  return out;
}

/** A uniformly random rotation (det +1), or a rotoreflection when `reflect`, from a uniform quaternion. */
export function randomOrthogonal(rand: () => number, reflect = false): Float64Array {
  const u1 = rand(),
    u2 = 2 * Math.PI * rand(),
    u3 = 2 * Math.PI * rand();
  const a = Math.sqrt(1 - u1),
    b = Math.sqrt(u1);
  const w = a * Math.sin(u2),
    x = a * Math.cos(u2),
    y = b * Math.sin(u3),
    zq = b * Math.cos(u3);
  const R = Float64Array.of(
    1 - 2 * (y * y + zq * zq),
    2 * (x * y - zq * w),
    2 * (x * zq + y * w),
    2 * (x * y + zq * w),
    1 - 2 * (x * x + zq * zq),
    2 * (y * zq - x * w),
    2 * (x * zq - y * w),
    2 * (y * zq + x * w),
    1 - 2 * (x * x + y * y),
  );
  if (reflect) for (let i = 6; i < 9; i++) R[i] = -R[i];
  return R;
}
