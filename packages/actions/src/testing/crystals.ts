/**
 * Test-only helpers (excluded from the build): read the committed val CSVs with a tiny P1-CIF parser (so the tests do
 * not depend on @crys/io), give edges deterministic invariant weights, draw random orthogonal matrices.
 */
import { readFileSync } from 'node:fs';
import { atomicNumberOf, type Crystal, createCrystal, latticeFromParameters } from '@crys/lattice';

const ROOT = new URL('../../../../', import.meta.url);

/** Splits a CSV text (RFC 4180 quoting, multi-line fields) into rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A P1 CIF as written by pymatgen → Crystal. */
export function parseP1Cif(cif: string): Crystal {
  const num = (key: string): number => {
    const m = new RegExp(`^${key}\\s+([-0-9.eE+]+)`, 'm').exec(cif);
    if (!m) throw new Error(`parseP1Cif: missing ${key}`);
    return Number(m[1]);
  };
  const lattice = latticeFromParameters(
    num('_cell_length_a'),
    num('_cell_length_b'),
    num('_cell_length_c'),
    num('_cell_angle_alpha'),
    num('_cell_angle_beta'),
    num('_cell_angle_gamma'),
  );
  const lines = cif.split('\n');
  const start = lines.findIndex((l) => l.trim() === '_atom_site_type_symbol');
  const header: string[] = [];
  let i = start;
  while (lines[i]?.trim().startsWith('_atom_site')) header.push(lines[i++].trim());
  const col = (name: string) => header.indexOf(name);
  const fracCoords: number[] = [];
  const atomicNumbers: number[] = [];
  for (; i < lines.length; i++) {
    const parts = lines[i].trim().split(/\s+/);
    if (parts.length < header.length) break;
    const symbol = parts[col('_atom_site_type_symbol')];
    const z = atomicNumberOf(symbol);
    if (z === undefined) throw new Error(`parseP1Cif: unknown element ${symbol}`);
    atomicNumbers.push(z);
    for (const c of ['x', 'y', 'z']) fracCoords.push(Number(parts[col(`_atom_site_fract_${c}`)]));
  }
  return createCrystal({ lattice, fracCoords, atomicNumbers });
}

const rowCache = new Map<string, string[]>();

/** The first `limit` crystals of data/<name>/val.csv (whole file when limit is omitted); parses only those. */
export function readVal(name: 'perov_5' | 'carbon_24', limit = Number.POSITIVE_INFINITY): Crystal[] {
  let cifs = rowCache.get(name);
  if (!cifs) {
    const rows = parseCsv(readFileSync(new URL(`data/${name}/val.csv`, ROOT), 'utf8'));
    const cifCol = rows[0].indexOf('cif');
    cifs = rows
      .slice(1)
      .filter((r) => r.length > cifCol && r[cifCol])
      .map((r) => r[cifCol]);
    rowCache.set(name, cifs);
  }
  return cifs.slice(0, Math.min(limit, cifs.length)).map(parseP1Cif);
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
