import type { Crystal } from '@crys/lattice';
import { type ReadCifOptions, readCif } from './cif.js';
import { writeCif } from './cif-writer.js';
import { readDatasetCsv, writeDatasetCsv } from './dataset-csv.js';
import { ParseError, UnknownFormatError } from './errors.js';
import { readExtxyz, writeExtxyz } from './extxyz.js';
import { readOptimadeJson, readPymatgenJson, writePymatgenJson } from './json.js';
import { readPoscar, writePoscar } from './poscar.js';
import type { CrystalFormat, ReadOptions, ReadResult } from './types.js';

/** CIF 1.1 (`.cif`, `.mcif`). */
export const CifFormat = {
  id: 'cif',
  name: 'CIF',
  extensions: ['cif', 'mcif'],
  sniff: (head: string) => /^\s*(#[^\n]*\n\s*)*data_/i.test(head) || /^\s*data_/im.test(head.slice(0, 4096)),
  read: readCif,
  write: (c: Crystal | readonly Crystal[]) => writeCif(c),
} as const satisfies CrystalFormat;

/** VASP POSCAR/CONTCAR (`POSCAR*`, `CONTCAR*`, `.vasp`, `.poscar`). */
export const PoscarFormat = {
  id: 'poscar',
  name: 'VASP POSCAR/CONTCAR',
  extensions: ['vasp', 'poscar', 'contcar'],
  fileNames: ['poscar*', 'contcar*'],
  sniff: (head: string) => {
    const l = head.split(/\r?\n/);
    if (l.length < 7) return false;
    const nums = (s: string | undefined, k: number) => {
      const w = (s ?? '').trim().split(/\s+/);
      return w.length >= k && w.slice(0, k).every((x) => Number.isFinite(Number(x)));
    };
    return nums(l[1], 1) && nums(l[2], 3) && nums(l[3], 3) && nums(l[4], 3);
  },
  read: (text: string, options?: ReadOptions) => readPoscar(text, options),
  write: (c: Crystal | readonly Crystal[]) => writePoscar(c),
} as const satisfies CrystalFormat;

/** Extended XYZ (`.xyz`, `.extxyz`), multi-frame. */
export const ExtxyzFormat = {
  id: 'extxyz',
  name: 'Extended XYZ',
  extensions: ['extxyz', 'xyz'],
  sniff: (head: string) => /^\s*\d+\s*\r?\n[^\n]*lattice\s*=/i.test(head),
  read: (text: string, options?: ReadOptions) => readExtxyz(text, options),
  write: (c: Crystal | readonly Crystal[]) => writeExtxyz(c),
} as const satisfies CrystalFormat;

/** pymatgen `Structure.as_dict()` JSON. */
export const PymatgenJsonFormat = {
  id: 'pymatgen-json',
  name: 'pymatgen Structure JSON',
  extensions: ['json'],
  sniff: (head: string) => /^\s*[[{]/.test(head) && /"(@class|sites)"/.test(head) && /"abc"|"lattice"/.test(head),
  read: readPymatgenJson,
  write: writePymatgenJson,
} as const satisfies CrystalFormat;

/** OPTIMADE structure JSON (read only). */
export const OptimadeJsonFormat = {
  id: 'optimade-json',
  name: 'OPTIMADE structure JSON',
  extensions: ['json'],
  sniff: (head: string) =>
    /^\s*[[{]/.test(head) && /"(lattice_vectors|cartesian_site_positions|species_at_sites)"/.test(head),
  read: readOptimadeJson,
} as const satisfies CrystalFormat;

/** Dataset CSV (`cif` column), read whole through the registry (a header without rows is a ParseError); use `readDatasetCsv` to stream. */
export const DatasetCsvFormat = {
  id: 'dataset-csv',
  name: 'Dataset CSV (CIF per row)',
  extensions: ['csv'],
  sniff: (head: string) => /^[^\n]*(^|,)"?cif"?(,|\r?\n|$)/.test(head),
  read: (text: string, options?: ReadOptions & { readonly wrap?: boolean }): ReadResult => {
    const crystals: Crystal[] = [];
    const warnings: string[] = [];
    const names: string[] = [];
    for (const row of readDatasetCsv(text, { source: options?.source, wrap: options?.wrap })) {
      crystals.push(row.crystal);
      names.push(row.id);
      warnings.push(...row.warnings);
    }
    if (crystals.length === 0) {
      // Like every other reader, a whole read with nothing in it is an error; readDatasetCsv streams an empty
      // dataset (a header alone, as datasetCsvLines writes for no rows) as no rows.
      const line = text.replace(/\s+$/, '').split(/\r?\n|\r/).length + 1;
      throw new ParseError(
        'dataset-csv',
        options?.source ?? 'dataset.csv',
        line,
        1,
        'expected at least one data row after the header, got none',
      );
    }
    return { crystals, warnings, names };
  },
  write: (c: Crystal | readonly Crystal[]) => {
    const list: readonly Crystal[] = Array.isArray(c) ? (c as readonly Crystal[]) : [c as Crystal];
    return writeDatasetCsv(list.map((crystal, i) => ({ id: String(i), crystal })));
  },
} as const satisfies CrystalFormat;

/** Every registered format, in detection order. */
export const FORMATS: readonly CrystalFormat[] = [
  CifFormat,
  PoscarFormat,
  ExtxyzFormat,
  PymatgenJsonFormat,
  OptimadeJsonFormat,
  DatasetCsvFormat,
];

/** The ids of the registered formats. */
export type FormatId = 'cif' | 'poscar' | 'extxyz' | 'pymatgen-json' | 'optimade-json' | 'dataset-csv';

/**
 * The format with an id. Throws {@link UnknownFormatError} listing the known ids.
 *
 * @example
 * getFormat('cif').extensions; // ['cif', 'mcif']
 */
export function getFormat(id: string): CrystalFormat {
  const f = FORMATS.find((x) => x.id === id);
  if (!f) {
    throw new UnknownFormatError(
      'getFormat',
      id,
      `unknown format '${id}'; expected one of ${FORMATS.map((x) => x.id).join(', ')}`,
    );
  }
  return f;
}

function baseName(path: string): string {
  const s = path.replace(/\\/g, '/');
  return s
    .slice(s.lastIndexOf('/') + 1)
    .toLowerCase()
    .replace(/\.gz$/, '');
}

/**
 * The format of a file, from its name (extension, or `POSCAR`/`CONTCAR`) and/or its content (the first
 * few kilobytes are enough). A `.json` name is split between pymatgen and OPTIMADE by content. Throws
 * {@link UnknownFormatError} when neither identifies a format.
 *
 * @example
 * detectFormat('Si.cif').id; // 'cif'
 * detectFormat(undefined, '2\nLattice="…" …').id; // 'extxyz'
 */
export function detectFormat(fileName?: string, content?: string): CrystalFormat {
  const head = content?.slice(0, 8192);
  if (fileName) {
    const base = baseName(fileName);
    const ext = base.includes('.') ? base.slice(base.lastIndexOf('.') + 1) : '';
    const byName = FORMATS.filter(
      (f) =>
        f.extensions.includes(ext) ||
        (f.fileNames ?? []).some((p) => (p.endsWith('*') ? base.startsWith(p.slice(0, -1)) : base === p)),
    );
    if (byName.length === 1) return byName[0];
    if (byName.length > 1) {
      if (head !== undefined) {
        const hit = byName.find((f) => f.sniff(head));
        if (hit) return hit;
      }
      return byName[0];
    }
  }
  if (head !== undefined) {
    const hit = FORMATS.find((f) => f.sniff(head));
    if (hit) return hit;
  }
  throw new UnknownFormatError(
    'detectFormat',
    fileName ?? '',
    `cannot tell the format of ${fileName ? `'${fileName}'` : 'the text'} by ${fileName ? 'name or content' : 'content'}; pass { format } (one of ${FORMATS.map((x) => x.id).join(', ')})`,
  );
}

/** Options of {@link read}. */
export interface ReadAnyOptions extends ReadOptions {
  /** Format id; detected from `fileName`/`source` and the content when omitted. */
  readonly format?: FormatId | (string & {});
  /** File name used for detection (defaults to `source`). */
  readonly fileName?: string;
  /**
   * CIF and dataset CSV: wrap fractional coordinates into [0, 1) (default true); `false` keeps them as written
   * (`ReadCifOptions.wrap`). The other formats never wrap.
   */
  readonly wrap?: boolean;
}

/**
 * Reads a text in any registered format: `options.format`, or detected from the file name and content.
 * Pure (no file system): in Node, `readFile(path)` from `@crys/io/node` reads a path.
 *
 * @example
 * const { crystals, warnings } = read(text, { fileName: 'POSCAR' });
 */
export function read(text: string, options: ReadAnyOptions = {}): ReadResult {
  const name = options.fileName ?? options.source;
  const format = options.format ? getFormat(options.format) : detectFormat(name, text);
  const readOptions: ReadCifOptions = { source: options.source ?? name ?? format.id, wrap: options.wrap };
  return format.read(text, readOptions);
}

/**
 * Writes crystals in a registered format (refused with {@link UnknownFormatError} for read-only ones).
 *
 * @example
 * write(crystal, 'poscar');
 */
export function write(crystals: Crystal | readonly Crystal[], format: FormatId | (string & {})): string {
  const f = getFormat(format);
  if (!f.write)
    throw new UnknownFormatError(
      'write',
      format,
      `format '${format}' is read-only; writable: ${FORMATS.filter((x) => x.write)
        .map((x) => x.id)
        .join(', ')}`,
    );
  return f.write(crystals);
}
