import type { Crystal } from '@crys/lattice';

/**
 * What every reader returns: the crystals found (one per CIF data block, one per XYZ frame, …) and the
 * recoverable oddities met on the way, each prefixed `source:line:column:` where a position is known.
 */
export interface ReadResult {
  readonly crystals: Crystal[];
  readonly warnings: string[];
  /**
   * The crystals' names as the file gives them, parallel to `crystals` (`names[i]` names `crystals[i]`):
   * the CIF data block name (`data_mp-149` → `'mp-149'`), the dataset CSV id, the OPTIMADE entry `id`
   * (`''` when missing). Absent for formats whose crystals have no names (POSCAR, extended XYZ, pymatgen
   * JSON).
   */
  readonly names?: string[];
}

/** Options shared by the readers. */
export interface ReadOptions {
  /** Name of the text in error messages and warnings (a file name, `'stdin'`, …). Defaults to the format id. */
  readonly source?: string;
}

/**
 * A file format: an id, file-name patterns, a content sniffer and pure string readers/writers. Follows
 * loaders.gl's `Format` descriptors and ASE's `ioformats` table.
 */
export interface CrystalFormat {
  /** Stable id used by `read(text, { format })`, e.g. `'cif'`. */
  readonly id: string;
  /** Human-readable name. */
  readonly name: string;
  /** Lower-case extensions without the dot. */
  readonly extensions: readonly string[];
  /** Whole lower-case file names (e.g. `poscar`, `contcar`) or prefixes ending in `*`. */
  readonly fileNames?: readonly string[];
  /** True when the start of a text looks like this format. */
  readonly sniff: (head: string) => boolean;
  /** Reads every crystal in a text. */
  readonly read: (text: string, options?: ReadOptions) => ReadResult;
  /** Writes crystals as a text (formats holding one crystal write the first and refuse more). */
  readonly write?: (crystals: Crystal | readonly Crystal[]) => string;
}
