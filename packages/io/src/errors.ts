import { CrysError } from '@crys/lattice';

/** Where a {@link ParseError} happened: 1-based line and column in the named source. */
export interface SourcePosition {
  /** File name or label of the text (e.g. `'POSCAR'`, `'val.csv'`). */
  readonly source: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/**
 * A file could not be read as the given format. The message begins `source:line:column:` (so editors can
 * jump there) and says what was expected and what arrived.
 *
 * @example
 * try { readPoscar('oops'); } catch (e) { if (e instanceof ParseError) console.log(e.line, e.column); }
 */
export class ParseError extends CrysError {
  override name = 'ParseError';
  /** Format id, e.g. `'cif'`. */
  readonly format: string;
  readonly source: string;
  readonly line: number;
  readonly column: number;
  /** The message without the `source:line:column:` prefix. */
  readonly reason: string;
  constructor(format: string, source: string, line: number, column: number, reason: string) {
    super(`${source}:${line}:${column}: ${format}: ${reason}`);
    this.format = format;
    this.source = source;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/**
 * No registered format matches a file name, an explicit `format` id, or the content.
 *
 * @example
 * try { detectFormat('notes.txt', 'hello'); } catch (e) { if (e instanceof UnknownFormatError) console.log(e.message); }
 */
export class UnknownFormatError extends CrysError {
  override name = 'UnknownFormatError';
  /** The file name or format id that was not recognised (may be empty). */
  readonly hint: string;
  constructor(fn: string, hint: string, message: string) {
    super(`${fn}: ${message}`);
    this.hint = hint;
  }
}
