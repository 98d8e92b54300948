import { ParseError } from './errors.js';

// RFC 4180 records over a growing text buffer: fields separated by commas, records by CRLF or LF, fields
// in double quotes may hold commas, quotes (doubled) and line breaks.

/** One CSV record: its fields and the 1-based line where each field starts. */
export interface CsvRecord {
  readonly fields: string[];
  readonly fieldLines: number[];
  /** 1-based line where the record starts. */
  readonly line: number;
}

/**
 * Incremental RFC 4180 record parser. `push(text)` appends text; `next()` returns the next complete record
 * or `undefined` when more text (or `end()`) is needed. Throws {@link ParseError} for a quote that is not
 * closed or garbage after a closing quote.
 */
export class CsvRecordReader {
  private buf = '';
  private pos = 0;
  private line = 1;
  private ended = false;
  /** Characters consumed so far (of complete records). */
  consumed = 0;
  readonly source: string;
  readonly format: string;
  constructor(source: string, format = 'dataset-csv') {
    this.source = source;
    this.format = format;
  }
  push(text: string): void {
    if (this.pos > 0) {
      this.buf = this.buf.slice(this.pos);
      this.pos = 0;
    }
    this.buf = this.buf.length === 0 ? text : this.buf + text;
  }
  end(): void {
    this.ended = true;
  }
  /** The next complete record, or undefined (need more input, or finished after end()). */
  next(): CsvRecord | undefined {
    const buf = this.buf;
    const n = buf.length;
    let i = this.pos;
    if (i >= n) return undefined;
    let line = this.line;
    const startLine = line;
    const fields: string[] = [];
    const fieldLines: number[] = [];
    for (;;) {
      fieldLines.push(line);
      if (i < n && buf.charCodeAt(i) === 34) {
        // Quoted field.
        const qLine = line;
        const qCol = 1 + i - Math.max(buf.lastIndexOf('\n', i - 1) + 1, 0);
        let value = '';
        let s = i + 1;
        for (;;) {
          const q = buf.indexOf('"', s);
          if (q < 0) {
            if (!this.ended) return undefined;
            throw new ParseError(
              this.format,
              this.source,
              qLine,
              qCol,
              'unterminated quoted field: expected a closing "',
            );
          }
          line += countNewlines(buf, s, q);
          if (q + 1 < n && buf.charCodeAt(q + 1) === 34) {
            value += buf.slice(s, q + 1);
            s = q + 2;
            continue;
          }
          if (q + 1 >= n && !this.ended) return undefined;
          value += buf.slice(s, q);
          i = q + 1;
          break;
        }
        fields.push(value);
        const c = i < n ? buf.charCodeAt(i) : -1;
        if (c === 44) {
          i++;
          continue;
        }
        if (c === 10 || c === 13 || c === -1) {
          if ((c === -1 || (c === 13 && i + 1 >= n)) && !this.ended) return undefined;
          i = skipBreak(buf, i);
          if (c !== -1) line++;
          break;
        }
        throw new ParseError(
          this.format,
          this.source,
          line,
          1 + i - (buf.lastIndexOf('\n', i - 1) + 1),
          `expected ',' or a line break after a closing quote, got '${buf[i]}'`,
        );
      }
      // Unquoted field: up to the next comma or line break.
      let j = i;
      while (j < n) {
        const c = buf.charCodeAt(j);
        if (c === 44 || c === 10 || c === 13) break;
        j++;
      }
      if ((j >= n || (buf.charCodeAt(j) === 13 && j + 1 >= n)) && !this.ended) return undefined;
      fields.push(buf.slice(i, j));
      if (j < n && buf.charCodeAt(j) === 44) {
        i = j + 1;
        continue;
      }
      i = j < n ? skipBreak(buf, j) : j;
      if (j < n) line++;
      break;
    }
    this.consumed += i - this.pos;
    this.pos = i;
    this.line = line;
    return { fields, fieldLines, line: startLine };
  }
}

function skipBreak(buf: string, i: number): number {
  if (buf.charCodeAt(i) === 13) i++;
  if (i < buf.length && buf.charCodeAt(i) === 10) i++;
  return i;
}

function countNewlines(s: string, from: number, to: number): number {
  let k = 0;
  let i = s.indexOf('\n', from);
  while (i >= 0 && i < to) {
    k++;
    i = s.indexOf('\n', i + 1);
  }
  return k;
}

/**
 * Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).
 *
 * @example
 * csvField('a,b'); // '"a,b"'
 */
export function csvField(value: string): string {
  if (!/[",\r\n]/.test(value)) return value;
  return `"${value.replace(/"/g, '""')}"`;
}
