import {
  assertLattice,
  type Crystal,
  elementSymbol,
  hasPartialOccupancy,
  InvalidArgumentError,
  type Mat3Like,
} from '@crys/lattice';
import { ParseError } from './errors.js';
import { parseNumberAt } from './number.js';
import { speciesToAtomicNumber } from './species.js';
import type { ReadOptions, ReadResult } from './types.js';
import { coordinatesProblem, inverse, latticeProblem, longLatticeVector } from './util.js';

/** A per-frame value of the comment line: a number, boolean, string, or a list of numbers/booleans. */
export type ExtxyzValue = number | boolean | string | number[] | boolean[];

/** One frame beyond its crystal: the comment-line keys and the extra per-atom columns. */
export interface ExtxyzFrame {
  /** Comment-line keys other than `Lattice`, `Properties` and `pbc` (e.g. `energy`, `step`). */
  readonly info: Record<string, ExtxyzValue>;
  /** Extra per-atom columns (e.g. `forces`: 3·n), numeric ones as Float64Array, others as strings. */
  readonly arrays: Record<string, Float64Array | string[]>;
  /** The `pbc` flags (default all true). */
  readonly pbc: readonly [boolean, boolean, boolean];
}

/** Options of {@link readExtxyz}. */
export interface ReadExtxyzOptions extends ReadOptions {
  /**
   * The cell (3×3, row-major, rows are lattice vectors, Å) of frames without `Lattice=` on the comment line: a
   * plain XYZ file (a molecule or a cluster, as ASE's `xyz` format and most programs write it) becomes a
   * crystal in this cell, its free-text comment line ignored. Frames with a `Lattice` keep their own.
   */
  readonly lattice?: Mat3Like;
}

/** What {@link readExtxyz} returns: one crystal and one {@link ExtxyzFrame} per frame. */
export interface ExtxyzReadResult extends ReadResult {
  readonly frames: ExtxyzFrame[];
}

/**
 * The per-atom column holding site occupancies (`occupancy:R:1`): written for partially occupied crystals and
 * read back into `crystal.occupancies`, so disorder survives a round trip (ASE keeps it as an array).
 */
const OCCUPANCY_PROPERTY = 'occupancy';

/** Parses the comment line's `key=value` pairs (values may be "quoted" or {braced}); bare keys are true. */
function parseKeyValues(
  text: string,
  fail: (col: number, reason: string) => never,
): Map<string, { raw: string; col: number }> {
  const out = new Map<string, { raw: string; col: number }>();
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) break;
    const ks = i;
    while (i < n && text[i] !== '=' && !/\s/.test(text[i])) i++;
    const key = text.slice(ks, i);
    let j = i;
    while (j < n && /\s/.test(text[j])) j++;
    if (j < n && text[j] === '=') {
      j++;
      while (j < n && /\s/.test(text[j])) j++;
      const q = text[j];
      let raw: string;
      if (q === '"' || q === "'" || q === '{' || q === '[') {
        const close = q === '{' ? '}' : q === '[' ? ']' : q;
        const e = text.indexOf(close, j + 1);
        if (e < 0) fail(j + 1, `expected a closing ${close} for the value of ${key}`);
        raw = text.slice(j + 1, e);
        if (q === '[') raw = raw.replace(/,/g, ' ');
        i = e + 1;
      } else {
        const s = j;
        while (j < n && !/\s/.test(text[j])) j++;
        raw = text.slice(s, j);
        i = j;
      }
      out.set(key, { raw, col: ks + 1 });
    } else {
      out.set(key, { raw: 'T', col: ks + 1 });
      i = Math.max(i, ks + 1);
    }
  }
  return out;
}

function parseValue(raw: string): ExtxyzValue {
  const w = raw
    .trim()
    .split(/\s+/)
    .filter((x) => x.length > 0);
  const bool = (s: string): boolean | undefined =>
    /^(t|true)$/i.test(s) ? true : /^(f|false)$/i.test(s) ? false : undefined;
  if (w.length === 1) {
    const v = parseNumberAt(w[0], 0, w[0].length);
    if (Number.isFinite(v)) return v;
    const b = bool(w[0]);
    return b ?? raw;
  }
  if (w.length > 1) {
    const nums = w.map((s) => parseNumberAt(s, 0, s.length));
    if (nums.every(Number.isFinite)) return nums;
    const bools = w.map(bool);
    if (bools.every((b) => b !== undefined)) return bools as boolean[];
  }
  return raw;
}

/**
 * Reads an extended XYZ file (ASE/QUIP convention): every frame, each with `Lattice="a1 a2 a3 b1 b2 b3 c1
 * c2 c3"` (rows are the lattice vectors), `Properties=species:S:1:pos:R:3:…` (default species + pos),
 * `pbc` and any other keys, which are kept per frame in `frames[i].info`; extra per-atom columns (forces,
 * tags, …) in `frames[i].arrays`; an `occupancy:R:1` column becomes `crystal.occupancies`. A frame without
 * `Lattice` or without atoms is not a crystal and is refused, as is a `Properties` wider than the atom lines.
 *
 * @example
 * const xyz = '1\nLattice="3 0 0 0 3 0 0 0 3" Properties=species:S:1:pos:R:3 energy=-1.5\nPo 0 0 0\n';
 * readExtxyz(xyz).frames[0].info.energy; // -1.5
 */
export function readExtxyz(text: string, options: ReadExtxyzOptions = {}): ExtxyzReadResult {
  const source = options.source ?? 'extxyz';
  const given = options.lattice === undefined ? undefined : Float64Array.from(options.lattice);
  if (given) {
    const issue = given.length === 9 ? latticeProblem(given) : `9 numbers, got ${given.length}`;
    if (issue) throw new InvalidArgumentError('readExtxyz', 'options.lattice', `must be ${issue}`);
  }
  const lines = text.split(/\r?\n|\r/);
  const crystals: Crystal[] = [];
  const frames: ExtxyzFrame[] = [];
  const warnings: string[] = [];
  let k = 0;
  while (k < lines.length) {
    if (lines[k].trim() === '') {
      k++;
      continue;
    }
    const headLine = k + 1;
    const head = lines[k].trim();
    if (!/^\d+$/.test(head)) {
      throw new ParseError(
        'extxyz',
        source,
        headLine,
        1,
        `expected the number of atoms of frame ${frames.length + 1}, got '${head.slice(0, 30)}'`,
      );
    }
    const n = Number(head);
    if (n === 0) {
      throw new ParseError(
        'extxyz',
        source,
        headLine,
        1,
        `expected at least one atom in frame ${frames.length + 1}, got 0 (a frame without atoms is not a crystal)`,
      );
    }
    if (k + 2 + n > lines.length) {
      throw new ParseError(
        'extxyz',
        source,
        headLine,
        1,
        `expected ${n} atom lines after the comment line, the file has ${Math.max(0, lines.length - k - 2)}`,
      );
    }
    if (k + 1 >= lines.length)
      throw new ParseError(
        'extxyz',
        source,
        headLine + 1,
        1,
        'expected a comment line with Lattice="…", got end of file',
      );
    const commentText = lines[k + 1];
    const cl = k + 2;
    const failC = (col: number, reason: string): never => {
      throw new ParseError('extxyz', source, cl, col, reason);
    };
    const errC = (col: number, reason: string): ParseError => new ParseError('extxyz', source, cl, col, reason);
    // A plain XYZ comment line is free text: without a Lattice it is read as key=value pairs only if it parses.
    const plain = given !== undefined && !/lattice\s*=/i.test(commentText);
    let kv: Map<string, { raw: string; col: number }>;
    try {
      kv = parseKeyValues(commentText, failC);
    } catch (e) {
      if (!plain) throw e;
      kv = new Map();
    }
    const latKey = [...kv.keys()].find((x) => x.toLowerCase() === 'lattice');
    if (!latKey && !given)
      throw errC(
        1,
        'expected Lattice="a1 a2 a3 b1 b2 b3 c1 c2 c3" on the comment line: a plain XYZ frame (a molecule, no cell) is not a crystal; give its cell (readExtxyz option lattice, crys --lattice)',
      );
    const latEntry = latKey ? kv.get(latKey)! : { raw: Array.from(given ?? []).join(' '), col: 1 };
    const lat = latEntry.raw
      .trim()
      .split(/[\s,]+/)
      .map((s) => parseNumberAt(s, 0, s.length));
    if (lat.length !== 9 || !lat.every(Number.isFinite))
      failC(latEntry.col, `expected 9 numbers in Lattice, got '${latEntry.raw}'`);
    const lattice = Float64Array.from(lat);
    const long = longLatticeVector(lattice); // before assertLattice: such a cell's volume may overflow
    if (long) failC(latEntry.col, `expected ${long} in Lattice`);
    try {
      assertLattice('readExtxyz', lattice);
    } catch (e) {
      if (e instanceof InvalidArgumentError) failC(latEntry.col, `expected a non-degenerate Lattice: ${e.message}`);
      throw e;
    }
    const cellIssue = latticeProblem(lattice);
    if (cellIssue) failC(latEntry.col, `expected ${cellIssue} in Lattice`);
    const propKey = [...kv.keys()].find((x) => x.toLowerCase() === 'properties');
    const propRaw = propKey ? kv.get(propKey)!.raw : 'species:S:1:pos:R:3';
    const parts = propRaw.split(':');
    if (parts.length % 3 !== 0)
      failC(propKey ? kv.get(propKey)!.col : 1, `expected Properties as name:type:count triples, got '${propRaw}'`);
    const cols: { name: string; type: string; count: number; start: number }[] = [];
    let width = 0;
    for (let i = 0; i < parts.length; i += 3) {
      const count = Number(parts[i + 2]);
      const type = parts[i + 1].toUpperCase();
      if (!Number.isInteger(count) || count < 1 || !'SRIL'.includes(type) || type.length !== 1) {
        failC(
          kv.get(propKey!)?.col ?? 1,
          `expected name:S|R|I|L:count in Properties, got '${parts.slice(i, i + 3).join(':')}'`,
        );
      }
      cols.push({ name: parts[i], type, count, start: width });
      width += count;
    }
    // Sizes come from the text: check them against the first atom line before allocating per-atom columns.
    const firstAtomWords = lines[k + 2].trim().split(/\s+/).length;
    if (width > firstAtomWords) {
      failC(
        kv.get(propKey!)?.col ?? 1,
        `expected Properties to describe the ${firstAtomWords} columns of the atom lines, got ${width} columns in '${propRaw.length > 80 ? `${propRaw.slice(0, 80)}…` : propRaw}'`,
      );
    }
    const species = cols.find((c) => c.name === 'species') ?? cols.find((c) => c.name === 'Z');
    const pos = cols.find((c) => c.name === 'pos' || c.name === 'positions');
    if (!species || !pos || pos.count !== 3) failC(1, 'expected species:S:1 (or Z:I:1) and pos:R:3 in Properties');
    const info: Record<string, ExtxyzValue> = {};
    let pbc: [boolean, boolean, boolean] = [true, true, true];
    for (const [key, v] of kv) {
      if (key === latKey || key === propKey) continue;
      const val = parseValue(v.raw);
      if (key.toLowerCase() === 'pbc') {
        if (Array.isArray(val) && val.length === 3 && typeof val[0] === 'boolean')
          pbc = val as [boolean, boolean, boolean];
        else if (typeof val === 'boolean') pbc = [val, val, val];
        continue;
      }
      info[key] = val;
    }
    if (!(pbc[0] && pbc[1] && pbc[2]))
      warnings.push(
        `${source}:${cl}:1: frame ${frames.length + 1} is not periodic in every direction (pbc=${pbc.map((b) => (b ? 'T' : 'F')).join(' ')}); read as a crystal`,
      );
    const occCol = cols.find((c) => c.name === OCCUPANCY_PROPERTY && c.type === 'R' && c.count === 1);
    const occupancies = occCol ? new Float64Array(n) : undefined;
    const atomicNumbers = new Uint8Array(n);
    const cart = new Float64Array(3 * n);
    const arrays: Record<string, Float64Array | string[]> = {};
    for (const c of cols) {
      if (c === species || c === pos || c === occCol) continue;
      arrays[c.name] = c.type === 'S' ? [] : new Float64Array(c.count * n);
    }
    for (let a = 0; a < n; a++) {
      const li = k + 2 + a;
      if (li >= lines.length)
        throw new ParseError('extxyz', source, li + 1, 1, `expected atom ${a + 1} of ${n}, got end of file`);
      const w = lines[li].trim().split(/\s+/);
      if (w.length < width)
        throw new ParseError('extxyz', source, li + 1, 1, `expected ${width} columns per Properties, got ${w.length}`);
      const sp = w[species!.start];
      const z = species!.type === 'S' ? speciesToAtomicNumber(sp) : Number(sp);
      if (!(Number.isInteger(z) && z >= 1 && z <= 118))
        throw new ParseError('extxyz', source, li + 1, 1, `expected an element, got '${sp}'`);
      atomicNumbers[a] = z;
      for (let c = 0; c < 3; c++) {
        const s = w[pos!.start + c];
        const v = parseNumberAt(s, 0, s.length);
        if (!Number.isFinite(v))
          throw new ParseError('extxyz', source, li + 1, 1, `expected a number for pos, got '${s}'`);
        cart[3 * a + c] = v;
      }
      if (occCol && occupancies) {
        const s = w[occCol.start];
        const o = parseNumberAt(s, 0, s.length);
        if (!(o > 0 && o <= 1 + 1e-6)) {
          throw new ParseError('extxyz', source, li + 1, 1, `expected an ${OCCUPANCY_PROPERTY} in (0, 1], got '${s}'`);
        }
        occupancies[a] = Math.min(1, o);
      }
      for (const c of cols) {
        if (c === species || c === pos || c === occCol) continue;
        const arr = arrays[c.name];
        for (let j = 0; j < c.count; j++) {
          const s = w[c.start + j];
          if (Array.isArray(arr)) arr.push(s);
          else arr[c.count * a + j] = c.type === 'L' ? (/^(t|true)$/i.test(s) ? 1 : 0) : parseNumberAt(s, 0, s.length);
        }
      }
    }
    const inv = inverse(lattice);
    const frac = new Float64Array(3 * n);
    for (let a = 0; a < n; a++) {
      const x = cart[3 * a],
        y = cart[3 * a + 1],
        z = cart[3 * a + 2];
      frac[3 * a] = x * inv[0] + y * inv[3] + z * inv[6];
      frac[3 * a + 1] = x * inv[1] + y * inv[4] + z * inv[7];
      frac[3 * a + 2] = x * inv[2] + y * inv[5] + z * inv[8];
      const issue = coordinatesProblem(frac[3 * a], frac[3 * a + 1], frac[3 * a + 2]);
      if (issue) throw new ParseError('extxyz', source, k + 3 + a, 1, `expected ${issue} (from the Cartesian pos)`);
    }
    let partial = false;
    if (occupancies) for (let a = 0; a < n; a++) if (occupancies[a] < 1 - 1e-6) partial = true;
    if (partial) {
      warnings.push(
        `${source}:${cl}:1: frame ${frames.length + 1}: partially occupied sites (${OCCUPANCY_PROPERTY} column) kept in crystal.occupancies`,
      );
    }
    crystals.push({ lattice, fracCoords: frac, atomicNumbers, ...(partial ? { occupancies } : {}) });
    frames.push({ info, arrays, pbc });
    k += 2 + n;
  }
  if (crystals.length === 0)
    throw new ParseError('extxyz', source, 1, 1, 'expected at least one frame, got an empty file');
  return { crystals, warnings, frames };
}

/** Options of {@link writeExtxyz}: per-frame keys and per-atom columns. */
export interface WriteExtxyzOptions {
  /** Per-frame comment-line keys (e.g. `{ step: 3, energy: -1.2 }`), one record per crystal. */
  readonly info?: readonly Readonly<Record<string, ExtxyzValue>>[];
  /** Per-frame extra per-atom numeric columns (e.g. `{ forces: Float64Array(3·n) }`). */
  readonly arrays?: readonly Readonly<Record<string, ArrayLike<number>>>[];
  /** Significant decimals of positions. Default 10. */
  readonly decimals?: number;
}

function formatValue(v: ExtxyzValue): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (Array.isArray(v))
    return `"${(v as (number | boolean)[]).map((x) => (typeof x === 'boolean' ? (x ? 'T' : 'F') : String(x))).join(' ')}"`;
  return /[\s"=]/.test(v) || v === '' ? `"${v.replace(/"/g, "'")}"` : v;
}

/**
 * Writes crystals as an extended XYZ trajectory (one frame per crystal), which ASE (`ase.io.read(…,
 * index=':')`) and OVITO read: Cartesian positions, `Lattice`, `Properties`, `pbc="T T T"`, plus per-frame
 * `info` keys and per-atom `arrays`. A partially occupied crystal gets an `occupancy:R:1` column, which
 * {@link readExtxyz} reads back into `occupancies`. Use it for relaxation paths.
 *
 * @example
 * writeExtxyz(path, { info: path.map((_, step) => ({ step })) });
 */
export function writeExtxyz(crystals: Crystal | readonly Crystal[], options: WriteExtxyzOptions = {}): string {
  const fn = 'writeExtxyz';
  const list: readonly Crystal[] = Array.isArray(crystals) ? (crystals as readonly Crystal[]) : [crystals as Crystal];
  const d = options.decimals ?? 10;
  let out = '';
  list.forEach((c, f) => {
    assertLattice(fn, c.lattice, `crystals[${f}].lattice`);
    const n = c.atomicNumbers.length;
    const extra = options.arrays?.[f] ?? {};
    const extraCols: [string, ArrayLike<number>, number][] = [];
    for (const [name, arr] of Object.entries(extra)) {
      if (arr.length % Math.max(n, 1) !== 0 || (n > 0 && arr.length === 0)) {
        throw new InvalidArgumentError(
          fn,
          `options.arrays[${f}].${name}`,
          `must have a multiple of n = ${n} values, got ${arr.length}`,
        );
      }
      extraCols.push([name, arr, n > 0 ? arr.length / n : 1]);
    }
    if (hasPartialOccupancy(c)) {
      if (OCCUPANCY_PROPERTY in extra) {
        throw new InvalidArgumentError(
          fn,
          `options.arrays[${f}].${OCCUPANCY_PROPERTY}`,
          'clashes with the column that keeps the partial occupancies of the crystal',
        );
      }
      extraCols.push([OCCUPANCY_PROPERTY, c.occupancies as Float64Array, 1]);
    }
    const props = ['species:S:1:pos:R:3', ...extraCols.map(([name, , k]) => `${name}:R:${k}`)].join(':');
    const keys = [`Lattice="${Array.from(c.lattice, (x) => String(x)).join(' ')}"`, `Properties=${props}`];
    for (const [key, v] of Object.entries(options.info?.[f] ?? {})) {
      if (/^(lattice|properties|pbc)$/i.test(key)) continue;
      keys.push(`${key}=${formatValue(v)}`);
    }
    keys.push('pbc="T T T"');
    out += `${n}\n${keys.join(' ')}\n`;
    const l = c.lattice;
    for (let i = 0; i < n; i++) {
      const x = c.fracCoords[3 * i],
        y = c.fracCoords[3 * i + 1],
        z = c.fracCoords[3 * i + 2];
      const px = x * l[0] + y * l[3] + z * l[6];
      const py = x * l[1] + y * l[4] + z * l[7];
      const pz = x * l[2] + y * l[5] + z * l[8];
      let line = `${elementSymbol(c.atomicNumbers[i]).padEnd(2)} ${px.toFixed(d)} ${py.toFixed(d)} ${pz.toFixed(d)}`;
      for (const [, arr, k] of extraCols) for (let j = 0; j < k; j++) line += ` ${String(arr[k * i + j])}`;
      out += `${line}\n`;
    }
  });
  return out;
}
