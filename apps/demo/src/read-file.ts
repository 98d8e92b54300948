import { FORMATS, ParseError, read, UnknownFormatError } from '@crys/io';
import { type Crystal, CrysError, closeContacts, elementSymbol } from '@crys/lattice';

/** A crystal file as the page loads it. */
export interface LoadedFile {
  /** Every crystal in the file (CIF data blocks, XYZ frames, CSV rows, …), in file order. */
  crystals: Crystal[];
  /** A name per crystal: the file's own (CIF block, CSV id) or `#k` (1-based). */
  names: string[];
  /** The readers' recoverable oddities and atoms closer than 0.5 Å, each naming the file. */
  warnings: string[];
}

/** A file the page could not read; the message is for the user (file name, and line and column when known). */
export class FileReadError extends Error {
  override name = 'FileReadError';
}

/** The closest two atoms may be before the page warns (Å), as `crys info` does: the field's validity threshold. */
const OVERLAP = 0.5;
/** Crystals of a file checked for overlapping atoms (a dataset can hold tens of thousands). */
const OVERLAP_CHECKS = 200;

/**
 * The readable formats in words, from @crys/io's registry (so formats added there are listed without a change here),
 * e.g. `CIF (.cif, .mcif), VASP POSCAR/CONTCAR (.vasp, …, POSCAR*, CONTCAR*), …`.
 */
export function formatList(): string {
  return FORMATS.map((f) => {
    const names = [...f.extensions.map((e) => `.${e}`), ...(f.fileNames ?? []).map((n) => n.toUpperCase())];
    return `${f.name} (${names.join(', ')})`;
  }).join(', ');
}

/** The file names the page reads, for the drop zone: `.cif .mcif .vasp … POSCAR* CONTCAR*`. */
export function formatExtensions(): string {
  const names = new Set<string>();
  for (const f of FORMATS) {
    for (const e of f.extensions) names.add(`.${e}`);
    for (const n of f.fileNames ?? []) names.add(n.toUpperCase());
  }
  return [...names].join(' ');
}

/**
 * Reads a crystal file with @crys/io's `read` (the format detected from the name and content, as the CLI does).
 * Throws {@link FileReadError} with a message that starts with the file name: the reader's `file:line:column:` for
 * a syntax error, the readable formats for an unknown one.
 *
 * @example
 * readCrystalFile('POSCAR', text).crystals[0].atomicNumbers;
 */
export function readCrystalFile(fileName: string, text: string): LoadedFile {
  if (text.trim() === '') throw new FileReadError(`${fileName}: the file is empty`);
  let result: ReturnType<typeof read>;
  try {
    result = read(text, { source: fileName, fileName });
  } catch (e) {
    if (e instanceof ParseError) throw new FileReadError(e.message);
    if (e instanceof UnknownFormatError) {
      throw new FileReadError(
        `${fileName}: cannot tell the file format from its name or content. Readable formats: ${formatList()}.`,
      );
    }
    if (CrysError.isInstance(e)) throw new FileReadError(`${fileName}: ${e.message}`);
    throw new FileReadError(`${fileName}: could not be read: ${(e as Error)?.message ?? String(e)}`);
  }
  const { crystals } = result;
  if (crystals.length === 0) throw new FileReadError(`${fileName}: no crystal in the file`);
  const names = crystals.map((_, k) => result.names?.[k] || `#${k + 1}`);
  const warnings = [...result.warnings];
  for (let k = 0; k < Math.min(crystals.length, OVERLAP_CHECKS); k++) {
    const c = crystals[k];
    const contacts = closeContacts(c, OVERLAP, { limit: 1 });
    if (contacts.length === 0) continue;
    const { i, j, distance } = contacts[0];
    const where = crystals.length > 1 ? ` (${names[k]})` : '';
    warnings.push(
      `${fileName}${where}: atom ${i + 1} (${elementSymbol(c.atomicNumbers[i])}) and atom ${j + 1} (${elementSymbol(c.atomicNumbers[j])}) are ${distance.toFixed(4)} Å apart (periodic images included), closer than ${OVERLAP} Å`,
    );
  }
  return { crystals, names, warnings };
}
