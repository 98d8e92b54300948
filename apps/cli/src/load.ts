import { detectFormat, FORMATS, getFormat, read, readDatasetCsv, write, writeCif, writeDatasetCsv } from '@crys/io';
import { InvalidArgumentError as CommanderArgumentError } from 'commander';
import type { Crystal } from '@crys/lattice';
import { CliFailure, UsageError } from './errors.js';
import { readText } from './files.js';

/** A crystal read from a file, with where it came from. */
export interface LoadedCrystal {
  readonly crystal: Crystal;
  /** Where it came from, for messages: `file`, `file#3` (3rd block/frame) or `file:row 17`. */
  readonly label: string;
  /** Dataset id (`material_id`), CIF block name or OPTIMADE id, when the file names the crystal. */
  readonly id?: string;
  /** Dataset CSV columns other than the CIF (numbers where they parse). */
  readonly properties?: Readonly<Record<string, number | string>>;
  /**
   * Site images the reader merged into an earlier site of the same element because they coincide (a CIF's
   * symmetry expansion; the reader's warning says so too), when there were any: the crystal has that many atoms
   * fewer than the file lists.
   */
  readonly merged?: number;
}

/** What {@link loadCrystals} returns. */
export interface Loaded {
  readonly crystals: LoadedCrystal[];
  readonly warnings: readonly string[];
  /** Format id used (an @crys/io id: cif, poscar, extxyz, pymatgen-json, optimade-json, dataset-csv). */
  readonly format: string;
  /** Crystals in the file before `index` / `limit` were applied. */
  readonly total: number;
}

/** Options of {@link loadCrystals}. */
export interface LoadOptions {
  /** Format id or alias (`cif`, `poscar`, `xyz`, `json`, `csv`, …); default from the file name, then the content. */
  readonly format?: string;
  /** Keep only the crystal at this 1-based position. */
  readonly index?: number;
  /** Keep at most this many crystals (from the start, or from `index`). */
  readonly limit?: number;
  /** Called while a dataset CSV is read with the fraction of the text consumed (0…1). */
  readonly onProgress?: (fraction: number, crystals: number) => void;
  /** Species of a VASP 4 POSCAR/CHGCAR (no species line), one per count (`--species`). */
  readonly species?: readonly string[];
  /** The cell (9 numbers, rows are lattice vectors, Å) of a plain XYZ file without one (`--lattice`). */
  readonly lattice?: readonly number[];
}

/** Short names users type for @crys/io's format ids. */
const ALIASES: Readonly<Record<string, string>> = {
  csv: 'dataset-csv',
  xyz: 'extxyz',
  json: 'pymatgen-json',
  vasp: 'poscar',
  contcar: 'poscar',
  optimade: 'optimade-json',
  pymatgen: 'pymatgen-json',
  axsf: 'xsf',
  shelx: 'res',
  pwi: 'espresso-in',
  espresso: 'espresso-in',
  chgcar: 'vasp-volumetric',
  locpot: 'vasp-volumetric',
};

/** Format ids and aliases, for help texts. */
export const FORMAT_NAMES =
  'cif, poscar, xyz (extxyz), json (pymatgen), optimade-json, csv (dataset), xsf, res, pwi (espresso-in), chgcar (vasp-volumetric)';

/** Commander parser for `--species Cs,Cl` (or `'Cs Cl'`): element symbols of a VASP 4 file, in count order. */
export function speciesOption(value: string): string[] {
  const list = value.split(/[\s,]+/).filter((w) => w !== '');
  if (list.length === 0 || list.some((w) => !/^[A-Z][a-z]?$/.test(w))) {
    throw new CommanderArgumentError(`expected element symbols such as 'Cs,Cl', got '${value}'.`);
  }
  return list;
}

/** Commander parser for `--lattice`: 9 numbers (rows a, b, c in Å) or 3 lengths of an orthorhombic box. */
export function latticeOption(value: string): number[] {
  const v = value
    .split(/[\s,]+/)
    .filter((w) => w !== '')
    .map(Number);
  if ((v.length !== 9 && v.length !== 3) || !v.every(Number.isFinite)) {
    throw new CommanderArgumentError(
      `expected 9 numbers (lattice vectors a, b, c in Å) or 3 box lengths, got '${value}'.`,
    );
  }
  return v.length === 3 ? [v[0], 0, 0, 0, v[1], 0, 0, 0, v[2]] : v;
}

/** Writable format ids. */
export const OUTPUT_FORMATS: readonly string[] = FORMATS.filter((f) => f.write).map((f) => f.id);

/** The @crys/io format id of a user's `--format` value; a {@link UsageError} when unknown. */
export function resolveFormat(name: string, option = '--format'): string {
  const id = ALIASES[name.toLowerCase()] ?? name.toLowerCase();
  if (!FORMATS.some((f) => f.id === id)) {
    throw new UsageError(`${option} '${name}' is not a format crys knows`, `choose one of ${FORMAT_NAMES}`);
  }
  return id;
}

/** The format a file name asks for (by extension or POSCAR/CONTCAR), or undefined. `-` has none. */
export function formatFromName(file: string): string | undefined {
  if (file === '-') return undefined;
  try {
    return detectFormat(file).id;
  } catch {
    return undefined;
  }
}

/** Throws a {@link UsageError} when crys can read but not write a format. */
export function assertWritable(id: string): void {
  if (!getFormat(id).write) {
    throw new UsageError(`crys cannot write ${id} (read only)`, `write one of ${OUTPUT_FORMATS.join(', ')}`);
  }
}

/**
 * Writes crystals in a format. A dataset CSV keeps ids and properties; a one-crystal format (POSCAR) refuses
 * several crystals with a {@link UsageError} that says what to do.
 */
export function formatCrystals(items: readonly LoadedCrystal[], format: string): string {
  const id = resolveFormat(format, '--to');
  if (id === 'dataset-csv') {
    return writeDatasetCsv(
      items.map((it, i) => ({ id: it.id ?? String(i + 1), crystal: it.crystal, properties: it.properties })),
    );
  }
  if (id === 'cif') {
    // ids (dataset ids, CIF block names) survive csv → cif → csv; unnamed crystals get crystal_i or the formula
    return writeCif(
      items.map((it) => it.crystal),
      { blockNames: items.map((it, i) => it.id || (items.length > 1 ? `crystal_${i + 1}` : '')) },
    );
  }
  const single: Readonly<Record<string, string>> = {
    poscar: 'POSCAR',
    res: 'A SHELX .res',
    'espresso-in': 'A pw.x input',
  };
  if (single[id] && items.length > 1) {
    throw new UsageError(
      `${single[id]} holds one crystal and the input has ${items.length}`,
      'pick one with --index N, or write cif, xyz, xsf or csv',
    );
  }
  assertWritable(id);
  return write(
    items.map((it) => it.crystal),
    id,
  );
}

/**
 * The count in the CIF reader's warning that it merged coincident site images, of block `data_<name>` (of any
 * block when `name` is undefined: a dataset CSV row's own warnings).
 */
function mergedSites(warnings: readonly string[], name?: string): number | undefined {
  const pattern = /: data_(.*?): (\d+) site images coincide with an earlier site of the same element; merged$/;
  for (const w of warnings) {
    const m = pattern.exec(w);
    if (m && (name === undefined || m[1] === name)) return Number(m[2]);
  }
  return undefined;
}

/**
 * Reads every crystal of a file (`-` for stdin) in any format @crys/io reads; a dataset CSV gives one crystal
 * per row, with its id and properties. Errors name the file (and line) and say how to fix it.
 */
export function loadCrystals(file: string, options: LoadOptions = {}): Loaded {
  const text = readText(file);
  const source = file === '-' ? 'stdin' : file;
  let format: string;
  if (options.format) {
    format = resolveFormat(options.format);
  } else {
    try {
      format = detectFormat(file === '-' ? undefined : file, text).id;
    } catch {
      throw new UsageError(
        `cannot tell the format of ${source} from its name or content`,
        `name the format with --format (${FORMAT_NAMES})`,
      );
    }
  }
  const first = options.index ?? 1;
  const stopAfter = options.limit === undefined ? Number.POSITIVE_INFINITY : first - 1 + options.limit;
  const crystals: LoadedCrystal[] = [];
  const warnings: string[] = [];
  let total = 0;
  if (format === 'dataset-csv') {
    const onProgress = options.onProgress;
    const progress = onProgress
      ? (p: { rows: number; consumed: number; total?: number }) =>
          onProgress(p.consumed / (p.total ?? text.length), p.rows)
      : undefined;
    for (const row of readDatasetCsv(text, { source, onProgress: progress, progressEvery: 64 })) {
      total++;
      if (total < first || total > stopAfter) continue;
      const merged = mergedSites(row.warnings);
      crystals.push({
        crystal: row.crystal,
        label: `${source}:row ${row.row + 1}`,
        id: row.id,
        properties: row.properties,
        ...(merged ? { merged } : {}),
      });
      warnings.push(...row.warnings);
    }
    if (total === 0) {
      throw new CliFailure(
        `${source} holds no crystal: a header and no data rows`,
        'check that the right file was given',
      );
    }
  } else {
    const r = read(text, { format, source, species: options.species, lattice: options.lattice });
    warnings.push(...r.warnings);
    total = r.crystals.length;
    r.crystals.forEach((crystal, i) => {
      if (i + 1 >= first && i + 1 <= stopAfter) {
        const label = r.crystals.length > 1 ? `${source}#${i + 1}` : source;
        const name = r.names?.[i];
        const merged = name ? mergedSites(r.warnings, name) : undefined;
        crystals.push({ crystal, label, ...(name ? { id: name } : {}), ...(merged ? { merged } : {}) });
      }
    });
  }
  if (options.index !== undefined && options.index > total) {
    throw new UsageError(`--index ${options.index} is past the end: ${source} holds ${total} crystal(s)`);
  }
  return { crystals, warnings, format, total };
}
