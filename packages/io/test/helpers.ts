import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type Crystal, latticeParameters } from '@crys/lattice';

export const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = join(PKG, '..', '..');
export const FIXTURES = join(PKG, 'test', 'fixtures');

export function readGzipJson<T>(path: string): T {
  return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as T;
}

/** Cell parameters [a, b, c, α, β, γ]. */
export function cellOf(c: Crystal): number[] {
  const p = latticeParameters(c.lattice);
  return [p.a, p.b, p.c, p.alpha, p.beta, p.gamma];
}

/**
 * Matches two site lists up to atom order and lattice translations: every site of `a` pairs with a distinct
 * site of `b` of the same species whose fractional coordinates differ by an integer vector within `tol`.
 * Returns a description of the first mismatch, or `null`.
 */
export function matchSites(
  aFrac: ArrayLike<number>,
  aZ: ArrayLike<number>,
  bFrac: ArrayLike<number>,
  bZ: ArrayLike<number>,
  tol = 1e-5,
): string | null {
  const n = aZ.length;
  if (bZ.length !== n) return `site count ${n} vs ${bZ.length}`;
  const used = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let found = -1;
    for (let j = 0; j < n; j++) {
      if (used[j] || aZ[i] !== bZ[j]) continue;
      let ok = true;
      for (let k = 0; k < 3; k++) {
        const d = aFrac[3 * i + k] - bFrac[3 * j + k];
        if (Math.abs(d - Math.round(d)) > tol) {
          ok = false;
          break;
        }
      }
      if (ok) {
        found = j;
        break;
      }
    }
    if (found < 0) {
      return `site ${i} (Z=${aZ[i]}, ${Array.from({ length: 3 }, (_, k) => aFrac[3 * i + k].toFixed(6)).join(' ')}) has no partner`;
    }
    used[found] = 1;
  }
  return null;
}

/** Compares cell parameters within a relative tolerance; returns a mismatch description or null. */
export function matchCell(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): string | null {
  for (let i = 0; i < 6; i++) {
    if (Math.abs(a[i] - b[i]) > tol * Math.max(1, Math.abs(b[i]))) return `cell[${i}] ${a[i]} vs ${b[i]}`;
  }
  return null;
}

/** True when any entry of a crystal's arrays is NaN or infinite. */
export function hasNonFinite(c: Crystal): boolean {
  for (const a of [c.lattice, c.fracCoords, c.occupancies ?? new Float64Array(0)]) {
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return true;
  }
  return false;
}
