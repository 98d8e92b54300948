import {
  assertLattice,
  assertOrdered,
  atomicNumberOf,
  type Crystal,
  cartToFrac,
  fracToCart,
  MAX_ATOMIC_NUMBER,
} from '@crys/lattice';
import { type Line, LineReader, words } from './lines.js';
import type { ReadOptions, ReadResult } from './types.js';
import { coordinatesProblem } from './util.js';

/** The periodicity keywords of XSF and how many directions each makes periodic. */
const DIMENSIONS: Readonly<Record<string, number>> = { CRYSTAL: 3, SLAB: 2, POLYMER: 1, MOLECULE: 0 };

/** A keyword line: the upper-case keyword and its optional step index (`PRIMCOORD 3`). */
function keyword(l: Line): { key: string; step?: number } {
  const { w } = words(l);
  const key = (w[0] ?? '').toUpperCase();
  return w.length > 1 && /^\d+$/.test(w[1]) ? { key, step: Number(w[1]) } : { key };
}

/** Atomic number of an XSF species word: an atomic number (`14`) or a symbol (`Si`); 0 when neither. */
function xsfSpecies(w: string): number {
  if (/^\d+$/.test(w)) {
    const z = Number(w);
    return z >= 1 && z <= MAX_ATOMIC_NUMBER ? z : 0;
  }
  return atomicNumberOf(w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()) ?? 0;
}

/**
 * Reads an XCrySDen XSF file, or an animated AXSF (`ANIMSTEPS n`, one crystal per step): `CRYSTAL` (or `SLAB`
 * / `POLYMER`, read as crystals with a warning), `PRIMVEC` (Å, rows are lattice vectors; once, or per step),
 * `PRIMCOORD` (`n 1`, then a species — atomic number or symbol — and Cartesian Å per atom; forces after the
 * position are ignored). `CONVVEC`/`CONVCOORD` and datagrid/bandgrid blocks are skipped with a warning. A
 * molecule (`ATOMS`, no cell) is refused: a crystal needs a cell.
 *
 * @example
 * const xsf = 'CRYSTAL\nPRIMVEC\n 0 2.7 2.7\n 2.7 0 2.7\n 2.7 2.7 0\nPRIMCOORD\n 2 1\n 14 0 0 0\n 14 1.35 1.35 1.35\n';
 * readXsf(xsf).crystals[0].atomicNumbers; // Uint8Array [14, 14]
 */
export function readXsf(text: string, options: ReadOptions = {}): ReadResult {
  const source = options.source ?? 'xsf';
  const r = new LineReader('xsf', source, text);
  const warnings: string[] = [];
  const crystals: Crystal[] = [];
  let animSteps: { n: number; at: Line } | undefined;
  let dimension: { n: number; at: Line } | undefined;
  let lattice: Float64Array | undefined;
  let latticeLine: Line | undefined;
  const skipped = new Map<string, Line>();
  const next = (): Line | undefined => {
    while (!r.done()) {
      const l = r.lines[r.k++];
      const t = l.text.trim();
      if (t !== '' && t[0] !== '#') return l;
    }
    return undefined;
  };
  const take = (what: string): Line => next() ?? r.fail(undefined, 1, `expected ${what}, got end of file`);
  for (let l = next(); l; l = next()) {
    const { key, step } = keyword(l);
    if (key === 'ANIMSTEPS') {
      const { w, col } = words(l);
      animSteps = { n: r.int(l, w[1], col[1], 'the number of steps after ANIMSTEPS', 1), at: l };
    } else if (key === 'DIM-GROUP') {
      // The older header: 'DIM-GROUP' then 'dimensionality group-number' (3 = CRYSTAL, 2 = SLAB, …).
      const dl = take('the dimensionality after DIM-GROUP');
      const dw = words(dl);
      const dim = r.int(dl, dw.w[0], dw.col[0], 'the dimensionality (0 to 3)');
      if (dim > 3) r.fail(dl, dw.col[0], `expected the dimensionality 0 to 3, got ${dim}`);
      if (dim === 0)
        r.fail(
          dl,
          dw.col[0],
          'expected a periodic structure, got dimensionality 0: a molecule has no cell, and crys reads crystals',
        );
      dimension = { n: dim, at: l };
      if (dim < 3) {
        warnings.push(
          `${source}:${l.line}:1: DIM-GROUP ${dim} is periodic in ${dim} direction(s); read as a crystal with its PRIMVEC cell`,
        );
      }
    } else if (key in DIMENSIONS) {
      dimension = { n: DIMENSIONS[key], at: l };
      if (dimension.n === 0) {
        r.fail(
          l,
          1,
          'expected CRYSTAL, SLAB or POLYMER, got MOLECULE: a molecule has no cell, and crys reads crystals',
        );
      }
      if (dimension.n < 3) {
        warnings.push(
          `${source}:${l.line}:1: ${key} is periodic in ${dimension.n} direction(s); read as a crystal with its PRIMVEC cell`,
        );
      }
    } else if (key === 'ATOMS') {
      r.fail(
        l,
        1,
        'expected CRYSTAL with PRIMVEC and PRIMCOORD, got ATOMS: a molecule (no cell) is not a crystal; write the structure with a cell',
      );
    } else if (key === 'PRIMVEC') {
      const m = new Float64Array(9);
      for (let i = 0; i < 3; i++) {
        const vl = take(`lattice vector ${i + 1} of PRIMVEC`);
        m.set(r.vec3(vl, `lattice vector ${i + 1} of PRIMVEC`), 3 * i);
      }
      r.checkLattice(m, l, 'PRIMVEC');
      lattice = m;
      latticeLine = l;
    } else if (key === 'CONVVEC') {
      for (let i = 0; i < 3; i++) r.vec3(take(`vector ${i + 1} of CONVVEC`), `vector ${i + 1} of CONVVEC`);
    } else if (key === 'PRIMCOORD' || key === 'CONVCOORD') {
      const hl = take(`the atom count after ${key}`);
      const hw = words(hl);
      const n = r.int(hl, hw.w[0], hw.col[0], 'the atom count', 1);
      if (n > r.lines.length - r.k) {
        r.fail(hl, hw.col[0], `expected ${n} atom lines after ${key}, the file has ${r.lines.length - r.k} lines left`);
      }
      if (key === 'CONVCOORD') {
        for (let i = 0; i < n; i++) take(`atom ${i + 1} of ${n} of CONVCOORD`);
        if (!skipped.has(key)) skipped.set(key, l);
        continue;
      }
      if (!dimension) r.fail(l, 1, 'expected CRYSTAL (or SLAB, POLYMER) before PRIMCOORD, found none');
      if (!lattice) r.fail(l, 1, 'expected PRIMVEC (the cell) before PRIMCOORD, found none');
      const cell = lattice as Float64Array;
      const frac = new Float64Array(3 * n);
      const z = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const al = take(`atom ${i + 1} of ${n} of PRIMCOORD${step ? ` ${step}` : ''}`);
        const aw = words(al);
        if (aw.w.length < 4)
          r.fail(al, 1, `expected a species and 3 coordinates for atom ${i + 1}, got ${aw.w.length} words`);
        z[i] = xsfSpecies(aw.w[0]);
        if (z[i] === 0) r.fail(al, aw.col[0], `expected an element (atomic number or symbol), got '${aw.w[0]}'`);
        for (let c = 0; c < 3; c++)
          frac[3 * i + c] = r.num(al, aw.w[1 + c], aw.col[1 + c], 'a Cartesian coordinate (Å)');
      }
      const atomLine0 = r.k - n;
      cartToFrac(frac, frac, cell);
      for (let i = 0; i < n; i++) {
        const issue = coordinatesProblem(frac[3 * i], frac[3 * i + 1], frac[3 * i + 2]);
        if (issue) r.fail(r.lines[atomLine0 + i], 1, `expected ${issue} (from Cartesian coordinates)`);
      }
      crystals.push({ lattice: Float64Array.from(cell), fracCoords: frac, atomicNumbers: z });
    } else if (key.startsWith('BEGIN_')) {
      // BEGIN_BLOCK_DATAGRID_3D … END_BLOCK_DATAGRID_3D, BEGIN_INFO … END_INFO, bandgrids: not structure.
      const end = `END_${key.slice(6)}`;
      let e = next();
      while (e && keyword(e).key !== end) e = next();
      if (!e) r.fail(l, 1, `expected ${end} to close ${key}, got end of file`);
      if (!skipped.has(key)) skipped.set(key, l);
    } else {
      r.fail(l, 1, `expected an XSF keyword (CRYSTAL, PRIMVEC, PRIMCOORD, …), got '${l.text.trim().slice(0, 30)}'`);
    }
  }
  if (crystals.length === 0) {
    r.fail(latticeLine ?? dimension?.at, 1, 'expected a PRIMCOORD section (the atoms), found none');
  }
  for (const [key, l] of skipped) {
    warnings.push(
      `${source}:${l.line}:1: ${key} ${key.startsWith('BEGIN_') ? 'block' : 'section'} skipped (not structure)`,
    );
  }
  if (animSteps && animSteps.n !== crystals.length) {
    warnings.push(
      `${source}:${animSteps.at.line}:1: ANIMSTEPS says ${animSteps.n} steps, the file has ${crystals.length}; all ${crystals.length} read`,
    );
  }
  return { crystals, warnings };
}

/**
 * Writes XSF: one crystal as `CRYSTAL`/`PRIMVEC`/`PRIMCOORD`, several as an animated AXSF (`ANIMSTEPS n`, a
 * `PRIMVEC i` and `PRIMCOORD i` per step). Positions are Cartesian Å, species atomic numbers (as ASE writes
 * them). Partially occupied crystals are refused.
 *
 * @example
 * writeXsf(crystal); // 'CRYSTAL\nPRIMVEC\n …'
 */
export function writeXsf(crystals: Crystal | readonly Crystal[]): string {
  const fn = 'writeXsf';
  const list: readonly Crystal[] = Array.isArray(crystals) ? (crystals as readonly Crystal[]) : [crystals as Crystal];
  const anim = list.length > 1;
  const out: string[] = [];
  if (anim) out.push(`ANIMSTEPS ${list.length}`);
  out.push('CRYSTAL');
  list.forEach((c, s) => {
    assertLattice(fn, c.lattice, `crystals[${s}].lattice`);
    assertOrdered(fn, c);
    const tag = anim ? ` ${s + 1}` : '';
    const l = c.lattice;
    out.push(`PRIMVEC${tag}`);
    for (let i = 0; i < 3; i++) out.push(` ${fix(l[3 * i])} ${fix(l[3 * i + 1])} ${fix(l[3 * i + 2])}`);
    const n = c.atomicNumbers.length;
    out.push(`PRIMCOORD${tag}`, ` ${n} 1`);
    const cart = fracToCart(new Float64Array(3 * n), c.fracCoords, l);
    for (let i = 0; i < n; i++) {
      out.push(
        ` ${String(c.atomicNumbers[i]).padStart(3)} ${fix(cart[3 * i])} ${fix(cart[3 * i + 1])} ${fix(cart[3 * i + 2])}`,
      );
    }
  });
  return `${out.join('\n')}\n`;
}

function fix(v: number): string {
  return v.toFixed(14).padStart(20);
}
