import { type Crystal, latticeFromParametersInto } from '@crys/lattice';
import { type CifBlock, type CifDocument, type CifLoop, parseCifScratch } from './cif-syntax.js';
import { ParseError } from './errors.js';
import { findSpaceGroup, type SpaceGroupMatch, spaceGroupOperations, spaceGroupSetting } from './space-groups.js';
import { speciesToAtomicNumber } from './species.js';
import { formatXyzOperation, parseXyzOperation } from './symop.js';
import type { ReadOptions, ReadResult } from './types.js';
import { fracProblem, inverse, latticeProblem, MAX_FRAC_COORD } from './util.js';

/** Options of {@link readCif}. */
export interface ReadCifOptions extends ReadOptions {
  /**
   * Two symmetry images of a site are one site when every fractional component differs by less than this
   * (modulo 1). Default 1e-4, pymatgen's `site_tolerance`.
   */
  readonly siteTolerance?: number;
  /** Keep `_atom_site_label` on the crystal as `labels`. Default true. */
  readonly labels?: boolean;
  /**
   * Wrap fractional coordinates into [0, 1). Default true. `false` keeps every coordinate exactly as written
   * (or as a symmetry operation maps it, e.g. `-x` of 0.1 is −0.1): nothing is wrapped and nothing is snapped
   * to 1/3 or 2/3, so a P1 file reads back to its own numbers (1.02 stays 1.02, −0.1 stays −0.1). For fixtures
   * whose periodic-image offsets depend on the coordinates as written. Site merging compares modulo 1 either way.
   */
  readonly wrap?: boolean;
}

const OP_TAGS = [
  '_space_group_symop_operation_xyz',
  '_symmetry_equiv_pos_as_xyz',
  '_space_group_symop.operation_xyz',
  '_symmetry_equiv.pos_as_xyz',
];
const HALL_TAGS = ['_space_group_name_hall', '_symmetry_space_group_name_hall', '_space_group.name_hall'];
const HM_TAGS = [
  '_space_group_name_h-m_alt',
  '_symmetry_space_group_name_h-m',
  '_space_group.name_h-m_alt',
  '_space_group_name_h-m',
];
const NUMBER_TAGS = ['_space_group_it_number', '_symmetry_int_tables_number', '_space_group.it_number'];
const CELL_TAGS = [
  '_cell_length_a',
  '_cell_length_b',
  '_cell_length_c',
  '_cell_angle_alpha',
  '_cell_angle_beta',
  '_cell_angle_gamma',
] as const;
const CELL_PARAMS = new Float64Array(6);
/**
 * The most site images a block may generate: atom-site rows × distinct symmetry operations. A real structure
 * stays far below it (192 operations × 1,000 sites is 192,000); a file beyond it is refused with a
 * {@link ParseError} instead of running out of memory or time.
 *
 * @example
 * if (rows * operations > MAX_SITE_IMAGES) console.log('readCif will refuse this block');
 */
export const MAX_SITE_IMAGES = 2_000_000;
const IDENTITY = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0);
// pymatgen's CifParser snaps coordinates written as 0.3333 / 0.6667 to 1/3, 2/3 (relative tolerance 1e-4)
// so that 3- and 6-fold operations map them onto each other.
const FRAC_TOLERANCE = 1e-4;

/**
 * Reads every data block of a CIF 1.1 text that has a cell and atom sites: cell parameters (degrees),
 * fractional (or Cartesian) sites, species from `_atom_site_type_symbol` or the label (oxidation suffixes
 * such as `Fe3+` and label digits are dropped), symmetry expansion from the listed xyz operations or, when
 * none are listed, from the Hall symbol, Hermann–Mauguin symbol or space-group number. Images of one site
 * closer than `siteTolerance` are merged, as are coincident sites of the same element. Partial occupancies
 * are kept on the crystal (`occupancies`) with a warning. Coordinates are wrapped into [0, 1) (`wrap: false`
 * keeps them as written). A block with no symmetry at all is read as P1 (the CIF default) without a warning.
 *
 * `names[i]` is the name of the data block `crystals[i]` came from (`data_NaCl` → `'NaCl'`, as written;
 * `''` for a bare `data_`), so ids survive conversions; blocks skipped for lack of structure have no entry.
 *
 * Throws {@link ParseError} (`source:line:column: …`) for broken syntax or a block whose cell or sites
 * cannot be read; blocks without structure are skipped with a warning.
 *
 * @example
 * const { crystals, names } = readCif('data_Po\n_cell_length_a 3.35\n_cell_length_b 3.35\n_cell_length_c 3.35\n' +
 *   '_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n_space_group_IT_number 221\n' +
 *   'loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo1 0 0 0\n');
 * crystals[0].atomicNumbers; // Uint8Array [84]
 * names; // ['Po']
 */
export function readCif(text: string, options: ReadCifOptions = {}): ReadResult {
  const source = options.source ?? 'cif';
  const doc = parseCifScratch(text, source);
  const crystals: Crystal[] = [];
  const names: string[] = [];
  const warnings = doc.warnings;
  for (const block of doc.blocks) {
    const c = blockToCrystal(doc, block, options, warnings);
    if (c) {
      crystals.push(c);
      names.push(block.name);
    }
  }
  if (crystals.length === 0) {
    const line = doc.blocks.length > 0 ? doc.blocks[0].line : 1;
    throw new ParseError(
      'cif',
      source,
      line,
      1,
      doc.blocks.length === 0
        ? 'expected a data block (data_<name>), found none'
        : `expected a data block with _cell_length_a and an _atom_site_fract_x loop; none of ${doc.blocks.length} block(s) has one`,
    );
  }
  return { crystals, warnings, names };
}

function findLoopColumn(block: CifBlock, tags: readonly string[]): { loop: CifLoop; column: number } | undefined {
  for (const t of tags) {
    const loop = block.loop(t);
    if (loop) return { loop, column: loop.column(t) };
  }
  return undefined;
}

function firstToken(block: CifBlock, tags: readonly string[]): number {
  for (const t of tags) {
    const i = block.token(t);
    if (i >= 0) return i;
  }
  return -1;
}

interface NamedSpaceGroup {
  /** The token the group was read from (for positions). */
  readonly at: number;
  /** The symbol or number as written. */
  readonly text: string;
  /** Only `_space_group_IT_number` (or an alias) was given: no Hall or H–M symbol. */
  readonly numberOnly: boolean;
  readonly match: SpaceGroupMatch | undefined;
}

/** The space group a block names (Hall, then H–M, then number), or undefined when it names none. */
function namedSpaceGroup(doc: CifDocument, block: CifBlock): NamedSpaceGroup | undefined {
  const hallTok = firstToken(block, HALL_TAGS);
  const hmTok = firstToken(block, HM_TAGS);
  const numTok = firstToken(block, NUMBER_TAGS);
  const hall = hallTok >= 0 && !doc.tokenIsNull(hallTok) ? doc.tokenText(hallTok) : undefined;
  const hm = hmTok >= 0 && !doc.tokenIsNull(hmTok) ? doc.tokenText(hmTok) : undefined;
  const num = numTok >= 0 ? doc.tokenNumber(numTok) : Number.NaN;
  if (hall === undefined && hm === undefined && Number.isNaN(num)) return undefined;
  const at = hall !== undefined ? hallTok : hm !== undefined ? hmTok : numTok;
  return {
    at,
    text: hall ?? hm ?? doc.tokenText(numTok),
    numberOnly: hall === undefined && hm === undefined,
    match: findSpaceGroup({ hall, hermannMauguin: hm, number: Number.isNaN(num) ? undefined : num }),
  };
}

function isIdentity(ops: Float64Array): boolean {
  if (ops === IDENTITY) return true;
  if (ops.length !== 12) return false;
  for (let i = 0; i < 12; i++) if (Math.abs(ops[i] - IDENTITY[i]) > 1e-12) return false;
  return true;
}

/** The index of the (first) identity operation in a list of 3×4 operations, or -1. */
function identityIndex(ops: Float64Array): number {
  if (ops === IDENTITY) return 0;
  for (let b = 0; b < ops.length; b += 12) {
    let i = 0;
    while (i < 12 && ops[b + i] === IDENTITY[i]) i++;
    if (i === 12) return b / 12;
  }
  return -1;
}

/**
 * The operations with repeats removed (equal rotations and translations equal modulo 1, to 1e-6), in order of
 * first appearance; `ops` itself when there are none. Expanding the same operation twice only repeats work.
 */
function distinctOperations(ops: Float64Array): Float64Array {
  const seen = new Set<string>();
  const keep: number[] = [];
  for (let b = 0; b < ops.length; b += 12) {
    let key = '';
    for (let i = 0; i < 9; i++) key += `${Math.round(ops[b + i] * 1e9)},`;
    for (let i = 9; i < 12; i++) {
      const t = Math.round((ops[b + i] - Math.floor(ops[b + i])) * 1e6);
      key += `${t === 1e6 ? 0 : t},`;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    keep.push(b);
  }
  if (keep.length * 12 === ops.length) return ops;
  const out = new Float64Array(12 * keep.length);
  for (let k = 0; k < keep.length; k++) out.set(ops.subarray(keep[k], keep[k] + 12), 12 * k);
  return out;
}

let settingsPerNumber: Uint8Array | undefined;

/** How many Hall settings share an ITA number (1 for most cubic and hexagonal groups). */
function settingCount(number: number): number {
  if (!settingsPerNumber) {
    settingsPerNumber = new Uint8Array(231);
    for (let h = 1; ; h++) {
      const s = spaceGroupSetting(h);
      if (!s) break;
      settingsPerNumber[s.number]++;
    }
  }
  return settingsPerNumber[number] ?? 0;
}

function groupLabel(hallNumber: number): string {
  const s = spaceGroupSetting(hallNumber);
  return s ? `'${s.hmFull}' (No. ${s.number}, Hall '${s.hallSymbol}')` : `Hall number ${hallNumber}`;
}

/**
 * The operations of a block: the listed xyz operations, else those of the named space group, else the
 * identity (P1 is the CIF default when a file gives no symmetry at all, so that is not worth a warning).
 * Warns where the reading is a guess: only a space-group number with several settings (the ITA standard one
 * is used), or only the identity listed beside a named space group that is not P1 (the listed sites are read
 * as P1: right for files that list every site, wrong for an asymmetric unit).
 */
function readOperations(doc: CifDocument, block: CifBlock): Float64Array {
  const found = findLoopColumn(block, OP_TAGS);
  const single = found ? -1 : firstToken(block, OP_TAGS);
  if (found || single >= 0) {
    const count = found ? found.loop.numRows : 1;
    let ops: Float64Array | undefined;
    // Fast path: the P1 'x, y, z' files written by pymatgen.
    if (count === 1) {
      const tok = found ? found.loop.token(0, found.column) : single;
      const s = doc.tokenText(tok);
      if (s === 'x, y, z' || s === 'x,y,z') ops = IDENTITY;
    }
    if (!ops) {
      ops = new Float64Array(12 * count);
      for (let r = 0; r < count; r++) {
        const tok = found ? found.loop.token(r, found.column) : single;
        const op = parseXyzOperation(doc.tokenText(tok));
        if (typeof op === 'string') throw doc.errorAt(tok, `symmetry operation: ${op}`);
        ops.set(op, 12 * r);
      }
      const distinct = distinctOperations(ops);
      if (distinct.length < ops.length) {
        doc.warnAt(
          found ? found.loop.token(0, found.column) : single,
          `data_${block.name}: ${(ops.length - distinct.length) / 12} of ${count} symmetry operations repeat an earlier one (modulo lattice translations); ignored`,
        );
        ops = distinct;
      }
    }
    if (isIdentity(ops)) {
      const named = namedSpaceGroup(doc, block);
      const number = named?.match ? spaceGroupSetting(named.match.hallNumber)?.number : undefined;
      if (named?.match && number !== undefined && number !== 1) {
        doc.warnAt(
          named.at,
          `data_${block.name}: only the identity operation is listed but the space group is ${groupLabel(named.match.hallNumber)}; the listed sites are read as P1 (complete only if the file lists every site, not an asymmetric unit)`,
        );
      }
    }
    return ops;
  }
  const named = namedSpaceGroup(doc, block);
  if (!named) return IDENTITY;
  const { match, at } = named;
  if (!match) {
    throw doc.errorAt(
      at,
      `expected a known space group (Hall symbol, Hermann–Mauguin symbol or number 1–230), got ${JSON.stringify(named.text)}`,
    );
  }
  if (match.note) doc.warnAt(at, match.note);
  else if (named.numberOnly) {
    const number = spaceGroupSetting(match.hallNumber)?.number ?? 0;
    if (settingCount(number) > 1) {
      doc.warnAt(
        at,
        `data_${block.name}: no operations or space-group symbol, only the number ${number}, which has ${settingCount(number)} settings; used the ITA standard one, ${groupLabel(match.hallNumber)}`,
      );
    }
  }
  return spaceGroupOperations(match.hallNumber);
}

function cellParameter(doc: CifDocument, block: CifBlock, tag: string, isAngle: boolean, warnings: string[]): number {
  const tok = block.token(tag);
  if (tok < 0 || doc.tokenIsNull(tok)) {
    if (isAngle) {
      warnings.push(`${doc.source}:${block.line}:1: data_${block.name}: ${tag} missing; 90° assumed`);
      return 90;
    }
    throw new ParseError('cif', doc.source, block.line, 1, `data_${block.name}: expected ${tag}, it is missing`);
  }
  const v = doc.tokenNumber(tok);
  if (!(v > 0 && (isAngle ? v < 180 : v < Number.POSITIVE_INFINITY))) {
    throw doc.errorAt(
      tok,
      `expected ${tag} to be ${isAngle ? 'an angle in (0, 180) degrees' : 'a positive length'}, got '${doc.tokenText(tok)}'`,
    );
  }
  return v;
}

/** The cell parameter most likely to blame for a degenerate cell: the most extreme length, else the angle farthest from 90°. */
function worstCellParameter(p: Float64Array): number {
  let worst = 0;
  let score = -1;
  for (let i = 0; i < 3; i++) {
    const s = Math.abs(Math.log10(p[i]));
    if (s > score) {
      score = s;
      worst = i;
    }
  }
  if (score > 30) return worst;
  score = -1;
  for (let i = 3; i < 6; i++) {
    const s = Math.abs(p[i] - 90);
    if (s > score) {
      score = s;
      worst = i;
    }
  }
  return worst;
}

/** `a` copied into a new array of `length` (the growth step of the site arrays). */
function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, length: number): T {
  const out = new (a.constructor as new (n: number) => T)(length);
  out.set(a);
  return out;
}

/**
 * A map from whole-number keys below 2^53 to site indices (-1: absent), open addressing with linear probing in
 * typed arrays: the grid's keys are beyond 2^31, where a `Map` hashes boxed numbers several times slower.
 */
class CellTable {
  private keys = new Float64Array(1024).fill(-1);
  private values = new Int32Array(1024);
  private size = 0;
  private slot(key: number): number {
    const mask = this.keys.length - 1;
    let i = (Math.imul(key >>> 0, 0x9e3779b1) ^ Math.imul(Math.floor(key / 4294967296), 0x85ebca6b)) & mask;
    while (this.keys[i] !== key && this.keys[i] !== -1) i = (i + 1) & mask;
    return i;
  }
  get(key: number): number {
    const i = this.slot(key);
    return this.keys[i] === key ? this.values[i] : -1;
  }
  set(key: number, value: number): void {
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    const i = this.slot(key);
    if (this.keys[i] !== key) {
      this.keys[i] = key;
      this.size++;
    }
    this.values[i] = value;
  }
  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Float64Array(2 * keys.length).fill(-1);
    this.values = new Int32Array(2 * keys.length);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1) this.set(keys[i], values[i]);
  }
}

/**
 * The kept sites of a block bucketed by position modulo 1 on a grid whose cells are at least twice the site
 * tolerance wide, so every site within the tolerance of a point lies in the point's cell or the one on its
 * nearer side along each axis: 8 cells to look at, and merging the images of a block is near-linear instead of
 * comparing each image with every site kept so far. Each cell holds two chains, newest site first: all sites,
 * and the sites of one element (`next` and `nextSame`, indexed by site, link to the older site).
 */
class SiteGrid {
  private readonly g: number;
  private readonly tol: number;
  private readonly heads = new CellTable();
  private readonly headsSame = new CellTable();
  private readonly cells = new Float64Array(8);
  private cellCount = 0;
  private home = 0;
  constructor(tol: number) {
    this.tol = tol;
    const g = Math.floor(0.5 / tol);
    // g < 3 (a tolerance near 1/6 or more) puts everything in one cell; beyond 2^15 the keys stop being exact.
    this.g = g >= 3 ? Math.min(g, 1 << 15) : 1;
  }
  /** Sets the cells to search for a point (and the cell it would be inserted in). */
  locate(a0: number, a1: number, a2: number): void {
    const g = this.g;
    if (g === 1) {
      this.home = 0;
      this.cells[0] = 0;
      this.cellCount = 1;
      return;
    }
    const ix = this.axis(a0);
    const iy = this.axis(a1);
    const iz = this.axis(a2);
    const i0 = ix >> 1;
    const j0 = iy >> 1;
    const k0 = iz >> 1;
    this.home = i0 + g * (j0 + g * k0);
    let c = 0;
    for (let di = 0; di < 2; di++) {
      const i = di === 0 ? i0 : (i0 + ((ix & 1) === 1 ? 1 : g - 1)) % g;
      for (let dj = 0; dj < 2; dj++) {
        const j = dj === 0 ? j0 : (j0 + ((iy & 1) === 1 ? 1 : g - 1)) % g;
        for (let dk = 0; dk < 2; dk++) {
          const k = dk === 0 ? k0 : (k0 + ((iz & 1) === 1 ? 1 : g - 1)) % g;
          this.cells[c++] = i + g * (j + g * k);
        }
      }
    }
    this.cellCount = c;
  }
  /** 2·cell + (1 when the point is in the upper half of its cell) along one axis. */
  private axis(a: number): number {
    const g = this.g;
    let h = Math.floor((a - Math.floor(a)) * 2 * g);
    if (h >= 2 * g) h = 2 * g - 1;
    else if (!(h >= 0)) h = 0;
    return h;
  }
  /**
   * The smallest index of a kept site within the tolerance of the located point (every component modulo 1): of
   * element `z` when `z > 0` (any index), else of any element with index ≥ `stop`; -1 when there is none.
   */
  nearest(frac: Float64Array, link: Int32Array, a0: number, a1: number, a2: number, z: number, stop: number): number {
    const tol = this.tol;
    let best = -1;
    for (let c = 0; c < this.cellCount; c++) {
      const key = this.cells[c];
      let j = z > 0 ? this.headsSame.get(key * 128 + z) : this.heads.get(key);
      // Chains run from the newest site to the oldest, so the last match is the smallest index.
      for (; j >= 0 && j >= stop; j = link[j]) {
        let d = frac[3 * j] - a0;
        if (Math.abs(d - Math.round(d)) >= tol) continue;
        d = frac[3 * j + 1] - a1;
        if (Math.abs(d - Math.round(d)) >= tol) continue;
        d = frac[3 * j + 2] - a2;
        if (Math.abs(d - Math.round(d)) >= tol) continue;
        if (best < 0 || j < best) best = j;
      }
    }
    return best;
  }
  /** Adds site `n` (of element `z`) at the located point. */
  insert(next: Int32Array, nextSame: Int32Array, n: number, z: number): void {
    next[n] = this.heads.get(this.home);
    this.heads.set(this.home, n);
    const same = this.home * 128 + z;
    nextSame[n] = this.headsSame.get(same);
    this.headsSame.set(same, n);
  }
}

function snapThird(x: number): number {
  if (Math.abs(1 - x / (1 / 3)) < FRAC_TOLERANCE) return 1 / 3;
  if (Math.abs(1 - x / (2 / 3)) < FRAC_TOLERANCE) return 2 / 3;
  return x;
}

/** Tags that mark a superspace (incommensurately modulated) CIF. */
const SUPERSPACE_TAGS = [
  '_cell_modulation_dimension',
  '_space_group_ssg_name',
  '_space_group_symop_ssg_operation_algebraic',
  '_space_group_symop_ssg_id',
  '_cell_wave_vector_seq_id',
  '_atom_site_fourier_wave_vector_seq_id',
];

function blockToCrystal(
  doc: CifDocument,
  block: CifBlock,
  options: ReadCifOptions,
  warnings: string[],
): Crystal | undefined {
  const fract = block.loop('_atom_site_fract_x');
  const cartLoop = fract ? undefined : block.loop('_atom_site_cartn_x');
  const sites = fract ?? cartLoop;
  const hasCell = block.has('_cell_length_a');
  if (!sites || !hasCell) {
    if (!sites && !hasCell) {
      warnings.push(`${doc.source}:${block.line}:1: data_${block.name}: no cell and no atom sites; block skipped`);
      return undefined;
    }
    if (doc.blocks.length > 1) {
      // One block of several (reflection data with a cell, a fragment): skipped as pymatgen skips it.
      warnings.push(
        `${doc.source}:${block.line}:1: data_${block.name}: ${sites ? 'atom sites but no _cell_length_a' : 'a cell but no _atom_site_fract_x loop (reflection or other data)'}; block skipped`,
      );
      return undefined;
    }
    throw new ParseError(
      'cif',
      doc.source,
      block.line,
      1,
      sites
        ? `data_${block.name}: expected _cell_length_a for the atom sites, it is missing`
        : `data_${block.name}: expected an _atom_site_fract_x (or _atom_site_Cartn_x) loop for the cell, found none`,
    );
  }
  if (SUPERSPACE_TAGS.some((t) => block.has(t))) {
    warnings.push(
      `${doc.source}:${block.line}:1: data_${block.name}: a superspace (modulated) structure: its (3+d)-dimensional symmetry operations and modulation waves are ignored; the sites are read with the block's 3D symmetry (P1 when it gives none), an average structure at best`,
    );
  }
  const p = CELL_PARAMS;
  for (let i = 0; i < 6; i++) p[i] = cellParameter(doc, block, CELL_TAGS[i], i >= 3, warnings);
  const lattice = latticeFromParametersInto(new Float64Array(9), p[0], p[1], p[2], p[3], p[4], p[5]);
  const cellIssue = lattice ? latticeProblem(lattice) : undefined;
  if (cellIssue) {
    const tag = CELL_TAGS[worstCellParameter(p)];
    throw doc.errorAt(
      block.token(tag),
      `expected ${cellIssue}; the parameters are a ${p[0]}, b ${p[1]}, c ${p[2]}, alpha ${p[3]}, beta ${p[4]}, gamma ${p[5]}`,
    );
  }
  if (!lattice) {
    const at = block.token('_cell_angle_alpha') >= 0 ? block.token('_cell_angle_alpha') : block.token('_cell_length_a');
    throw doc.errorAt(
      at,
      `expected cell angles that form a cell, got alpha ${p[3]}, beta ${p[4]}, gamma ${p[5]} (zero or imaginary volume)`,
    );
  }
  const prefix = fract ? '_atom_site_fract_' : '_atom_site_cartn_';
  const cx = sites.column(`${prefix}x`);
  const cy = sites.column(`${prefix}y`);
  const cz = sites.column(`${prefix}z`);
  if (cy < 0 || cz < 0) {
    throw new ParseError(
      'cif',
      doc.source,
      sites.line,
      sites.columnNumber,
      `expected ${prefix}y and ${prefix}z in the same loop as ${prefix}x`,
    );
  }
  // Species and labels may sit in the coordinate loop or (rarely) elsewhere; only the same loop is used.
  const cType = sites.column('_atom_site_type_symbol');
  const cLabel = sites.column('_atom_site_label');
  const cOcc = sites.column('_atom_site_occupancy');
  if (cType < 0 && cLabel < 0) {
    throw new ParseError(
      'cif',
      doc.source,
      sites.line,
      sites.columnNumber,
      'expected _atom_site_type_symbol or _atom_site_label in the atom-site loop',
    );
  }
  const ops = readOperations(doc, block);
  const numOps = ops.length / 12;
  const tol = options.siteTolerance ?? 1e-4;
  const keepLabels = options.labels !== false && cLabel >= 0;
  const wrap = options.wrap !== false;
  // The identity operation copies the coordinates instead of computing 1·x + 0·y + 0·z + 0, which turns a
  // written -0 into +0 (wrapping does too, so this matters only with wrap: false).
  const identityOp = identityIndex(ops);

  const rows = sites.numRows;
  if (rows * numOps > MAX_SITE_IMAGES) {
    throw new ParseError(
      'cif',
      doc.source,
      sites.line,
      sites.columnNumber,
      `data_${block.name}: ${rows} atom sites × ${numOps} distinct symmetry operations would make ${rows * numOps} site images, above the limit of ${MAX_SITE_IMAGES}`,
    );
  }
  let cap = Math.max(16, Math.min(rows * numOps, 1 << 16));
  let frac = new Float64Array(3 * cap);
  let z = new Uint8Array(cap);
  let occ = new Float64Array(cap);
  let next = new Int32Array(cap);
  let nextSame = new Int32Array(cap);
  const grid = new SiteGrid(tol);
  const labels: string[] = [];
  let n = 0;
  let partial = 0;
  let clamped = 0;
  let skipped = 0;
  let merged = 0;
  let inv: Float64Array | undefined;
  for (let r = 0; r < rows; r++) {
    const tx = sites.token(r, cx);
    const ty = sites.token(r, cy);
    const tz = sites.token(r, cz);
    let x = doc.tokenNumber(tx);
    let y = doc.tokenNumber(ty);
    let w = doc.tokenNumber(tz);
    if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(w))) {
      const bad = !Number.isFinite(x) ? tx : !Number.isFinite(y) ? ty : tz;
      if (doc.tokenIsNull(bad)) {
        skipped++;
        doc.warnAt(bad, `site without coordinates ('${doc.tokenText(bad)}') skipped`);
        continue;
      }
      throw doc.errorAt(bad, `expected a number for a site coordinate, got '${doc.tokenText(bad)}'`);
    }
    if (cartLoop) {
      inv ??= inverse(lattice);
      const fx = x * inv[0] + y * inv[3] + w * inv[6];
      const fy = x * inv[1] + y * inv[4] + w * inv[7];
      const fz = x * inv[2] + y * inv[5] + w * inv[8];
      x = fx;
      y = fy;
      w = fz;
    }
    const coordIssue =
      fracProblem(x, 'fractional x') ?? fracProblem(y, 'fractional y') ?? fracProblem(w, 'fractional z');
    if (coordIssue) {
      const bad = fracProblem(x, 'x') ? tx : fracProblem(y, 'y') ? ty : tz;
      throw doc.errorAt(bad, `expected ${coordIssue}${cartLoop ? ' (from Cartesian coordinates)' : ''}`);
    }
    if (!cartLoop && wrap) {
      x = snapThird(x);
      y = snapThird(y);
      w = snapThird(w);
    }
    const specTok =
      cType >= 0 && !doc.tokenIsNull(sites.token(r, cType))
        ? sites.token(r, cType)
        : sites.token(r, cLabel >= 0 ? cLabel : cType);
    const species = doc.tokenText(specTok);
    const atomicNumber = speciesToAtomicNumber(species);
    if (atomicNumber === 0) {
      if (/^Q\d+$/i.test(species)) {
        // A residual-density peak of a refinement (SHELX's Q1, Q2, …): not an atom.
        skipped++;
        doc.warnAt(specTok, `residual-density peak '${species}' skipped`);
        continue;
      }
      throw doc.errorAt(
        specTok,
        `expected an element in the site's ${cType >= 0 && specTok === sites.token(r, cType) ? '_atom_site_type_symbol' : '_atom_site_label'}, got '${species}' (a dummy site has no element; give its element or remove the row)`,
      );
    }
    let o = 1;
    if (cOcc >= 0) {
      const to = sites.token(r, cOcc);
      if (!doc.tokenIsNull(to)) {
        o = doc.tokenNumber(to);
        if (!Number.isFinite(o) || o < 0) {
          throw doc.errorAt(to, `expected an occupancy in (0, 1], got '${doc.tokenText(to)}'`);
        }
        if (o === 0) {
          skipped++;
          doc.warnAt(to, 'site with occupancy 0 skipped');
          continue;
        }
        if (o > 1) {
          clamped++;
          o = 1;
        }
      }
    }
    const label = keepLabels ? doc.tokenText(sites.token(r, cLabel)) : '';
    const first = n;
    for (let k = 0; k < numOps; k++) {
      const b = 12 * k;
      let a0 = x;
      let a1 = y;
      let a2 = w;
      if (k !== identityOp) {
        a0 = ops[b] * x + ops[b + 1] * y + ops[b + 2] * w + ops[b + 9];
        a1 = ops[b + 3] * x + ops[b + 4] * y + ops[b + 5] * w + ops[b + 10];
        a2 = ops[b + 6] * x + ops[b + 7] * y + ops[b + 8] * w + ops[b + 11];
        if (!(Math.abs(a0) <= MAX_FRAC_COORD && Math.abs(a1) <= MAX_FRAC_COORD && Math.abs(a2) <= MAX_FRAC_COORD)) {
          throw doc.errorAt(
            tx,
            `expected symmetry images within ±${MAX_FRAC_COORD} cells, got (${a0}, ${a1}, ${a2}) from operation ${k + 1} (${formatXyzOperation(ops.subarray(b, b + 12))})`,
          );
        }
      }
      if (wrap) {
        a0 -= Math.floor(a0);
        a1 -= Math.floor(a1);
        a2 -= Math.floor(a2);
        // x − floor(x) rounds up to 1 for tiny negative x.
        if (a0 >= 1) a0 = 0;
        if (a1 >= 1) a1 = 0;
        if (a2 >= 1) a2 = 0;
      }
      // Same orbit within tolerance (an earlier image of this row): skip. An earlier site of the same element at
      // the same point (a site listed twice, or split into parts): add the occupancy to it, as pymatgen does.
      // The grid finds the candidates near the image; of those, the first kept site matching either rule wins.
      grid.locate(a0, a1, a2);
      let dup = grid.nearest(frac, nextSame, a0, a1, a2, atomicNumber, -1);
      if ((dup < 0 || dup >= first) && n > first) dup = grid.nearest(frac, next, a0, a1, a2, 0, first);
      if (dup >= 0) {
        if (dup < first) {
          merged++;
          if (occ[dup] + o > 1 + 1e-6) clamped++;
          occ[dup] = Math.min(1, occ[dup] + o);
        }
        continue;
      }
      if (n === cap) {
        cap *= 2;
        frac = grown(frac, 3 * cap);
        z = grown(z, cap);
        occ = grown(occ, cap);
        next = grown(next, cap);
        nextSame = grown(nextSame, cap);
      }
      frac[3 * n] = a0;
      frac[3 * n + 1] = a1;
      frac[3 * n + 2] = a2;
      z[n] = atomicNumber;
      occ[n] = o;
      grid.insert(next, nextSame, n, atomicNumber);
      if (keepLabels) labels[n] = label;
      n++;
    }
  }
  if (n === 0) {
    throw new ParseError(
      'cif',
      doc.source,
      block.line,
      1,
      `data_${block.name}: expected at least one atom site, found none${skipped ? ` (${skipped} skipped)` : ''}`,
    );
  }
  for (let i = 0; i < n; i++) if (occ[i] < 1) partial++;
  if (merged > 0) {
    warnings.push(
      `${doc.source}:${block.line}:1: data_${block.name}: ${merged} site images coincide with an earlier site of the same element; merged`,
    );
  }
  if (clamped > 0) {
    warnings.push(
      `${doc.source}:${block.line}:1: data_${block.name}: ${clamped} occupancies above 1 (after merging) were set to 1`,
    );
  }
  if (partial > 0) {
    warnings.push(
      `${doc.source}:${block.line}:1: data_${block.name}: ${partial} of ${n} sites are partially occupied; kept in crystal.occupancies`,
    );
  }
  if (keepLabels) labels.length = n;
  return {
    lattice,
    fracCoords: frac.length === 3 * n ? frac : frac.slice(0, 3 * n),
    atomicNumbers: z.length === n ? z : z.slice(0, n),
    ...(partial > 0 ? { occupancies: occ.slice(0, n) } : {}),
    ...(keepLabels ? { labels } : {}),
  };
}
