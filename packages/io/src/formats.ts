import type { Crystal } from '@crys/lattice';
import { type ReadCifOptions, readCif } from './cif.js';
import { writeCif } from './cif-writer.js';
import { readDatasetCsv, writeDatasetCsv } from './dataset-csv.js';
import { ParseError, UnknownFormatError } from './errors.js';
import { readPwInput, writePwInput } from './espresso.js';
import { type ReadExtxyzOptions, readExtxyz, writeExtxyz } from './extxyz.js';
import { readOptimadeJson, readPymatgenJson, writePymatgenJson } from './json.js';
import { type ReadPoscarOptions, readPoscar, writePoscar } from './poscar.js';
import { readRes, writeRes } from './res.js';
import type { CrystalFormat, ReadOptions, ReadResult } from './types.js';
import { readVaspVolumetric } from './vasp-volumetric.js';
import { readXsf, writeXsf } from './xsf.js';

/** CIF 1.1 (`.cif`, `.mcif`). */
export const CifFormat = {
  id: 'cif',
  name: 'CIF',
  extensions: ['cif', 'mcif'],
  sniff: (head: string) => /^\s*(#[^\n]*\n\s*)*data_/i.test(head) || /^\s*data_/im.test(head.slice(0, 4096)),
  read: readCif,
  write: (c: Crystal | readonly Crystal[]) => writeCif(c),
} as const satisfies CrystalFormat;

/** True when a text starts like a POSCAR: a comment, a scale and three lattice vectors. */
function poscarLike(head: string): boolean {
  const l = head.split(/\r?\n/, 8);
  if (l.length < 7) return false;
  const nums = (s: string | undefined, k: number) => {
    const w = (s ?? '').trim().split(/\s+/);
    return w.length >= k && w.slice(0, k).every((x) => Number.isFinite(Number(x)));
  };
  return nums(l[1], 1) && nums(l[2], 3) && nums(l[3], 3) && nums(l[4], 3);
}

/** True when a POSCAR-like text goes on with a blank line and three grid sizes (CHGCAR, LOCPOT, …). */
function volumetricGrid(head: string): boolean {
  return /\n[ \t]*\r?\n[ \t]*\d+[ \t]+\d+[ \t]+\d+[ \t]*\r?\n/.test(head);
}

/** XCrySDen XSF and animated AXSF (`.xsf`, `.axsf`). */
export const XsfFormat = {
  id: 'xsf',
  name: 'XCrySDen XSF / AXSF',
  extensions: ['xsf', 'axsf'],
  sniff: (head: string) =>
    /^\s*(#[^\n]*\n\s*)*(ANIMSTEPS|CRYSTAL|SLAB|POLYMER|MOLECULE|DIM-GROUP)\b[^\n]*\r?\n/.test(head),
  read: readXsf,
  write: writeXsf,
} as const satisfies CrystalFormat;

/** SHELX `.res` / `.ins` (AIRSS's format). */
export const ResFormat = {
  id: 'res',
  name: 'SHELX .res (AIRSS)',
  extensions: ['res', 'ins'],
  sniff: (head: string) => /(^|\n)\s*CELL\s+[-+\d.]/.test(head) && /(^|\n)\s*SFAC\s/.test(head),
  read: readRes,
  write: (c: Crystal | readonly Crystal[]) => writeRes(c),
} as const satisfies CrystalFormat;

/** Quantum ESPRESSO pw.x input (`.pwi`; any name by content). */
export const EspressoInFormat = {
  id: 'espresso-in',
  name: 'Quantum ESPRESSO pw.x input',
  extensions: ['pwi'],
  sniff: (head: string) => /(^|\n)\s*&(control|system)\b/i.test(head),
  read: readPwInput,
  write: writePwInput,
} as const satisfies CrystalFormat;

/** The structure of VASP volumetric files (`CHGCAR*`, `LOCPOT*`, `ELFCAR*`, `PARCHG*`, `AECCAR*`, `CHG`); read only. */
export const VaspVolumetricFormat = {
  id: 'vasp-volumetric',
  name: 'VASP CHGCAR/LOCPOT/ELFCAR (structure)',
  extensions: [],
  fileNames: ['chgcar*', 'locpot*', 'elfcar*', 'parchg*', 'aeccar*', 'chg', 'chg.*'],
  sniff: (head: string) => poscarLike(head) && volumetricGrid(head),
  read: (text: string, options?: ReadOptions) => readVaspVolumetric(text, options),
} as const satisfies CrystalFormat;

/** VASP POSCAR/CONTCAR (`POSCAR*`, `CONTCAR*`, `.vasp`, `.poscar`). */
export const PoscarFormat = {
  id: 'poscar',
  name: 'VASP POSCAR/CONTCAR',
  extensions: ['vasp', 'poscar', 'contcar'],
  fileNames: ['poscar*', 'contcar*'],
  sniff: (head: string) => poscarLike(head) && !volumetricGrid(head),
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
  XsfFormat,
  ResFormat,
  EspressoInFormat,
  VaspVolumetricFormat,
];

/** The ids of the registered formats. */
export type FormatId =
  | 'cif'
  | 'poscar'
  | 'extxyz'
  | 'pymatgen-json'
  | 'optimade-json'
  | 'dataset-csv'
  | 'xsf'
  | 'res'
  | 'espresso-in'
  | 'vasp-volumetric';

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
  /** POSCAR and VASP volumetric files: species of a VASP 4 file (no species line), one per count. */
  readonly species?: ReadPoscarOptions['species'];
  /** Extended XYZ: the cell of frames without `Lattice` (a plain XYZ file), as `ReadExtxyzOptions.lattice`. */
  readonly lattice?: ReadExtxyzOptions['lattice'];
}

/**
 * Refuses a text that is not text: gzip-compressed data (its magic bytes 1f 8b, decoded) or anything with NUL
 * bytes, with a {@link ParseError} that says so instead of a parser's message quoting binary.
 */
function assertText(text: string, format: string, source: string): void {
  if (text.charCodeAt(0) === 0x1f && (text.charCodeAt(1) === 0x8b || text.charCodeAt(1) === 0xfffd)) {
    throw new ParseError(
      format,
      source,
      1,
      1,
      'expected text, got gzip-compressed data: decompress it first (readFile from @crys/io/node and readBytes do)',
    );
  }
  const nul = text.slice(0, 8192).indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new ParseError(format, source, line, 1, 'expected text, got binary data (a NUL byte)');
  }
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
  const source = options.source ?? name;
  const format = options.format ? getFormat(options.format) : undefined;
  assertText(text, format?.id ?? 'read', source ?? format?.id ?? 'text');
  const f = format ?? detectFormat(name, text);
  const readOptions: ReadCifOptions & ReadPoscarOptions & ReadExtxyzOptions = {
    source: source ?? f.id,
    wrap: options.wrap,
    ...(options.species ? { species: options.species } : {}),
    ...(options.lattice ? { lattice: options.lattice } : {}),
  };
  return f.read(text, readOptions);
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
