import { assertLattice, assertOrdered, type Crystal, elementSymbol, InvalidArgumentError } from '@crys/lattice';
import { ParseError } from './errors.js';
import { type Line, words } from './lines.js';
import { parseNumberAt } from './number.js';
import { speciesToAtomicNumber } from './species.js';
import type { ReadOptions, ReadResult } from './types.js';
import { coordinatesProblem, fracProblem, inverse, latticeProblem } from './util.js';

/** Options of {@link readPoscar}. */
export interface ReadPoscarOptions extends ReadOptions {
  /** Species for a VASP 4 file (no species line), one per count, e.g. `['Cs', 'Cl']`. */
  readonly species?: readonly string[];
}

/** What {@link readPoscar} returns: the crystal, and what POSCAR carries beyond it. */
export interface PoscarReadResult extends ReadResult {
  /** The first line. */
  readonly comment: string;
  /** With `Selective dynamics`: 3·n flags (1 = may move, `T`), atom-major; else undefined. */
  readonly selectiveDynamics?: Uint8Array;
}

/**
 * Reads a VASP POSCAR/CONTCAR (VASP 5 with a species line, or VASP 4 with species from `options.species` or
 * the comment line): scale factor (one or three; negative means the target volume in Å³), lattice rows,
 * counts, optional `Selective dynamics` (kept as flags), `Direct` or `Cartesian` sites. Velocity and
 * predictor-corrector blocks after the sites are skipped with a warning.
 *
 * @example
 * const poscar = 'CsCl\n1.0\n4.12 0 0\n0 4.12 0\n0 0 4.12\nCs Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n';
 * readPoscar(poscar).crystals[0].atomicNumbers; // Uint8Array [55, 17]
 */
export function readPoscar(text: string, options: ReadPoscarOptions = {}): PoscarReadResult {
  const source = options.source ?? 'POSCAR';
  const warnings: string[] = [];
  const raw = text.split(/\r?\n|\r/);
  const lines: Line[] = raw.map((t, i) => ({ text: t, line: i + 1 }));
  let k = 0;
  const fail = (l: Line | undefined, col: number, reason: string): never => {
    throw new ParseError('poscar', source, l ? l.line : lines.length, col, reason);
  };
  const take = (what: string): Line => {
    if (k >= lines.length) fail(undefined, 1, `expected ${what}, got end of file`);
    return lines[k++];
  };
  const num = (l: Line, w: string, col: number, what: string): number => {
    const v = parseNumberAt(w, 0, w.length);
    if (!Number.isFinite(v)) fail(l, col, `expected ${what}, got '${w}'`);
    return v;
  };
  const commentLine = take('a comment line');
  const comment = commentLine.text.trim();
  // Scale: one number (negative = volume) or three (per axis).
  const sl = take('the scale factor');
  const sw = words(sl);
  if (sw.w.length === 0) fail(sl, 1, 'expected the scale factor, got an empty line');
  const s0 = num(sl, sw.w[0], sw.col[0], 'the scale factor (a number)');
  let scale3: number[] | undefined;
  if (sw.w.length >= 3 && Number.isFinite(parseNumberAt(sw.w[1], 0, sw.w[1].length))) {
    scale3 = [s0, num(sl, sw.w[1], sw.col[1], 'a scale factor'), num(sl, sw.w[2], sw.col[2], 'a scale factor')];
    if (scale3.some((x) => !(x > 0)))
      fail(sl, sw.col[0], `expected three positive scale factors, got ${scale3.join(' ')}`);
  } else if (s0 === 0) fail(sl, sw.col[0], 'expected a non-zero scale factor, got 0');
  const lattice = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    const l = take(`lattice vector ${r + 1}`);
    const lw = words(l);
    if (lw.w.length < 3) fail(l, 1, `expected 3 numbers for lattice vector ${r + 1}, got ${lw.w.length}`);
    for (let c = 0; c < 3; c++) lattice[3 * r + c] = num(l, lw.w[c], lw.col[c], `a lattice vector component`);
  }
  const det =
    lattice[0] * (lattice[4] * lattice[8] - lattice[5] * lattice[7]) -
    lattice[1] * (lattice[3] * lattice[8] - lattice[5] * lattice[6]) +
    lattice[2] * (lattice[3] * lattice[7] - lattice[4] * lattice[6]);
  let scale = [1, 1, 1];
  if (scale3) scale = scale3;
  else if (s0 < 0) {
    if (!(Math.abs(det) > 0))
      fail(sl, sw.col[0], 'expected a lattice with non-zero volume for a negative (volume) scale');
    const f = Math.cbrt(-s0 / Math.abs(det));
    scale = [f, f, f];
  } else scale = [s0, s0, s0];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) lattice[3 * r + c] *= scale[c];
  try {
    assertLattice('readPoscar', lattice);
  } catch (e) {
    if (e instanceof InvalidArgumentError) fail(lines[2], 1, `expected a non-degenerate lattice: ${e.message}`);
    throw e;
  }
  const cellIssue = latticeProblem(lattice);
  if (cellIssue) fail(lines[2], 1, `expected ${cellIssue}`);
  // Species line (VASP 5) or counts (VASP 4).
  let l = take('species names or counts');
  let lw = words(l);
  let species: string[];
  let speciesLine: Line | undefined;
  const isCountLine = lw.w.length > 0 && lw.w.every((w) => /^\d+$/.test(w));
  if (!isCountLine) {
    species = lw.w;
    speciesLine = l;
    l = take('atom counts');
    lw = words(l);
  } else if (options.species) {
    species = [...options.species];
  } else {
    species = comment.split(/\s+/).filter((w) => w.length > 0);
    warnings.push(`${source}:${commentLine.line}:1: VASP 4 file: species taken from the comment line`);
  }
  const counts: number[] = [];
  for (let i = 0; i < lw.w.length; i++) {
    if (!/^\d+$/.test(lw.w[i])) fail(l, lw.col[i], `expected an atom count (a whole number), got '${lw.w[i]}'`);
    counts.push(Number(lw.w[i]));
  }
  if (counts.length === 0) fail(l, 1, 'expected atom counts, got an empty line');
  if (species.length < counts.length) {
    fail(
      speciesLine ?? commentLine,
      1,
      `expected ${counts.length} species names for ${counts.length} counts, got ${species.length}${speciesLine ? '' : ' (VASP 4: pass options.species)'}`,
    );
  }
  const zs: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    const name = species[i].split(/[_/]/)[0];
    const z = speciesToAtomicNumber(name);
    if (z === 0 || name.length > 3) {
      const where = speciesLine ? words(speciesLine).col[i] : 1;
      fail(speciesLine ?? commentLine, where, `expected an element symbol, got '${species[i]}'`);
    }
    zs.push(z);
  }
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) fail(l, 1, 'expected at least one atom, counts sum to 0');
  if (n > lines.length)
    fail(l, 1, `expected ${n} coordinate lines (the counts), the file has ${lines.length} lines in all`);
  l = take('Selective dynamics or Direct/Cartesian');
  let selective = false;
  if (/^\s*s/i.test(l.text)) {
    selective = true;
    l = take('Direct or Cartesian');
  }
  const mode = l.text.trim()[0]?.toLowerCase();
  let cartesian: boolean;
  if (mode === 'c' || mode === 'k') cartesian = true;
  else if (mode === 'd') cartesian = false;
  else {
    cartesian = false;
    fail(l, 1, `expected 'Direct' or 'Cartesian', got '${l.text.trim().slice(0, 20)}'`);
  }
  const frac = new Float64Array(3 * n);
  const atomicNumbers = new Uint8Array(n);
  const flags = selective ? new Uint8Array(3 * n) : undefined;
  const coordLines = new Int32Array(n);
  let a = 0;
  for (let s = 0; s < counts.length; s++) {
    for (let j = 0; j < counts[s]; j++, a++) {
      const cl = take(`coordinates of atom ${a + 1} of ${n}`);
      const cw = words(cl);
      if (cw.w.length < 3) fail(cl, 1, `expected 3 coordinates for atom ${a + 1}, got ${cw.w.length}`);
      for (let c = 0; c < 3; c++) frac[3 * a + c] = num(cl, cw.w[c], cw.col[c], 'a coordinate');
      coordLines[a] = cl.line;
      if (!cartesian) {
        for (let c = 0; c < 3; c++) {
          const issue = fracProblem(frac[3 * a + c], `fractional ${'xyz'[c]}`);
          if (issue) fail(cl, cw.col[c], `expected ${issue}`);
        }
      }
      if (flags) {
        for (let c = 0; c < 3; c++) {
          const f = cw.w[3 + c]?.toUpperCase();
          if (f !== 'T' && f !== 'F') {
            fail(
              cl,
              cw.col[3 + c] ?? cl.text.length + 1,
              `expected a selective-dynamics flag T or F, got '${cw.w[3 + c] ?? ''}'`,
            );
          }
          flags[3 * a + c] = f === 'T' ? 1 : 0;
        }
      }
      atomicNumbers[a] = zs[s];
    }
  }
  if (cartesian) {
    for (let i = 0; i < 3 * n; i++) frac[i] *= scale[i % 3];
    const inv = inverse(lattice);
    for (let i = 0; i < n; i++) {
      const x = frac[3 * i],
        y = frac[3 * i + 1],
        z = frac[3 * i + 2];
      frac[3 * i] = x * inv[0] + y * inv[3] + z * inv[6];
      frac[3 * i + 1] = x * inv[1] + y * inv[4] + z * inv[7];
      frac[3 * i + 2] = x * inv[2] + y * inv[5] + z * inv[8];
      const issue = coordinatesProblem(frac[3 * i], frac[3 * i + 1], frac[3 * i + 2]);
      if (issue) fail(lines[coordLines[i] - 1], 1, `expected ${issue} (from Cartesian coordinates)`);
    }
  }
  // Anything after the sites: velocities, predictor-corrector (CONTCAR), or stray text.
  while (k < lines.length && lines[k].text.trim() === '') k++;
  if (k < lines.length) {
    const extra = lines.slice(k).filter((x) => x.text.trim() !== '').length;
    warnings.push(
      `${source}:${lines[k].line}:1: ${extra} line(s) after the sites (velocities or predictor-corrector) skipped`,
    );
  }
  const crystal: Crystal = { lattice, fracCoords: frac, atomicNumbers };
  return { crystals: [crystal], warnings, comment, ...(flags ? { selectiveDynamics: flags } : {}) };
}

/** Options of {@link writePoscar}. */
export interface WritePoscarOptions {
  /** First line. Default: the formula. */
  readonly comment?: string;
  /** 3·n selective-dynamics flags (1 = T) in the crystal's atom order; writes a `Selective dynamics` block. */
  readonly selectiveDynamics?: ArrayLike<number>;
  /** Write VASP 4 (no species line). Default false. */
  readonly vasp4?: boolean;
  /** Coordinate decimals. Default 12. */
  readonly decimals?: number;
}

/**
 * Writes a VASP 5 POSCAR (scale 1, Direct coordinates). Atoms are grouped by element in order of first
 * appearance, as VASP requires; partially occupied crystals are refused.
 *
 * @example
 * writePoscar(readPoscar(poscarText).crystals[0], { comment: 'CsCl' });
 */
export function writePoscar(crystal: Crystal | readonly Crystal[], options: WritePoscarOptions = {}): string {
  const fn = 'writePoscar';
  let c: Crystal;
  if (Array.isArray(crystal)) {
    const list = crystal as readonly Crystal[];
    if (list.length !== 1)
      throw new InvalidArgumentError(fn, 'crystal', `must be one crystal (POSCAR holds one), got ${list.length}`);
    c = list[0];
  } else c = crystal as Crystal;
  assertLattice(fn, c.lattice, 'crystal.lattice');
  assertOrdered(fn, c);
  const n = c.atomicNumbers.length;
  const d = options.decimals ?? 12;
  const order: number[] = [];
  const kinds: number[] = [];
  for (let i = 0; i < n; i++) if (!kinds.includes(c.atomicNumbers[i])) kinds.push(c.atomicNumbers[i]);
  const counts = kinds.map((z) => {
    let k = 0;
    for (let i = 0; i < n; i++)
      if (c.atomicNumbers[i] === z) {
        order.push(i);
        k++;
      }
    return k;
  });
  const symbols = kinds.map((z) => elementSymbol(z));
  const formula = symbols.map((s, i) => `${s}${counts[i]}`).join('');
  const out: string[] = [];
  out.push((options.comment ?? formula).replace(/[\r\n]+/g, ' '));
  out.push('1.0');
  for (let r = 0; r < 3; r++) {
    out.push(`  ${[0, 1, 2].map((cc) => c.lattice[3 * r + cc].toFixed(12).padStart(20)).join(' ')}`);
  }
  if (!options.vasp4) out.push(`  ${symbols.join(' ')}`);
  out.push(`  ${counts.join(' ')}`);
  const sd = options.selectiveDynamics;
  if (sd) {
    if (sd.length !== 3 * n)
      throw new InvalidArgumentError(
        fn,
        'options.selectiveDynamics',
        `must have length 3·n = ${3 * n}, got ${sd.length}`,
      );
    out.push('Selective dynamics');
  }
  out.push('Direct');
  for (const i of order) {
    let s = `  ${c.fracCoords[3 * i].toFixed(d)} ${c.fracCoords[3 * i + 1].toFixed(d)} ${c.fracCoords[3 * i + 2].toFixed(d)}`;
    if (sd) s += ` ${sd[3 * i] ? 'T' : 'F'} ${sd[3 * i + 1] ? 'T' : 'F'} ${sd[3 * i + 2] ? 'T' : 'F'}`;
    s += ` ${elementSymbol(c.atomicNumbers[i])}`;
    out.push(s);
  }
  return `${out.join('\n')}\n`;
}
