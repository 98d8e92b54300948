// Shared test helpers (not part of the build): backend switching, finite differences, real crystals.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomicNumberOf, type Crystal, createCrystal, latticeFromParameters } from '@crys/lattice';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';

// PROD silences tfjs's "install tfjs-node" banner. (Not IS_TEST: its kernel leak check counts the copies the wasm
// backend makes of tensors saved for a gradient as leaks, a false positive for any customGrad with save().)
tf.env().set('PROD', true);

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Backends every kernel and layer test runs on. */
export const TEST_BACKENDS = ['cpu', 'wasm'] as const;

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  const got = await initBackend(name);
  if (got !== name) throw new Error(`test needs backend ${name}, got ${got}`);
}

/**
 * Central finite-difference check of d f / d x for a scalar function of one float32 tensor: compares the analytic
 * gradient with (f(x + εe_k) − f(x − εe_k)) / 2ε on `samples` coordinates. Returns the worst relative error
 * |g − g_fd| / max(|g|, |g_fd|, floor).
 */
export function fdCheck(
  f: (x: tf.Tensor) => tf.Tensor,
  x0: Float32Array,
  shape: number[],
  opts: { eps?: number; samples?: number; floor?: number } = {},
): { worst: number; checked: number } {
  const eps = opts.eps ?? 1e-2;
  const floor = opts.floor ?? 1e-2;
  const grad = tf.tidy(() =>
    tf
      .grad((x: tf.Tensor) => f(x) as tf.Scalar)(tf.tensor(x0, shape))
      .dataSync()
      .slice(),
  );
  const n = x0.length;
  const samples = Math.min(opts.samples ?? 24, n);
  let worst = 0;
  for (let s = 0; s < samples; s++) {
    const k = Math.floor((s * n) / samples + ((s * 7919) % Math.max(1, Math.floor(n / samples)))) % n;
    const xp = x0.slice();
    const xm = x0.slice();
    xp[k] += eps;
    xm[k] -= eps;
    const fp = tf.tidy(() => f(tf.tensor(xp, shape)).dataSync()[0]);
    const fm = tf.tidy(() => f(tf.tensor(xm, shape)).dataSync()[0]);
    const fd = (fp - fm) / (2 * eps);
    const err = Math.abs(grad[k] - fd) / Math.max(Math.abs(grad[k]), Math.abs(fd), floor);
    worst = Math.max(worst, err);
  }
  return { worst, checked: samples };
}

/** Deterministic pseudo-random float32 array in [-1, 1). */
export function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function randomIndices(n: number, limit: number, seed: number): Int32Array {
  const r = randomArray(n, seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(limit - 1, Math.floor((r[i] * 0.5 + 0.5) * limit));
  return out;
}

export function readDatasetCsv(name: 'perov_5' | 'carbon_24'): string {
  return readFileSync(join(REPO_ROOT, 'data', name, 'val.csv'), 'utf8');
}

/** Rows of a dataset CSV (RFC 4180 quoting; the `cif` column spans lines). */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
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

/** A P1 CIF as written by pymatgen (the datasets' format): cell parameters and atom sites, nothing else. */
export function parseP1Cif(cif: string): Crystal {
  const num = (key: string) => Number(new RegExp(`${key}\\s+([-0-9.eE+]+)`).exec(cif)?.[1]);
  const lattice = latticeFromParameters(
    num('_cell_length_a'),
    num('_cell_length_b'),
    num('_cell_length_c'),
    num('_cell_angle_alpha'),
    num('_cell_angle_beta'),
    num('_cell_angle_gamma'),
  );
  const lines = cif.split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => l === '_atom_site_type_symbol');
  const cols: string[] = [];
  let i = start;
  while (lines[i]?.startsWith('_')) cols.push(lines[i++]);
  const frac: number[] = [];
  const z: number[] = [];
  const ix = cols.indexOf('_atom_site_fract_x');
  for (; i < lines.length && lines[i] && !lines[i].startsWith('loop_') && !lines[i].startsWith('_'); i++) {
    const t = lines[i].split(/\s+/);
    z.push(atomicNumberOf(t[0]) ?? 0);
    frac.push(Number(t[ix]), Number(t[ix + 1]), Number(t[ix + 2]));
  }
  return createCrystal({ lattice, fracCoords: Float64Array.from(frac), atomicNumbers: Uint8Array.from(z) });
}

/** The first `count` crystals of a val set. */
export function valCrystals(name: 'perov_5' | 'carbon_24', count: number, offset = 0): Crystal[] {
  return parseCsv(readDatasetCsv(name))
    .slice(offset, offset + count)
    .map((r) => parseP1Cif(r.cif));
}
