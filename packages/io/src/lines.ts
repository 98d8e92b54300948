import { ParseError } from './errors.js';
import { parseNumberAt } from './number.js';
import { latticeProblem } from './util.js';

/** One line of a text: its content (without the line break) and its 1-based number. */
export interface Line {
  readonly text: string;
  readonly line: number;
}

/** The whitespace-separated words of a line and their 1-based columns. */
export interface Words {
  readonly w: string[];
  readonly col: number[];
}

/** Splits a text into lines (`\n`, `\r\n` or `\r`), numbered from 1. */
export function splitLines(text: string): Line[] {
  const raw = text.split(/\r?\n|\r/);
  const out: Line[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = { text: raw[i], line: i + 1 };
  return out;
}

/** Splits a line into whitespace-separated words with their 1-based columns. */
export function words(l: Line): Words {
  const w: string[] = [];
  const col: number[] = [];
  const re = /\S+/g;
  for (let m = re.exec(l.text); m; m = re.exec(l.text)) {
    w.push(m[0]);
    col.push(m.index + 1);
  }
  return { w, col };
}

/**
 * A cursor over the lines of a text for the line-oriented readers (XSF, SHELX .res, pw.x input): every error is
 * a {@link ParseError} at `source:line:column`.
 */
export class LineReader {
  readonly lines: Line[];
  /** Index of the next line. */
  k = 0;
  readonly format: string;
  readonly source: string;
  constructor(format: string, source: string, text: string) {
    this.format = format;
    this.source = source;
    this.lines = splitLines(text);
  }

  /** Throws a {@link ParseError} at a line (the last line when undefined) and column. */
  fail(l: Line | undefined, col: number, reason: string): never {
    throw new ParseError(this.format, this.source, l ? l.line : this.lines.length, col, reason);
  }

  /** True when every line has been taken. */
  done(): boolean {
    return this.k >= this.lines.length;
  }

  /** The next line, or a {@link ParseError} naming `what` was expected at the end of the file. */
  take(what: string): Line {
    if (this.k >= this.lines.length) this.fail(undefined, 1, `expected ${what}, got end of file`);
    return this.lines[this.k++];
  }

  /** A finite number from a word, or a {@link ParseError} at its column. */
  num(l: Line, w: string | undefined, col: number | undefined, what: string): number {
    if (w === undefined) return this.fail(l, l.text.length + 1, `expected ${what}, got end of line`);
    const v = parseNumberAt(w, 0, w.length);
    if (!Number.isFinite(v)) this.fail(l, col ?? 1, `expected ${what}, got '${w}'`);
    return v;
  }

  /** A whole number ≥ `min` from a word, or a {@link ParseError} at its column. */
  int(l: Line, w: string | undefined, col: number | undefined, what: string, min = 0): number {
    if (w === undefined) return this.fail(l, l.text.length + 1, `expected ${what}, got end of line`);
    if (!/^[+]?\d+$/.test(w) || Number(w) < min || Number(w) > 1e9)
      this.fail(l, col ?? 1, `expected ${what} (a whole number ≥ ${min}), got '${w}'`);
    return Number(w);
  }

  /** Three numbers at the start of a line (a lattice vector or a position). */
  vec3(l: Line, what: string, from = 0): [number, number, number] {
    const { w, col } = words(l);
    if (w.length < from + 3) this.fail(l, 1, `expected 3 numbers for ${what}, got ${Math.max(0, w.length - from)}`);
    return [
      this.num(l, w[from], col[from], `a number for ${what}`),
      this.num(l, w[from + 1], col[from + 1], `a number for ${what}`),
      this.num(l, w[from + 2], col[from + 2], `a number for ${what}`),
    ];
  }

  /** Refuses a lattice `createCrystal` would refuse, at the line that gave it. */
  checkLattice(lattice: Float64Array, at: Line | undefined, what = 'the cell'): void {
    const issue = latticeProblem(lattice);
    if (issue) this.fail(at, 1, `expected ${issue} for ${what}`);
  }
}
