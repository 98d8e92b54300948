import { ParseError } from './errors.js';
import { type PoscarReadResult, type ReadPoscarOptions, readPoscar } from './poscar.js';

/**
 * The end of the structure header of a VASP volumetric file: the first blank line after the coordinates, or the
 * end of the text. Scans lines without splitting the (possibly very large) grid data.
 */
function headerEnd(text: string): { end: number; line: number } {
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    // Line 8 at the earliest ends the header (comment, scale, 3 vectors, species, counts, Direct).
    if (line > 8 && text.slice(pos, nl).trim() === '') return { end: pos, line };
    pos = nl + 1;
    line++;
  }
  return { end: text.length, line };
}

/**
 * Reads the structure of a VASP volumetric file (CHGCAR, LOCPOT, ELFCAR, PARCHG, AECCAR, CHG): the POSCAR header
 * before the first blank line; the grid and its data (and augmentation occupancies) are not read, and a warning
 * gives the grid size. VASP 4 files (no species line) take their species from `options.species`.
 *
 * @example
 * readVaspVolumetric(chgcarText, { source: 'CHGCAR' }).crystals[0];
 */
export function readVaspVolumetric(text: string, options: ReadPoscarOptions = {}): PoscarReadResult {
  const source = options.source ?? 'CHGCAR';
  const { end, line } = headerEnd(text);
  let r: PoscarReadResult;
  try {
    r = readPoscar(text.slice(0, end), { ...options, source });
  } catch (e) {
    if (e instanceof ParseError) throw new ParseError('vasp-volumetric', e.source, e.line, e.column, e.reason);
    throw e;
  }
  const rest = text.slice(end, end + 400).split(/\r?\n/);
  let grid = '';
  for (let i = 0; i < rest.length - 1 && !grid; i++) {
    if (/^\s*\d+\s+\d+\s+\d+\s*$/.test(rest[i])) grid = rest[i].trim().split(/\s+/).join('×');
  }
  const warnings = [
    ...r.warnings,
    `${source}:${line}:1: volumetric data ${grid ? `(grid ${grid}) ` : ''}not read: crys reads the structure`,
  ];
  return { ...r, warnings };
}
