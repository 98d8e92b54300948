import type { Crystal } from '@crys/lattice';
import { readCif } from './cif.js';
import { writeCif } from './cif-writer.js';
import { CsvRecordReader, csvField, type CsvRecord } from './csv.js';
import { ParseError } from './errors.js';

/** One row of a dataset CSV: an id, the crystal from its `cif` column, and every other column. */
export interface DatasetRow {
  /** The `material_id` column (or `id`, or the first column, or the 0-based `row`). */
  readonly id: string;
  readonly crystal: Crystal;
  /** Other columns by header name: numbers where the text is a number, else strings. The unnamed pandas
   * index column is called `index`. */
  readonly properties: Readonly<Record<string, number | string>>;
  /** 0-based index of the data row (header excluded): messages say `row ${row + 1}`, counting from 1. */
  readonly row: number;
  /** Warnings from this row's CIF (usually empty), located in the CSV file:
   * `source:line:column: row 3 (line 40, id mp-1): cif: …`. */
  readonly warnings: readonly string[];
}

/** Progress of a dataset read, passed to `onProgress`. */
export interface DatasetProgress {
  /** Rows yielded so far. */
  readonly rows: number;
  /** Characters (for text input) or bytes (for files) consumed so far. */
  readonly consumed: number;
  /** Total characters or bytes when known. */
  readonly total?: number;
}

/** Options of {@link readDatasetCsv}. */
export interface ReadDatasetCsvOptions {
  /** Name for error messages. Default `'dataset.csv'`. */
  readonly source?: string;
  /** The column holding CIF text. Default `'cif'`. */
  readonly cifColumn?: string;
  /** The id column. Default: `material_id`, else `id`, else the first column. */
  readonly idColumn?: string;
  /** Called every `progressEvery` rows and once at the end. */
  readonly onProgress?: (progress: DatasetProgress) => void;
  /** Rows between progress calls. Default 256. */
  readonly progressEvery?: number;
  /** `'throw'` (default) stops at the first unreadable row; `'skip'` skips it and reports it to `onSkip`. */
  readonly onError?: 'throw' | 'skip';
  /**
   * Called with each skipped row's error, 0-based row index (as {@link DatasetRow.row}) and id (the id column's
   * text, when the row has that field) when `onError` is `'skip'`.
   */
  readonly onSkip?: (error: ParseError, row: number, id: string | undefined) => void;
  /** Keep CIF labels on the crystals. Default false (training does not need them). */
  readonly labels?: boolean;
  /**
   * Wrap fractional coordinates into [0, 1). Default true. `false` keeps each CIF's coordinates exactly as
   * written (see `ReadCifOptions.wrap`), e.g. for fixtures whose image offsets depend on them.
   */
  readonly wrap?: boolean;
}

const EMPTY: readonly string[] = Object.freeze([]);
// readCif is given this source so that its `source:line:column:` prefixes can be found and re-anchored.
const CIF_SOURCE = 'cif';
const CIF_POSITION = /^cif:(\d+):(\d+): /;

/** @internal Turns CSV records into dataset rows; shared by the sync and async readers. */
export class DatasetRowDecoder {
  private header: string[] | undefined;
  private cifCol = -1;
  private idCol = -1;
  private names: string[] = [];
  private rowIndex = 0;
  yielded = 0;
  readonly options: ReadDatasetCsvOptions;
  readonly source: string;
  constructor(options: ReadDatasetCsvOptions) {
    this.options = options;
    this.source = options.source ?? 'dataset.csv';
  }
  /** Returns a row, or undefined for the header, a blank line or a skipped row. */
  decode(rec: CsvRecord): DatasetRow | undefined {
    const f = rec.fields;
    if (!this.header) {
      this.header = f;
      const cifName = this.options.cifColumn ?? 'cif';
      this.cifCol = f.indexOf(cifName);
      if (this.cifCol < 0) {
        throw new ParseError(
          'dataset-csv',
          this.source,
          rec.line,
          1,
          `expected a '${cifName}' column in the header, got ${JSON.stringify(f.slice(0, 12))}`,
        );
      }
      if (this.options.idColumn !== undefined) {
        this.idCol = f.indexOf(this.options.idColumn);
        if (this.idCol < 0) {
          throw new ParseError(
            'dataset-csv',
            this.source,
            rec.line,
            1,
            `expected an '${this.options.idColumn}' column in the header`,
          );
        }
      } else {
        this.idCol = f.indexOf('material_id');
        if (this.idCol < 0) this.idCol = f.indexOf('id');
        if (this.idCol < 0) this.idCol = this.cifCol === 0 ? (f.length > 1 ? 1 : -1) : 0;
      }
      this.names = f.map((h, i) => (h === '' && i === 0 ? 'index' : h));
      return undefined;
    }
    if (f.length === 1 && f[0] === '') return undefined; // blank line
    const row = this.rowIndex++;
    // Messages count data rows from 1 (the first row after the header is row 1) and give the file line where
    // the row starts; the `row` field and onSkip keep the 0-based index.
    const where = `row ${row + 1} (line ${rec.line}`;
    if (f.length !== this.header.length) {
      return this.fail(
        new ParseError(
          'dataset-csv',
          this.source,
          rec.line,
          1,
          `${where}): expected ${this.header.length} fields as in the header, got ${f.length}`,
        ),
        row,
        this.idCol >= 0 && this.idCol < f.length ? f[this.idCol] : undefined,
      );
    }
    const id = this.idCol >= 0 ? f[this.idCol] : String(row);
    const fieldLine = rec.fieldLines[this.cifCol];
    let crystal: Crystal;
    let warnings: readonly string[] = EMPTY;
    try {
      const res = readCif(f[this.cifCol], {
        source: CIF_SOURCE,
        labels: this.options.labels ?? false,
        wrap: this.options.wrap,
      });
      crystal = res.crystals[0];
      if (res.crystals.length > 1 || res.warnings.length > 0) {
        const out = res.warnings.map((w) => this.relocate(w, fieldLine, `${where}, id ${id})`));
        if (res.crystals.length > 1) {
          out.push(
            `${this.source}:${fieldLine}:1: ${where}, id ${id}): cif: ${res.crystals.length} data blocks; the first is used`,
          );
        }
        warnings = out;
      }
    } catch (e) {
      if (e instanceof ParseError) {
        // Re-anchor the CIF position in the CSV file: the field starts at fieldLines[cifCol].
        return this.fail(
          new ParseError(
            'dataset-csv',
            this.source,
            fieldLine + e.line - 1,
            e.column,
            `${where}, id ${id}): cif: ${e.reason}`,
          ),
          row,
          id,
        );
      }
      throw e;
    }
    const properties: Record<string, number | string> = {};
    for (let i = 0; i < f.length; i++) {
      if (i === this.cifCol || i === this.idCol) continue;
      const s = f[i];
      const v = s === '' ? Number.NaN : Number(s);
      properties[this.names[i]] = Number.isNaN(v) && s !== 'NaN' && s !== 'nan' ? s : v;
    }
    this.yielded++;
    return { id, crystal, properties, row, warnings };
  }
  /** A CIF warning `cif:line:col: message` re-anchored in the CSV file: `source:fileLine:col: row …: cif: message`. */
  private relocate(warning: string, fieldLine: number, where: string): string {
    const m = CIF_POSITION.exec(warning);
    if (!m) return `${this.source}:${fieldLine}:1: ${where}: cif: ${warning}`;
    return `${this.source}:${fieldLine + Number(m[1]) - 1}:${m[2]}: ${where}: cif: ${warning.slice(m[0].length)}`;
  }
  private fail(error: ParseError, row: number, id: string | undefined): undefined {
    if (this.options.onError !== 'skip') throw error;
    this.options.onSkip?.(error, row, id);
    return undefined;
  }
  /** Throws when the input ended before a header arrived. */
  finish(): void {
    if (!this.header)
      throw new ParseError('dataset-csv', this.source, 1, 1, 'expected a header row, got an empty input');
  }
}

/**
 * Reads a dataset CSV (the format of `data/*\/val.csv`: RFC 4180, a header, a `cif` column holding a whole
 * CIF per row in a multi-line quoted field) row by row, yielding `{ id, crystal, properties }` as each row is
 * complete. Accepts a whole string or any iterable of text chunks; for files and streams use
 * `readDatasetCsvFile` from `@crys/io/node` or {@link readDatasetCsvAsync}. A broken row throws a
 * {@link ParseError} located in the CSV file (or is skipped with `onError: 'skip'`).
 *
 * @example
 * const csv = 'material_id,cif,energy\nmp-1,"data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n' +
 *   '_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_type_symbol\n' +
 *   '_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 0 0\n",-1.5\n';
 * for (const row of readDatasetCsv(csv)) console.log(row.id, row.properties.energy); // mp-1 -1.5
 */
export function* readDatasetCsv(
  input: string | Iterable<string>,
  options: ReadDatasetCsvOptions = {},
): Generator<DatasetRow, void, undefined> {
  const reader = new CsvRecordReader(options.source ?? 'dataset.csv');
  const decoder = new DatasetRowDecoder(options);
  const every = options.progressEvery ?? 256;
  const total = typeof input === 'string' ? input.length : undefined;
  const progress = (): void => options.onProgress?.({ rows: decoder.yielded, consumed: reader.consumed, total });
  const chunks: Iterable<string> = typeof input === 'string' ? [input] : input;
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let rec = reader.next(); rec; rec = reader.next()) {
      const row = decoder.decode(rec);
      if (row) {
        yield row;
        if (decoder.yielded % every === 0) progress();
      }
    }
  }
  reader.end();
  for (let rec = reader.next(); rec; rec = reader.next()) {
    const row = decoder.decode(rec);
    if (row) {
      yield row;
      if (decoder.yielded % every === 0) progress();
    }
  }
  decoder.finish();
  progress();
}

/**
 * {@link readDatasetCsv} over an async source of text or UTF-8 bytes: a Node `Readable`, a WHATWG
 * `ReadableStream` (e.g. `(await fetch(url)).body`), or any async iterable. Progress counts the chunks'
 * length (bytes for byte chunks); pass `totalBytes` to get `total`.
 *
 * @example
 * for await (const row of readDatasetCsvAsync((await fetch('val.csv')).body!)) console.log(row.id);
 */
export async function* readDatasetCsvAsync(
  input: AsyncIterable<string | Uint8Array> | ReadableStream<string | Uint8Array>,
  options: ReadDatasetCsvOptions & { readonly totalBytes?: number } = {},
): AsyncGenerator<DatasetRow, void, undefined> {
  const reader = new CsvRecordReader(options.source ?? 'dataset.csv');
  const decoder = new DatasetRowDecoder(options);
  const every = options.progressEvery ?? 256;
  const utf8 = new TextDecoder();
  let consumed = 0;
  const progress = (): void => options.onProgress?.({ rows: decoder.yielded, consumed, total: options.totalBytes });
  const iterable: AsyncIterable<string | Uint8Array> =
    Symbol.asyncIterator in input
      ? (input as AsyncIterable<string | Uint8Array>)
      : streamIterable(input as ReadableStream<string | Uint8Array>);
  for await (const chunk of iterable) {
    consumed += chunk.length;
    reader.push(typeof chunk === 'string' ? chunk : utf8.decode(chunk, { stream: true }));
    for (let rec = reader.next(); rec; rec = reader.next()) {
      const row = decoder.decode(rec);
      if (row) {
        yield row;
        if (decoder.yielded % every === 0) progress();
      }
    }
  }
  reader.push(utf8.decode());
  reader.end();
  for (let rec = reader.next(); rec; rec = reader.next()) {
    const row = decoder.decode(rec);
    if (row) {
      yield row;
      if (decoder.yielded % every === 0) progress();
    }
  }
  decoder.finish();
  progress();
}

async function* streamIterable<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const r = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await r.read();
      if (done) return;
      yield value;
    }
  } finally {
    r.releaseLock();
  }
}

/** A row to write with {@link writeDatasetCsv}. */
export interface DatasetRowInit {
  readonly id: string;
  readonly crystal: Crystal;
  readonly properties?: Readonly<Record<string, number | string>>;
}

/** Options of {@link writeDatasetCsv}. */
export interface WriteDatasetCsvOptions {
  /** Property columns, in order. Default: the keys of the first row's properties. */
  readonly columns?: readonly string[];
  /** Name of the id column. Default `'material_id'`. */
  readonly idColumn?: string;
}

/**
 * The lines of a dataset CSV (header first), one string per record, each ending in `\n`: for writing large
 * files piece by piece.
 *
 * @example
 * for (const line of datasetCsvLines(rows)) stream.write(line);
 */
export function* datasetCsvLines(
  rows: Iterable<DatasetRowInit>,
  options: WriteDatasetCsvOptions = {},
): Generator<string, void, undefined> {
  const idColumn = options.idColumn ?? 'material_id';
  let columns = options.columns;
  let first = true;
  for (const r of rows) {
    if (first) {
      columns ??= Object.keys(r.properties ?? {});
      yield `${[idColumn, 'cif', ...columns].map(csvField).join(',')}\n`;
      first = false;
    }
    const cols = columns ?? [];
    const parts = [csvField(r.id), csvField(writeCif(r.crystal, { blockName: r.id }))];
    for (const c of cols) {
      const v = r.properties?.[c];
      parts.push(v === undefined ? '' : csvField(typeof v === 'number' ? numberText(v) : v));
    }
    yield `${parts.join(',')}\n`;
  }
  if (first) yield `${[idColumn, 'cif', ...(columns ?? [])].map(csvField).join(',')}\n`;
}

function numberText(v: number): string {
  return Number.isNaN(v) ? '' : String(v);
}

/**
 * Writes rows as a dataset CSV string (`material_id,cif,<properties…>`), each crystal as a P1 CIF in a quoted
 * multi-line field; {@link readDatasetCsv} and pandas/CDVAE read it back.
 *
 * @example
 * const csv = writeDatasetCsv([{ id: 'pred-0', crystal, properties: { energy: -1.2 } }]);
 */
export function writeDatasetCsv(rows: Iterable<DatasetRowInit>, options: WriteDatasetCsvOptions = {}): string {
  let s = '';
  for (const line of datasetCsvLines(rows, options)) s += line;
  return s;
}
