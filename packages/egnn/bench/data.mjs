// Dataset loading for the benchmarks (plain JS: runs against the built packages, no Python, no @crys/io).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomicNumberOf, createCrystal, latticeFromParameters } from '@crys/lattice';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
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
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, k) => [h, r[k]])));
}

function parseP1Cif(cif) {
  const num = (key) => Number(new RegExp(`${key}\\s+([-0-9.eE+]+)`).exec(cif)?.[1]);
  const lattice = latticeFromParameters(
    num('_cell_length_a'),
    num('_cell_length_b'),
    num('_cell_length_c'),
    num('_cell_angle_alpha'),
    num('_cell_angle_beta'),
    num('_cell_angle_gamma'),
  );
  const lines = cif.split('\n').map((l) => l.trim());
  let i = lines.indexOf('_atom_site_type_symbol');
  const cols = [];
  while (lines[i]?.startsWith('_')) cols.push(lines[i++]);
  const ix = cols.indexOf('_atom_site_fract_x');
  const frac = [];
  const z = [];
  for (; i < lines.length && lines[i] && !lines[i].startsWith('loop_') && !lines[i].startsWith('_'); i++) {
    const t = lines[i].split(/\s+/);
    z.push(atomicNumberOf(t[0]) ?? 0);
    frac.push(Number(t[ix]), Number(t[ix + 1]), Number(t[ix + 2]));
  }
  return createCrystal({ lattice, fracCoords: Float64Array.from(frac), atomicNumbers: Uint8Array.from(z) });
}

/** The first `count` crystals of a val split (the peer takes the same ones: `load_crystals(ds, 'val', limit)`). */
export function valCrystals(name, count) {
  const text = readFileSync(join(REPO_ROOT, 'data', name, 'val.csv'), 'utf8');
  return parseCsv(text)
    .slice(0, count)
    .map((r) => parseP1Cif(r.cif));
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
