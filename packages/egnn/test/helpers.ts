// Shared test helpers (not part of the build): backend switching, finite differences, real crystals.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDatasetCsv } from '@crys/io';
import type { Crystal } from '@crys/lattice';
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

/**
 * `count` crystals of a val set from row `offset` on, read by @crys/io with fractional coordinates exactly as
 * written (`wrap: false`).
 */
export function valCrystals(name: 'perov_5' | 'carbon_24', count: number, offset = 0): Crystal[] {
  const source = join(REPO_ROOT, 'data', name, 'val.csv');
  const out: Crystal[] = [];
  if (count <= 0) return out;
  let row = 0;
  for (const r of readDatasetCsv(readFileSync(source, 'utf8'), { source, wrap: false })) {
    if (row++ < offset) continue;
    if (r.warnings.length > 0) throw new Error(`valCrystals: ${r.warnings.join('\n')}`);
    out.push(r.crystal);
    if (out.length >= count) break;
  }
  return out;
}
