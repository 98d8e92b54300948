import { ParseError } from './errors.js';
import { parseNumberAt } from './number.js';

// CIF 1.1 syntax layer (the role of pymatgen's CifFile/CifBlock): a hand-written tokenizer over the string
// that keeps line and column, and a document of data blocks whose values stay as token positions into the
// text until someone asks for them (no per-token objects: five parallel typed arrays).

/** Token kinds written by the tokenizer. */
const T_EOF: number = 0;
const T_DATA: number = 1;
const T_LOOP: number = 2;
const T_TAG: number = 3;
const T_VALUE: number = 4; // unquoted
const T_QUOTED: number = 5; // start/end exclude the quotes
const T_TEXT: number = 6; // ;-delimited text field; start/end exclude the delimiters
const T_SAVE: number = 7;
const T_GLOBAL: number = 8;
const T_STOP: number = 9;

const CH_TAB = 9;
const CH_LF = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_HASH = 35;
const CH_SQUOTE = 39;
const CH_DQUOTE = 34;
const CH_SEMI = 59;
const CH_UNDERSCORE = 95;
const CH_QUESTION = 63;
const CH_DOT = 46;

/** Case-insensitive test that text[start..] begins with the lower-case ASCII `word`. */
function startsWithCI(text: string, start: number, end: number, word: string): boolean {
  if (end - start < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = text.charCodeAt(start + i);
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Growable token table (struct of arrays). */
export class TokenTable {
  kind = new Uint8Array(256);
  start = new Int32Array(256);
  end = new Int32Array(256);
  line = new Int32Array(256);
  col = new Int32Array(256);
  length = 0;
  push(kind: number, start: number, end: number, line: number, col: number): number {
    if (this.length === this.kind.length) this.grow();
    const i = this.length++;
    this.kind[i] = kind;
    this.start[i] = start;
    this.end[i] = end;
    this.line[i] = line;
    this.col[i] = col;
    return i;
  }
  private grow(): void {
    const n = this.kind.length * 2;
    const k = new Uint8Array(n);
    k.set(this.kind);
    this.kind = k;
    for (const f of ['start', 'end', 'line', 'col'] as const) {
      const a = new Int32Array(n);
      a.set(this[f]);
      this[f] = a;
    }
  }
}

/** One `loop_`: its tags and a row-major table of value tokens. */
export class CifLoop {
  /** Lower-case tags in file order. */
  readonly tags: string[];
  /** Number of rows (packets). */
  numRows = 0;
  /** @internal first token index of the values; values are consecutive tokens. */
  readonly firstToken: number;
  /** 1-based line and column of the `loop_` keyword. */
  readonly line: number;
  readonly columnNumber: number;
  private readonly doc: CifDocument;
  constructor(doc: CifDocument, tags: string[], firstToken: number, line: number, column: number) {
    this.doc = doc;
    this.tags = tags;
    this.firstToken = firstToken;
    this.line = line;
    this.columnNumber = column;
  }
  /** Column index of a tag (lower-case), or −1. */
  column(tag: string): number {
    return this.tags.indexOf(tag);
  }
  /** Token index of (row, column). */
  token(row: number, column: number): number {
    return this.firstToken + row * this.tags.length + column;
  }
  /** The value at (row, column) as a string (quotes removed). */
  value(row: number, column: number): string {
    return this.doc.tokenText(this.token(row, column));
  }
  /** The value at (row, column) as a number (uncertainty such as `5.431(2)` dropped); NaN if not numeric. */
  number(row: number, column: number): number {
    return this.doc.tokenNumber(this.token(row, column));
  }
}

/** One `data_` block: single-valued items and loops, looked up by lower-case tag. */
export class CifBlock {
  /** The block name (after `data_`). */
  readonly name: string;
  /** 1-based line of the `data_` header. */
  readonly line: number;
  /** Loops in file order. */
  readonly loops: CifLoop[] = [];
  /** @internal tag → token index of a single value, or loop. */
  readonly items = new Map<string, number | CifLoop>();
  private readonly doc: CifDocument;
  constructor(doc: CifDocument, name: string, line: number) {
    this.doc = doc;
    this.name = name;
    this.line = line;
  }
  /** True when the block has the tag (case-insensitive), single or looped. */
  has(tag: string): boolean {
    return this.items.has(tag.toLowerCase());
  }
  /** The value of a single-valued item, or the first row of a looped one; `undefined` if absent. */
  value(tag: string): string | undefined {
    const it = this.items.get(tag.toLowerCase());
    if (it === undefined) return undefined;
    if (typeof it === 'number') return this.doc.tokenText(it);
    return it.numRows > 0 ? it.value(0, it.column(tag.toLowerCase())) : undefined;
  }
  /** Token index of a single-valued item (or first row of a looped one); −1 if absent. */
  token(tag: string): number {
    const it = this.items.get(tag.toLowerCase());
    if (it === undefined) return -1;
    if (typeof it === 'number') return it;
    return it.numRows > 0 ? it.token(0, it.column(tag.toLowerCase())) : -1;
  }
  /** A numeric item (uncertainty dropped), or NaN when absent, `?`, `.` or not a number. */
  number(tag: string): number {
    const t = this.token(tag);
    return t < 0 ? Number.NaN : this.doc.tokenNumber(t);
  }
  /** The loop holding a tag, if the tag is looped. */
  loop(tag: string): CifLoop | undefined {
    const it = this.items.get(tag.toLowerCase());
    return typeof it === 'object' ? it : undefined;
  }
  /** Every value of a tag: a loop column, a single value as a one-element list, or `[]`. */
  values(tag: string): string[] {
    const key = tag.toLowerCase();
    const it = this.items.get(key);
    if (it === undefined) return [];
    if (typeof it === 'number') return [this.doc.tokenText(it)];
    const c = it.column(key);
    const out: string[] = [];
    for (let r = 0; r < it.numRows; r++) out.push(it.value(r, c));
    return out;
  }
}

/**
 * A parsed CIF 1.1 text: its data blocks, each with items and loops. Values are decoded lazily from token
 * positions (`tokenText`, `tokenNumber`, `tokenLine`, `tokenColumn`).
 */
export class CifDocument {
  readonly text: string;
  readonly source: string;
  readonly blocks: CifBlock[] = [];
  readonly warnings: string[] = [];
  /** @internal */
  readonly tokens: TokenTable;
  constructor(text: string, source: string, tokens: TokenTable = new TokenTable()) {
    this.text = text;
    this.source = source;
    this.tokens = tokens;
    tokens.length = 0;
  }
  /** The text of a value token, quotes and text-field delimiters removed. */
  tokenText(i: number): string {
    return this.text.slice(this.tokens.start[i], this.tokens.end[i]);
  }
  /** The number in a value token (`1.5(2)` → 1.5), or NaN for `?`, `.`, text or a malformed number. */
  tokenNumber(i: number): number {
    const k = this.tokens.kind[i];
    if (k === T_TEXT) return Number.NaN;
    return parseNumberAt(this.text, this.tokens.start[i], this.tokens.end[i]);
  }
  /** True for an unquoted `?` (unknown) or `.` (inapplicable). */
  tokenIsNull(i: number): boolean {
    const t = this.tokens;
    if (t.kind[i] !== T_VALUE || t.end[i] - t.start[i] !== 1) return false;
    const c = this.text.charCodeAt(t.start[i]);
    return c === CH_QUESTION || c === CH_DOT;
  }
  /** 1-based line of a token. */
  tokenLine(i: number): number {
    return this.tokens.line[i];
  }
  /** 1-based column of a token (of its opening quote, for quoted values). */
  tokenColumn(i: number): number {
    return this.tokens.col[i];
  }
  /** A {@link ParseError} located at a token. */
  errorAt(i: number, reason: string): ParseError {
    return new ParseError('cif', this.source, this.tokens.line[i], this.tokens.col[i], reason);
  }
  /** A warning string located at a token. */
  warnAt(i: number, message: string): void {
    this.warnings.push(`${this.source}:${this.tokens.line[i]}:${this.tokens.col[i]}: ${message}`);
  }
}

/** The tokenizer: a cursor over the text; `next()` sets `kind`, `tStart`, `tEnd`, `tLine`, `tCol`. */
class CifLexer {
  readonly text: string;
  readonly source: string;
  readonly n: number;
  pos = 0;
  line = 1;
  lineStart = 0;
  kind: number = T_EOF;
  tStart = 0;
  tEnd = 0;
  tLine = 1;
  tCol = 1;
  constructor(text: string, source: string) {
    this.text = text;
    this.source = source;
    this.n = text.length;
    // Skip a UTF-8 byte-order mark.
    if (this.n > 0 && text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }
  fail(l: number, c: number, reason: string): never {
    throw new ParseError('cif', this.source, l, c, reason);
  }
  next(): void {
    const text = this.text;
    const n = this.n;
    let pos = this.pos;
    let line = this.line;
    let lineStart = this.lineStart;
    let c = 0;
    // Skip whitespace and comments.
    for (;;) {
      if (pos >= n) {
        this.pos = pos;
        this.line = line;
        this.lineStart = lineStart;
        this.kind = T_EOF;
        this.tStart = this.tEnd = n;
        this.tLine = line;
        this.tCol = pos - lineStart + 1;
        return;
      }
      c = text.charCodeAt(pos);
      if (c === CH_SPACE) pos++;
      else if (c === CH_LF) {
        pos++;
        line++;
        lineStart = pos;
      } else if (c === CH_CR) {
        pos++;
        if (pos < n && text.charCodeAt(pos) === CH_LF) pos++;
        line++;
        lineStart = pos;
      } else if (c === CH_TAB) {
        pos++;
      } else if (c === CH_HASH) {
        while (pos < n) {
          const d = text.charCodeAt(pos);
          if (d === CH_LF || d === CH_CR) break;
          pos++;
        }
      } else break;
    }
    const tLine = line;
    const tCol = pos - lineStart + 1;
    this.tLine = tLine;
    this.tCol = tCol;
    if (c === CH_SEMI && pos === lineStart) {
      // Text field: from after the ';' to the line break before a line that starts with ';'.
      pos++;
      this.tStart = pos;
      for (;;) {
        if (pos >= n) this.fail(tLine, tCol, `unterminated text field: expected a line starting with ';' to close it`);
        const d = text.charCodeAt(pos);
        if (d === CH_LF || d === CH_CR) {
          const br = pos;
          pos++;
          if (d === CH_CR && pos < n && text.charCodeAt(pos) === CH_LF) pos++;
          line++;
          lineStart = pos;
          if (pos < n && text.charCodeAt(pos) === CH_SEMI) {
            this.tEnd = br;
            pos++;
            break;
          }
        } else pos++;
      }
      this.kind = T_TEXT;
    } else if (c === CH_SQUOTE || c === CH_DQUOTE) {
      // Quoted string: closed by the same quote followed by whitespace or the end of the text.
      pos++;
      this.tStart = pos;
      for (;;) {
        if (pos >= n)
          this.fail(tLine, tCol, `unterminated quoted string: expected a closing ${String.fromCharCode(c)}`);
        const d = text.charCodeAt(pos);
        if (d === CH_LF || d === CH_CR) {
          this.fail(
            tLine,
            tCol,
            `unterminated quoted string: expected a closing ${String.fromCharCode(c)} before the end of the line`,
          );
        }
        if (d === c) {
          const e = pos + 1 < n ? text.charCodeAt(pos + 1) : CH_SPACE;
          if (e === CH_SPACE || e === CH_LF || e === CH_CR || e === CH_TAB) {
            this.tEnd = pos;
            pos++;
            break;
          }
        }
        pos++;
      }
      this.kind = T_QUOTED;
    } else {
      const start = pos;
      pos++;
      while (pos < n) {
        const d = text.charCodeAt(pos);
        if (d === CH_SPACE || d === CH_LF || d === CH_CR || d === CH_TAB) break;
        pos++;
      }
      this.tStart = start;
      this.tEnd = pos;
      const len = pos - start;
      const lc = c | 0x20;
      if (c === CH_UNDERSCORE) this.kind = T_TAG;
      else if (lc === 100 && startsWithCI(text, start, pos, 'data_')) this.kind = T_DATA;
      else if (lc === 108 && len === 5 && startsWithCI(text, start, pos, 'loop_')) this.kind = T_LOOP;
      else if (lc === 115 && startsWithCI(text, start, pos, 'save_')) this.kind = T_SAVE;
      else if (lc === 103 && len === 7 && startsWithCI(text, start, pos, 'global_')) this.kind = T_GLOBAL;
      else if (lc === 115 && len === 5 && startsWithCI(text, start, pos, 'stop_')) this.kind = T_STOP;
      else this.kind = T_VALUE;
    }
    this.pos = pos;
    this.line = line;
    this.lineStart = lineStart;
  }
}

function describeToken(doc: CifDocument, kind: number, start: number, end: number): string {
  if (kind === T_EOF) return 'end of file';
  const raw = doc.text.slice(start, Math.min(end, start + 40));
  return `'${raw}${end - start > 40 ? '…' : ''}'`;
}

/** Tags of loops a structure is read from: a malformed one of these fails the file, any other is skipped. */
const STRUCTURE_TAG = /^_(atom_site_(?!aniso)|symmetry_equiv_pos|space_group_symop|cell_)/;

/**
 * Parses CIF 1.1 syntax: data blocks, `loop_`s, `;` text fields, quoted strings, comments, `?` and `.`.
 * `save_` frames are skipped with a warning. Throws {@link ParseError} with `source:line:column:` for
 * text that is not CIF (an item without a value, a loop whose values do not fill its rows, an unterminated
 * quote or text field, content before the first `data_`).
 *
 * @example
 * const doc = parseCifDocument('data_x\n_cell_length_a 5.431(2)\n', { source: 'si.cif' });
 * doc.blocks[0].number('_cell_length_a'); // 5.431
 */
export function parseCifDocument(text: string, options: { source?: string } = {}): CifDocument {
  return parseCifInto(text, options.source ?? 'cif', new TokenTable());
}

const scratchTokens = new TokenTable();

/**
 * @internal {@link parseCifDocument} into a shared token table: the document is valid only until the next
 * call (readers that finish with it synchronously use this to avoid allocating).
 */
export function parseCifScratch(text: string, source: string): CifDocument {
  return parseCifInto(text, source, scratchTokens);
}

function parseCifInto(text: string, source: string, table: TokenTable): CifDocument {
  const doc = new CifDocument(text, source, table);
  const tokens = doc.tokens;
  const lx = new CifLexer(text, source);
  const next = (): void => lx.next();
  const fail = (l: number, c: number, reason: string): never => lx.fail(l, c, reason);
  const isValue = (k: number): boolean => k === T_VALUE || k === T_QUOTED || k === T_TEXT;

  let block: CifBlock | null = null;
  next();
  while (lx.kind !== T_EOF) {
    if (lx.kind === T_DATA) {
      block = new CifBlock(doc, text.slice(lx.tStart + 5, lx.tEnd), lx.tLine);
      if (lx.tEnd - lx.tStart === 5) doc.warnings.push(`${source}:${lx.tLine}:${lx.tCol}: data block without a name`);
      doc.blocks.push(block);
      next();
      continue;
    }
    if (block === null) {
      fail(
        lx.tLine,
        lx.tCol,
        `expected a data block header 'data_<name>', got ${describeToken(doc, lx.kind, lx.tStart, lx.tEnd)}`,
      );
      return doc; // unreachable; keeps the type checker happy about block
    }
    if (lx.kind === T_TAG) {
      const tag = text.slice(lx.tStart, lx.tEnd).toLowerCase();
      const tagLine = lx.tLine;
      const tagCol = lx.tCol;
      next();
      if (!isValue(lx.kind)) {
        fail(lx.tLine, lx.tCol, `expected a value for ${tag}, got ${describeToken(doc, lx.kind, lx.tStart, lx.tEnd)}`);
      }
      if (block.items.has(tag)) {
        doc.warnings.push(`${source}:${tagLine}:${tagCol}: duplicate item ${tag}; the last value is used`);
      }
      block.items.set(tag, tokens.push(lx.kind, lx.tStart, lx.tEnd, lx.tLine, lx.tCol));
      next();
      continue;
    }
    if (lx.kind === T_LOOP) {
      const loopLine = lx.tLine;
      const loopCol = lx.tCol;
      next();
      const tags: string[] = [];
      while (lx.kind === T_TAG) {
        tags.push(text.slice(lx.tStart, lx.tEnd).toLowerCase());
        next();
      }
      if (tags.length === 0) {
        fail(loopLine, loopCol, `expected tags after loop_, got ${describeToken(doc, lx.kind, lx.tStart, lx.tEnd)}`);
      }
      const loop = new CifLoop(doc, tags, tokens.length, loopLine, loopCol);
      let count = 0;
      while (isValue(lx.kind)) {
        tokens.push(lx.kind, lx.tStart, lx.tEnd, lx.tLine, lx.tCol);
        count++;
        next();
      }
      if (count % tags.length !== 0 && !STRUCTURE_TAG.test(tags[0]) && !tags.some((t) => STRUCTURE_TAG.test(t))) {
        // A loop the structure does not need (atom-type scattering factors, publication data) with a missing or
        // extra value: pymatgen reads such files, so skip the loop with a warning rather than fail the file.
        doc.warnings.push(
          `${source}:${loopLine}:${loopCol}: loop_ of ${tags[0]}… has ${count} values for ${tags.length} tags (not a multiple); skipped, the structure does not need it`,
        );
        continue;
      }
      if (count % tags.length !== 0) {
        fail(
          lx.tLine,
          lx.tCol,
          `loop_ at line ${loopLine} has ${count} values for ${tags.length} tags: expected a multiple of ${tags.length} before ${describeToken(doc, lx.kind, lx.tStart, lx.tEnd)}`,
        );
      }
      loop.numRows = count / tags.length;
      block.loops.push(loop);
      for (const tag of tags) {
        if (block.items.has(tag)) {
          doc.warnings.push(`${source}:${loopLine}:${loopCol}: duplicate item ${tag}; the last value is used`);
        }
        block.items.set(tag, loop);
      }
      continue;
    }
    if (lx.kind === T_SAVE) {
      // Save frames (dictionaries) carry no structure: skip to the closing bare `save_`.
      doc.warnings.push(`${source}:${lx.tLine}:${lx.tCol}: save frame skipped`);
      const l0 = lx.tLine;
      const c0 = lx.tCol;
      next();
      while (!(lx.kind === T_SAVE && lx.tEnd - lx.tStart === 5)) {
        if (lx.kind === T_EOF) fail(l0, c0, `unterminated save frame: expected a closing save_`);
        next();
      }
      next();
      continue;
    }
    if (lx.kind === T_VALUE || lx.kind === T_QUOTED || lx.kind === T_TEXT) {
      // A value with no tag (a stray line in a hand-edited file): pymatgen and ASE skip it, and so do we.
      doc.warnings.push(
        `${source}:${lx.tLine}:${lx.tCol}: value without a tag skipped: ${describeToken(doc, lx.kind, lx.tStart, lx.tEnd)}`,
      );
      next();
      continue;
    }
    fail(
      lx.tLine,
      lx.tCol,
      `expected a tag, loop_ or data_ header, got reserved word ${describeToken(doc, lx.kind, lx.tStart, lx.tEnd)}`,
    );
  }
  return doc;
}
