/**
 * The input of a job: rows in input order, each a crystal (or a pair) in an exact JSON form, or the error that
 * kept it from being read. Every input row becomes one job row, so every input row is in the output once.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readDatasetCsv } from '@crys/io';
import { type Crystal, CrysError } from '@crys/lattice';
import { CliFailure, UsageError } from '../errors.js';
import { readText } from '../files.js';
import { loadCrystals, resolveFormat } from '../load.js';

/**
 * A crystal as JSON that round-trips every float64 exactly (JSON numbers are printed in the shortest form that
 * reads back to the same double): lattice `l` (9, row-major), fractional coordinates `f` (3·n), atomic numbers
 * `z` (n). A non-finite number (a diverged prediction) is written as null and read back as NaN.
 */
export interface CrystalJson {
  readonly l: readonly (number | null)[];
  readonly f: readonly (number | null)[];
  readonly z: readonly number[];
}

/** One row of a job's input. `i` is its 0-based position in the input (after --split / --limit). */
export interface JobRow {
  readonly i: number;
  readonly id: string;
  /** Where the row came from, for messages: `file:row 3`, `dir/a.cif`. */
  readonly label: string;
  readonly crystal?: CrystalJson;
  /** The second crystal of a pair (crys match). */
  readonly other?: CrystalJson;
  /** Set when the row could not be read; the row is written to the output with this error. */
  readonly error?: string;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
const orNaN = (x: number | null): number => (x === null ? Number.NaN : x);

/** The exact JSON form of a crystal. */
export function crystalToJson(c: Crystal): CrystalJson {
  return {
    l: Array.from(c.lattice, finiteOrNull),
    f: Array.from(c.fracCoords, finiteOrNull),
    z: Array.from(c.atomicNumbers),
  };
}

/** The crystal of a {@link CrystalJson} (no checks: it was written by {@link crystalToJson}). */
export function crystalFromJson(j: CrystalJson): Crystal {
  return {
    lattice: Float64Array.from(j.l, orNaN),
    fracCoords: Float64Array.from(j.f, orNaN),
    atomicNumbers: Uint8Array.from(j.z),
  };
}

/** True when every number of a crystal is finite. */
export function isFiniteCrystal(c: Crystal): boolean {
  for (const x of c.lattice) if (!Number.isFinite(x)) return false;
  for (const x of c.fracCoords) if (!Number.isFinite(x)) return false;
  return true;
}

/** The message of a row's error: a crys error's own words, anything else with its name. */
export function errorText(e: unknown): string {
  if (CrysError.isInstance(e) || e instanceof Error) return e.message;
  return String(e);
}

/** A row picked by --split / --limit: which split a row is in decides from its id alone. */
export interface RowFilter {
  readonly split?: (id: string) => boolean;
  readonly limit?: number;
}

function applyFilter(rows: Omit<JobRow, 'i'>[], filter: RowFilter): JobRow[] {
  let kept = filter.split ? rows.filter((r) => filter.split?.(r.id)) : rows;
  if (filter.limit !== undefined) kept = kept.slice(0, filter.limit);
  return kept.map((r, i) => ({ i, ...r }));
}

/**
 * Every row of a dataset CSV: a row whose CIF or fields cannot be read is kept with its error (the parser's
 * `file:line:column: row N …` message) instead of stopping the read. A broken header or an unclosed quote
 * (which leaves no rows to speak of) still fails the whole read.
 */
function datasetRows(file: string): Omit<JobRow, 'i'>[] {
  const text = readText(file);
  const source = file === '-' ? 'stdin' : file;
  const byRow: Omit<JobRow, 'i'>[] = [];
  for (const row of readDatasetCsv(text, {
    source,
    onError: 'skip',
    onSkip: (e, n, id) => {
      byRow[n] = { id: id ?? `row-${n + 1}`, label: `${source}:row ${n + 1}`, error: e.message };
    },
  })) {
    byRow[row.row] = { id: row.id, label: `${source}:row ${row.row + 1}`, crystal: crystalToJson(row.crystal) };
  }
  if (byRow.length === 0) {
    throw new CliFailure(
      `${source} holds no crystal: a header and no data rows`,
      'check that the right file was given',
    );
  }
  return byRow;
}

/** Every crystal of one file (any format); a dataset CSV row by row with per-row errors. */
function fileRows(file: string, format: string | undefined): Omit<JobRow, 'i'>[] {
  const id = format ? resolveFormat(format) : undefined;
  if (id === 'dataset-csv' || (id === undefined && /\.csv$/i.test(file))) return datasetRows(file);
  const loaded = loadCrystals(file, { format });
  return loaded.crystals.map((c, k) => ({
    id: c.id ?? (loaded.crystals.length > 1 ? String(k + 1) : file),
    label: c.label,
    crystal: crystalToJson(c.crystal),
  }));
}

/**
 * The structure files of a directory (sorted by name; hidden files and sub-directories skipped), one row each,
 * named by the file name; a file that cannot be read is a row with its error.
 */
function directoryRows(dir: string, format: string | undefined): Omit<JobRow, 'i'>[] {
  const names = readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .sort();
  const rows: Omit<JobRow, 'i'>[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    try {
      const loaded = loadCrystals(path, { format, index: 1, limit: 1 });
      rows.push({ id: name, label: path, crystal: crystalToJson(loaded.crystals[0].crystal) });
    } catch (e) {
      if (!CrysError.isInstance(e)) throw e;
      rows.push({ id: name, label: path, error: errorText(e) });
    }
  }
  if (rows.length === 0) throw new UsageError(`${dir} holds no files`, 'give a folder of structure files or a file');
  return rows;
}

/** True when `path` is an existing directory. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The rows of a job's input: a dataset CSV (one row per CSV row), any multi-crystal file (one row per crystal) or
 * a directory of structure files (one row per file), filtered by `filter` (split by id, then limit).
 */
export function readJobRows(input: string, options: { format?: string; filter?: RowFilter } = {}): JobRow[] {
  const rows = isDirectory(input) ? directoryRows(input, options.format) : fileRows(input, options.format);
  const kept = applyFilter(rows, options.filter ?? {});
  if (kept.length === 0) throw new UsageError(`${input} holds no row to run (after --split / --limit)`);
  return kept;
}

/**
 * The pairs of crys match: row k of `a` with row k of `b` (`by: 'index'`), or each row of `a` with the row of `b`
 * that has its id (`by: 'id'`). A row of `a` without a partner gets an error; unread rows keep theirs.
 */
export function readPairRows(
  a: string,
  b: string,
  options: { format?: string; by: 'index' | 'id'; limit?: number },
): JobRow[] {
  const left = readJobRows(a, { format: options.format, filter: { limit: options.limit } });
  const right = readJobRows(b, { format: options.format });
  const byId = new Map<string, JobRow>();
  if (options.by === 'id') for (const r of right) if (!byId.has(r.id)) byId.set(r.id, r);
  return left.map((l) => {
    const r = options.by === 'id' ? byId.get(l.id) : right[l.i];
    const missing =
      options.by === 'id' ? `${b} has no row with id ${l.id}` : `${b} has no row ${l.i + 1} (it has ${right.length})`;
    const error = l.error ?? (r === undefined ? missing : r.error !== undefined ? `${r.label}: ${r.error}` : undefined);
    return {
      i: l.i,
      id: l.id,
      label: l.label,
      ...(error === undefined ? { crystal: l.crystal, other: r?.crystal } : { error }),
    };
  });
}
