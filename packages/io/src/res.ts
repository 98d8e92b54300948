import {
  assertLattice,
  atomicNumberOf,
  type Crystal,
  elementSymbol,
  InvalidArgumentError,
  latticeFromParameters,
  latticeParameters,
} from '@crys/lattice';
import { type Line, LineReader, words } from './lines.js';
import { speciesToAtomicNumber } from './species.js';
import { parseXyzOperation, type SymOp } from './symop.js';
import type { ReadOptions, ReadResult } from './types.js';
import { coordinatesProblem } from './util.js';

/** SHELXL instructions: lines starting with one of these are not atoms. */
const INSTRUCTIONS = new Set(
  (
    'TITL CELL ZERR LATT SYMM SFAC UNIT DISP LAUE REM MORE TIME END HKLF OMIT SHEL BASF TWIN TWST EXTI SWAT HOPE ' +
    'MERG SPEC RESI MOVE ANIS AFIX HFIX FRAG FEND EXYZ EADP EQIV CONN PART BIND FREE DFIX DANG BUMP SAME SADI ' +
    'CHIV FLAT DELU SIMU RIGU DEFS ISOR NCSY SUMP L.S. CGLS BLOC DAMP STIR WGHT FVAR BOND CONF MPLA RTAB HTAB ' +
    'LIST ACTA SIZE TEMP WPDB FMAP GRID PLAN MOLE ABIN ANSC ANSR NEUT XNPD PRIG SYMN WIGL ESEL EGEN DELU'
  ).split(' '),
);

/** Lattice centring translations of SHELX `LATT n` (|n| = 1 P, 2 I, 3 R obverse, 4 F, 5 A, 6 B, 7 C). */
const CENTRING: Readonly<Record<number, readonly (readonly [number, number, number])[]>> = {
  1: [],
  2: [[0.5, 0.5, 0.5]],
  3: [
    [2 / 3, 1 / 3, 1 / 3],
    [1 / 3, 2 / 3, 2 / 3],
  ],
  4: [
    [0, 0.5, 0.5],
    [0.5, 0, 0.5],
    [0.5, 0.5, 0],
  ],
  5: [[0, 0.5, 0.5]],
  6: [[0.5, 0, 0.5]],
  7: [[0.5, 0.5, 0]],
};

/** A SHELX value with a fixed-flag (10 + x, read as x) or a free-variable reference (10·m + p). */
function shelxValue(v: number, fvar: readonly number[]): number | string {
  const a = Math.abs(v);
  if (a < 5) return v;
  const m = Math.trunc(a / 10 + 1e-9);
  const p = a - 10 * m;
  if (m === 1) return Math.sign(v) * p;
  const fv = fvar[m - 1];
  if (fv === undefined) return `free variable ${m}, but FVAR gives ${fvar.length}`;
  return v > 0 ? p * fv : p * (1 - fv);
}

/**
 * Reads a SHELX `.res` (or `.ins`) file: the AIRSS flavour (`TITL`, `CELL`, `LATT -1`, `SFAC`, one `label
 * index x y z occupancy` line per atom, `END`), the source of the Carbon-24 dataset, and crystallographers'
 * SHELXL files: `SYMM` operations and `LATT` centring (a positive `LATT` adds the inversion) are applied, and
 * coincident images merged; fixed (10 + x) and free-variable (`FVAR`) values are resolved; `=` continuation
 * lines, `REM` and `!` comments and other instructions are skipped; Q peaks (residual density) are skipped
 * with a warning. An atom's element is its label when the label is an element symbol (as AIRSS, ASE and
 * pymatgen write it), else its `SFAC` entry. Partial occupancies are kept in `occupancies`. `names` holds
 * the `TITL` (AIRSS: the structure's seed name).
 *
 * @example
 * const res = 'TITL C2\nCELL 1.54 2.46 2.46 6.7 90 90 120\nLATT -1\nSFAC C\nC 1 0 0 0.25 1.0\nC 1 0.333333 0.666667 0.25 1.0\nEND\n';
 * readRes(res).crystals[0].atomicNumbers; // Uint8Array [6, 6]
 */
export function readRes(text: string, options: ReadOptions = {}): ReadResult {
  const source = options.source ?? 'res';
  const r = new LineReader('res', source, text);
  const warnings: string[] = [];
  let title = '';
  let cellLine: Line | undefined;
  let lattice: Float64Array | undefined;
  let latt = 1;
  let latticeLine: Line | undefined;
  const symm: { op: SymOp; at: Line }[] = [];
  const sfac: number[] = [];
  let fvar: number[] = [];
  const atoms: { z: number; x: number; y: number; w: number; occ: number; at: Line }[] = [];
  let qPeaks = 0;
  let firstQ: Line | undefined;
  let ended = false;
  // Joins `=` continuation lines and drops `!` comments; returns the logical line and where it began.
  const logical = (): { l: Line; text: string } | undefined => {
    while (!r.done()) {
      const l = r.lines[r.k++];
      let t = l.text;
      const bang = t.indexOf('!');
      if (bang >= 0) t = t.slice(0, bang);
      if (t.trim() === '') continue;
      while (/=\s*$/.test(t) && !/^\s*(REM|TITL)\b/i.test(t) && !r.done()) {
        t = `${t.replace(/=\s*$/, ' ')}${r.lines[r.k++].text.replace(/!.*$/, '')}`;
      }
      if (t.trim() === '') continue; // a lone '=' joined to a blank line
      return { l, text: t };
    }
    return undefined;
  };
  for (let item = logical(); item && !ended; item = logical()) {
    const { l } = item;
    const line: Line = { text: item.text, line: l.line };
    const { w, col } = words(line);
    const cmd = w[0].toUpperCase();
    if (cmd === 'TITL') {
      title = item.text.replace(/^\s*\S+\s?/, '').trim();
    } else if (cmd === 'REM') {
      // comment
    } else if (cmd === 'CELL') {
      if (w.length < 8)
        r.fail(l, 1, `expected CELL wavelength a b c alpha beta gamma (7 numbers), got ${w.length - 1}`);
      const p: number[] = [];
      for (let i = 2; i < 8; i++)
        p.push(r.num(line, w[i], col[i], `cell parameter ${'a b c alpha beta gamma'.split(' ')[i - 2]}`));
      if (!(p[0] > 0 && p[1] > 0 && p[2] > 0) || !p.slice(3).every((g) => g > 0 && g < 180)) {
        r.fail(l, col[2], `expected positive lengths and angles in (0°, 180°), got ${p.join(' ')}`);
      }
      let m: Float64Array;
      try {
        m = latticeFromParameters(p[0], p[1], p[2], p[3], p[4], p[5]);
      } catch (e) {
        if (e instanceof InvalidArgumentError)
          r.fail(l, col[2], `expected cell parameters that form a cell: ${e.message}`);
        throw e;
      }
      r.checkLattice(m, l, 'CELL');
      lattice = m;
      cellLine = l;
    } else if (cmd === 'LATT') {
      const v = r.num(line, w[1], col[1], 'the LATT number');
      if (!Number.isInteger(v) || Math.abs(v) < 1 || Math.abs(v) > 7)
        r.fail(l, col[1], `expected LATT ±1…±7, got '${w[1]}'`);
      latt = v;
      latticeLine = l;
    } else if (cmd === 'SYMM') {
      const expr = item.text.replace(/^\s*\S+\s*/, '').trim();
      const op = parseXyzOperation(expr);
      if (typeof op === 'string') r.fail(l, col[1] ?? 1, `expected a symmetry operation like -x,y+1/2,-z: ${op}`);
      symm.push({ op: op as SymOp, at: l });
    } else if (cmd === 'SFAC') {
      // Short form: element symbols; long form: one element and its scattering-factor coefficients.
      const longForm = w.length > 2 && Number.isFinite(Number(w[2]));
      for (let i = 1; i < (longForm ? 2 : w.length); i++) {
        const z = speciesToAtomicNumber(w[i]);
        if (z === 0) r.fail(l, col[i], `expected an element symbol in SFAC, got '${w[i]}'`);
        sfac.push(z);
      }
    } else if (cmd === 'FVAR') {
      fvar = w.slice(1).map((x, i) => r.num(line, x, col[i + 1], 'a free variable'));
    } else if (cmd === 'END' || cmd === 'HKLF') {
      ended = true;
    } else if (INSTRUCTIONS.has(cmd)) {
      // not structure
    } else {
      // An atom: label sfac x y z [sof [U…]]
      if (/^Q\d+$/i.test(w[0])) {
        qPeaks++;
        firstQ ??= l;
        continue;
      }
      if (w.length < 5) {
        r.fail(
          l,
          1,
          `expected an atom line 'label sfac x y z [occupancy]' or a SHELX instruction, got '${item.text.trim().slice(0, 40)}'`,
        );
      }
      const index = r.int(line, w[1], col[1], 'the SFAC index of the atom');
      const exact = atomicNumberOf(w[0]);
      const z = exact ?? (index >= 1 && index <= sfac.length ? sfac[index - 1] : speciesToAtomicNumber(w[0]));
      if (!z) r.fail(l, col[0], `expected an element: label '${w[0]}' is not one and SFAC has no entry ${index}`);
      const xyz: number[] = [];
      for (let c = 0; c < 3; c++) {
        const v = shelxValue(r.num(line, w[2 + c], col[2 + c], `fractional ${'xyz'[c]}`), fvar);
        if (typeof v === 'string') r.fail(l, col[2 + c], `expected a coordinate, got a reference to ${v}`);
        xyz.push(v as number);
      }
      const issue = coordinatesProblem(xyz[0], xyz[1], xyz[2]);
      if (issue) r.fail(l, col[2], `expected ${issue}`);
      let occ = 1;
      if (w.length > 5) {
        const v = shelxValue(r.num(line, w[5], col[5], 'the occupancy'), fvar);
        if (typeof v === 'string') r.fail(l, col[5], `expected an occupancy, got a reference to ${v}`);
        occ = v as number;
        if (!(occ > 0 && occ <= 1 + 1e-6)) r.fail(l, col[5], `expected an occupancy in (0, 1], got ${w[5]}`);
        occ = Math.min(1, occ);
      }
      atoms.push({ z, x: xyz[0], y: xyz[1], w: xyz[2], occ, at: l });
    }
  }
  if (!lattice) return r.fail(undefined, 1, 'expected a CELL line, found none');
  if (atoms.length === 0) return r.fail(cellLine, 1, 'expected at least one atom line after SFAC, found none');
  if (!ended) warnings.push(`${source}:${r.lines.length}:1: no END line; read to the end of the file`);
  if (qPeaks > 0 && firstQ) warnings.push(`${source}:${firstQ.line}:1: ${qPeaks} Q peak(s) (residual density) skipped`);
  // Operations: identity + SYMM, each with the inversion when LATT > 0, each with the centring translations.
  const base: SymOp[] = [Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0), ...symm.map((s) => s.op)];
  const ops: SymOp[] = [];
  for (const op of base) {
    ops.push(op);
    if (latt > 0) ops.push(op.map((v) => -v));
  }
  const shifts = CENTRING[Math.abs(latt)];
  const all: SymOp[] = [...ops];
  for (const t of shifts) for (const op of ops) all.push(Float64Array.from(op, (v, i) => (i >= 9 ? v + t[i - 9] : v)));
  const expand = all.length > 1;
  const frac: number[] = [];
  const z: number[] = [];
  const occ: number[] = [];
  for (const a of atoms) {
    const first = z.length;
    for (const op of all) {
      let x = a.x;
      let y = a.y;
      let w = a.w;
      if (expand) {
        x = op[0] * a.x + op[1] * a.y + op[2] * a.w + op[9];
        y = op[3] * a.x + op[4] * a.y + op[5] * a.w + op[10];
        w = op[6] * a.x + op[7] * a.y + op[8] * a.w + op[11];
        x -= Math.floor(x);
        y -= Math.floor(y);
        w -= Math.floor(w);
        let dup = false;
        for (let j = first; j < z.length && !dup; j++) {
          const dx = x - frac[3 * j],
            dy = y - frac[3 * j + 1],
            dw = w - frac[3 * j + 2];
          dup =
            Math.abs(dx - Math.round(dx)) < 1e-4 &&
            Math.abs(dy - Math.round(dy)) < 1e-4 &&
            Math.abs(dw - Math.round(dw)) < 1e-4;
        }
        if (dup) continue;
      }
      frac.push(x, y, w);
      z.push(a.z);
      occ.push(a.occ);
    }
  }
  if (expand) {
    warnings.push(
      `${source}:${(latticeLine ?? symm[0]?.at ?? cellLine)?.line ?? 1}:1: ${all.length} symmetry operations (SYMM, LATT ${latt}) applied: ${atoms.length} atoms give ${z.length} sites`,
    );
  }
  const partial = occ.some((o) => o < 1);
  const crystal: Crystal = {
    lattice,
    fracCoords: Float64Array.from(frac),
    atomicNumbers: Uint8Array.from(z),
    ...(partial ? { occupancies: Float64Array.from(occ) } : {}),
  };
  return { crystals: [crystal], warnings, names: [title] };
}

/**
 * Writes a SHELX `.res` file as AIRSS writes one (`TITL`, `CELL` from the lattice parameters, `LATT -1`,
 * `SFAC`, one atom per line with its `SFAC` index and occupancy, `END`); AIRSS, ASE, pymatgen and SHELX read
 * it. The cell is written as lengths and angles, so the lattice is read back in the standard orientation (a
 * along x). One crystal per file.
 *
 * @example
 * writeRes(crystal, { title: 'C-24-1' });
 */
export function writeRes(crystal: Crystal | readonly Crystal[], options: { readonly title?: string } = {}): string {
  const fn = 'writeRes';
  let c: Crystal;
  if (Array.isArray(crystal)) {
    const list = crystal as readonly Crystal[];
    if (list.length !== 1)
      throw new InvalidArgumentError(fn, 'crystal', `must be one crystal (a .res holds one), got ${list.length}`);
    c = list[0];
  } else c = crystal as Crystal;
  assertLattice(fn, c.lattice, 'crystal.lattice');
  const p = latticeParameters(c.lattice);
  const n = c.atomicNumbers.length;
  const kinds: number[] = [];
  for (let i = 0; i < n; i++) if (!kinds.includes(c.atomicNumbers[i])) kinds.push(c.atomicNumbers[i]);
  const g = (v: number) => v.toPrecision(15).replace(/\.?0+$/, '');
  const out = [
    `TITL ${(options.title ?? kinds.map((k) => elementSymbol(k)).join('')).replace(/[\r\n]+/g, ' ')}`,
    `CELL 1.54180 ${[p.a, p.b, p.c, p.alpha, p.beta, p.gamma].map(g).join(' ')}`,
    'LATT -1',
    `SFAC ${kinds.map((k) => elementSymbol(k)).join(' ')}`,
  ];
  for (let i = 0; i < n; i++) {
    const zi = c.atomicNumbers[i];
    const o = c.occupancies ? c.occupancies[i] : 1;
    out.push(
      `${elementSymbol(zi).padEnd(3)} ${kinds.indexOf(zi) + 1} ${c.fracCoords[3 * i].toFixed(15)} ${c.fracCoords[3 * i + 1].toFixed(15)} ${c.fracCoords[3 * i + 2].toFixed(15)} ${g(o)}`,
    );
  }
  out.push('END');
  return `${out.join('\n')}\n`;
}
