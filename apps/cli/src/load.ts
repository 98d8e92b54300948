import type { Crystal } from '@crys/lattice';
import { readCif, readDatasetCsv, writeCif, writeDatasetCsv } from '@crys/io';
import { UsageError } from './errors.js';
import { readText } from './files.js';

/** A crystal read from a file, with where it came from. */
export interface LoadedCrystal {
  readonly crystal: Crystal;
  /** Where it came from, for messages: `file`, `file#3` (3rd block/frame) or `file:row 17`. */
  readonly label: string;
  /** Dataset id (`material_id`) or CIF block name, when the file has one. */
  readonly id?: string;
  /** Dataset CSV columns other than the CIF (numbers where they parse). */
  readonly properties?: Readonly<Record<string, number | string>>;
}

/** What {@link loadCrystals} returns. */
export interface Loaded {
  readonly crystals: LoadedCrystal[];
  readonly warnings: readonly string[];
  /** Format id used. */
  readonly format: string;
  /** Crystals in the file before `index` / `limit` were applied. */
  readonly total: number;
}

/** Options of {@link loadCrystals}. */
export interface LoadOptions {
  /** Format id (`cif`, `csv`, …); default from the file name, then from the content. */
  readonly format?: string;
  /** Keep only the crystal at this 1-based position. */
  readonly index?: number;
  /** Keep at most this many crystals (from the start, or from `index`). */
  readonly limit?: number;
  /** Called while a dataset CSV is read with the fraction of the text consumed (0…1). */
  readonly onProgress?: (fraction: number, crystals: number) => void;
}

/** Input format ids the CLI reads. */
export const INPUT_FORMATS = ['cif', 'csv'] as const;
/** Output format ids the CLI writes. */
export const OUTPUT_FORMATS = ['cif', 'csv'] as const;

/** The format a file name asks for, or undefined. */
export function formatFromName(file: string): string | undefined {
  const name = file.toLowerCase();
  if (name.endsWith('.cif') || name.endsWith('.mcif')) return 'cif';
  if (name.endsWith('.csv')) return 'csv';
  return undefined;
}

/**
 * Writes crystals in a format (`csv` keeps ids and properties). Throws a {@link UsageError} for a format the
 * CLI cannot write.
 */
export function formatCrystals(items: readonly LoadedCrystal[], format: string): string {
  switch (format) {
    case 'cif':
      return items
        .map((it, i) =>
          writeCif(it.crystal, { blockName: it.id ?? (items.length > 1 ? `crystal_${i + 1}` : undefined) }),
        )
        .join('\n');
    case 'csv':
      return writeDatasetCsv(
        items.map((it, i) => ({ id: it.id ?? String(i + 1), crystal: it.crystal, properties: it.properties })),
      );
    default:
      throw new UsageError(`cannot write format '${format}'`, `choose one of ${OUTPUT_FORMATS.join(', ')}`);
  }
}

/** The format of a file from its name, then its content. */
export function guessFormat(file: string, head: string): string | undefined {
  const byName = formatFromName(file);
  if (byName) return byName;
  const start = head.trimStart();
  if (/^(data_|#)/m.test(start) && /_cell_length_a/.test(head)) return 'cif';
  if (/^[^\n]*\bcif\b[^\n]*\n/.test(start)) return 'csv';
  return undefined;
}

/**
 * Reads every crystal of a file (`-` for stdin) in any format @crys/io reads; a dataset CSV gives one crystal
 * per row. Errors name the file (and line) and say how to fix it.
 */
export function loadCrystals(file: string, options: LoadOptions = {}): Loaded {
  const text = readText(file);
  const source = file === '-' ? 'stdin' : file;
  const format = options.format ?? guessFormat(file, text.slice(0, 4096));
  if (!format) {
    throw new UsageError(
      `cannot tell the format of ${source} from its name or content`,
      `name the format with --format (${INPUT_FORMATS.join(', ')})`,
    );
  }
  let crystals: LoadedCrystal[] = [];
  let warnings: string[] = [];
  const first = options.index ?? 1;
  const stopAfter = options.limit === undefined ? Number.POSITIVE_INFINITY : first - 1 + options.limit;
  let total = 0;
  if (format === 'csv') {
    const onProgress = options.onProgress;
    const progress = onProgress
      ? (p: { rows: number; consumed: number; total?: number }) =>
          onProgress(p.consumed / (p.total ?? text.length), p.rows)
      : undefined;
    for (const row of readDatasetCsv(text, { source, onProgress: progress, progressEvery: 64 })) {
      total++;
      if (total < first || total > stopAfter) continue;
      crystals.push({
        crystal: row.crystal,
        label: `${source}:row ${row.row + 1}`,
        id: row.id,
        properties: row.properties,
      });
      warnings.push(...row.warnings);
    }
  } else if (format === 'cif') {
    const r = readCif(text, { source });
    warnings = [...r.warnings];
    total = r.crystals.length;
    crystals = r.crystals.map((crystal, i) => ({
      crystal,
      label: r.crystals.length > 1 ? `${source}#${i + 1}` : source,
    }));
    crystals = crystals.slice(first - 1, stopAfter);
  } else {
    throw new UsageError(`unknown format '${format}'`, `choose one of ${INPUT_FORMATS.join(', ')}`);
  }
  if (options.index !== undefined && options.index > total) {
    throw new UsageError(`--index ${options.index} is past the end: ${source} holds ${total} crystal(s)`);
  }
  return { crystals, warnings, format, total };
}
