/**
 * The all-pairs port of pymatgen's `get_primitive_structure` that src/pmg-structure.ts replaced (O(n²) memory and
 * up to O(n³) time): kept as the reference the fast search must reproduce bit for bit (pmg-structure.test.ts).
 */
import { determinant, ELEMENT_SYMBOLS, invert } from '@crys/lattice';
import { type Cell, niggliCell } from '../src/pmg-structure.js';
import { lengths } from '../src/pmg-lattice.js';

/** |x − round(x)| */
function wrapAbs(x: number): number {
  return Math.abs(x - roundNp(x));
}

/** numpy's round (half to even); only its value near ±½ could differ from Math.round. */
function roundNp(x: number): number {
  const r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

function* factors(n: number): Generator<number> {
  for (let i = 1; i <= n; i++) if (n % i === 0) yield i;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * pymatgen's `get_primitive_structure(tolerance)` (without site properties or lattice constraints): searches
 * Hermite-normal-form supercell matrices for a smaller cell whose sites map onto each other within `tolerance`
 * Å, averages each group of equivalent sites, recurses, and Niggli-reduces the result. Returns the input (same
 * object) when no smaller cell exists.
 */
export function primitiveCellReference(cell: Cell, tolerance = 0.25): Cell {
  const n = cell.z.length;
  // stable sort by species string
  const idx = Array.from({ length: n }, (_, i) => i).sort((p, q) => {
    const a = ELEMENT_SYMBOLS[cell.z[p]];
    const b = ELEMENT_SYMBOLS[cell.z[q]];
    return a < b ? -1 : a > b ? 1 : p - q;
  });
  const groups: number[][] = [];
  for (const i of idx) {
    const last = groups[groups.length - 1];
    if (last && cell.z[last[0]] === cell.z[i]) last.push(i);
    else groups.push([i]);
  }
  const gFrac: Float64Array[] = groups.map((g) => {
    const f = new Float64Array(3 * g.length);
    for (let p = 0; p < g.length; p++) for (let c = 0; c < 3; c++) f[3 * p + c] = cell.frac[3 * g[p] + c];
    return f;
  });
  const abc = lengths(cell.lattice);
  const superFtol = [tolerance / abc[0], tolerance / abc[1], tolerance / abc[2]];
  // min_vecs: differences from the first site of the smallest group
  let gmin = 0;
  for (let g = 1; g < groups.length; g++) if (groups[g].length < groups[gmin].length) gmin = g;
  const fm = gFrac[gmin];
  let minVecs: number[][] = [];
  for (let p = 0; p < groups[gmin].length; p++) {
    minVecs.push([fm[3 * p] - fm[0], fm[3 * p + 1] - fm[1], fm[3 * p + 2] - fm[2]]);
  }
  // keep vectors that map every group onto itself (tolerance doubled: both vectors are approximate)
  const bySize = groups.map((_, g) => g).sort((a, b) => groups[a].length - groups[b].length || a - b);
  for (const g of bySize) {
    const f = gFrac[g];
    const m = groups[g].length;
    for (let s = 0; s < m; s++) {
      const kept: number[][] = [];
      for (const v of minVecs) {
        let any = false;
        for (let t = 0; t < m && !any; t++) {
          let ok = true;
          for (let c = 0; c < 3; c++) {
            const w = f[3 * t + c] - f[3 * s + c];
            if (!(wrapAbs(v[c] - w) < 2 * superFtol[c])) {
              ok = false;
              break;
            }
          }
          if (ok) any = true;
        }
        if (any) kept.push(v);
      }
      minVecs = kept;
    }
  }
  // sites may not match their own neighbours in the supercell
  const nonNbrs: Uint8Array[] = groups.map((g, gi) => {
    const m = g.length;
    const f = gFrac[gi];
    const out = new Uint8Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let any = false;
        for (let c = 0; c < 3; c++) if (wrapAbs(f[3 * j + c] - f[3 * i + c]) > 2 * superFtol[c]) any = true;
        out[i * m + j] = i === j || any ? 1 : 0;
      }
    }
    return out;
  });
  let numFu = 0;
  for (const g of groups) numFu = gcd(numFu, g.length);
  const M = new Float64Array(9);
  const invM = new Float64Array(9);
  for (const det of factors(numFu)) {
    if (det === 1) continue;
    for (const a of factors(det)) {
      for (const e of factors(det / a)) {
        const gg = det / a / e;
        for (let b = 0; b < a; b++) {
          for (let c = 0; c < a; c++) {
            for (let f = 0; f < e; f++) {
              M.set([a, b, c, 0, e, f, 0, 0, gg]);
              if (!invert(invM, M)) continue;
              // every row of M⁻¹ must be close to some min_vec
              let rowsOk = true;
              for (let r = 0; r < 3 && rowsOk; r++) {
                let any = false;
                for (const v of minVecs) {
                  if (
                    wrapAbs(invM[3 * r] - v[0]) < superFtol[0] &&
                    wrapAbs(invM[3 * r + 1] - v[1]) < superFtol[1] &&
                    wrapAbs(invM[3 * r + 2] - v[2]) < superFtol[2]
                  ) {
                    any = true;
                    break;
                  }
                }
                rowsOk = any;
              }
              if (!rowsOk) continue;
              const result = tryPrimitive(cell, groups, gFrac, nonNbrs, M, invM, det, tolerance);
              if (result) return niggliCell(primitiveCellReference(result, tolerance));
            }
          }
        }
      }
    }
  }
  return cell;
}

function tryPrimitive(
  cell: Cell,
  groups: number[][],
  gFrac: Float64Array[],
  nonNbrs: Uint8Array[],
  M: Float64Array,
  invM: Float64Array,
  size: number,
  tolerance: number,
): Cell | null {
  // new lattice = M⁻¹ · L
  const L = cell.lattice;
  const newL = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++)
      newL[3 * i + j] = invM[3 * i] * L[j] + invM[3 * i + 1] * L[3 + j] + invM[3 * i + 2] * L[6 + j];
  }
  const nl = lengths(newL);
  const ftol = [tolerance / nl[0], tolerance / nl[1], tolerance / nl[2]];
  const newFrac: number[] = [];
  const newZ: number[] = [];
  for (let gi = 0; gi < groups.length; gi++) {
    const m = groups[gi].length;
    const f = gFrac[gi];
    const all = new Float64Array(3 * m);
    for (let p = 0; p < m; p++) {
      const x = f[3 * p];
      const y = f[3 * p + 1];
      const z = f[3 * p + 2];
      for (let c = 0; c < 3; c++) all[3 * p + c] = x * M[c] + y * M[3 + c] + z * M[6 + c];
    }
    const nn = nonNbrs[gi];
    const grp = new Uint8Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let close = true;
        for (let c = 0; c < 3; c++) {
          if (!(wrapAbs(all[3 * j + c] - all[3 * i + c]) < ftol[c])) {
            close = false;
            break;
          }
        }
        grp[i * m + j] = close && nn[i * m + j] ? 1 : 0;
      }
    }
    // every column sums to `size`
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += grp[i * m + j];
      if (s !== size) return null;
    }
    // every group is a clique
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < m; i++) {
        if (!grp[r * m + i]) continue;
        for (let j = 0; j < m; j++) if (grp[r * m + j] && !grp[i * m + j]) return null;
      }
    }
    const nf = new Float64Array(3 * m);
    for (let p = 0; p < 3 * m; p++) {
      const v = all[p] % 1;
      nf[p] = v < 0 ? v + 1 : v; // numpy's % 1
    }
    const added = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      if (added[i]) continue;
      const inds: number[] = [];
      for (let j = 0; j < m; j++) {
        if (grp[i * m + j]) {
          added[j] = 1;
          inds.push(j);
        }
      }
      const c0 = [nf[3 * inds[0]], nf[3 * inds[0] + 1], nf[3 * inds[0] + 2]];
      for (let q = 1; q < inds.length; q++) {
        const j = inds[q];
        for (let c = 0; c < 3; c++) {
          const off = nf[3 * j + c] - c0[c];
          c0[c] += (off - roundNp(off)) / (q + 1);
        }
      }
      newFrac.push(c0[0], c0[1], c0[2]);
      newZ.push(cell.z[groups[gi][0]]);
    }
  }
  if (Math.abs(determinant(newL)) === 0) return null;
  return { lattice: newL, frac: Float64Array.from(newFrac), z: Uint8Array.from(newZ) };
}
