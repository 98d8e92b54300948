// The format corpus (test/fixtures/formats, written by tools/fixtures/io_formats_oracle.py): crystals written by
// ASE and pymatgen as XSF/AXSF, SHELX .res, pw.x input, plain XYZ and VASP CHGCAR/LOCPOT (and gzip copies), with
// what ASE and pymatgen read from each file. compareFormatFile reads one with @crys/io and says where it differs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Crystal } from '@crys/lattice';
import { ParseError, UnknownFormatError } from '../src/errors.js';
import { read } from '../src/formats.js';
import { decodeText } from '../src/node.js';
import { cellOf, FIXTURES, matchCell, matchSites, readGzipJson } from './helpers.js';

interface Record {
  n: number;
  cell: number[];
  frac: number[];
  numbers: number[];
}
interface FileOracle {
  format: string;
  lattice?: number[];
  gzipOf?: string;
  pymatgen: Record | { error: string };
  ase: Record[] | { error: string };
}

export const FORMATS_DIR = join(FIXTURES, 'formats');

export function formatsOracle(): { [file: string]: FileOracle } {
  return readGzipJson(join(FIXTURES, 'oracle', 'formats.json.gz'));
}

/**
 * Every file of the corpus, as `folder/name` (written by ASE and pymatgen, under fixtures/formats) or
 * `real/folder/name` (real files from Debian packages, under fixtures/real).
 */
export function formatFiles(): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(FORMATS_DIR).sort()) {
    for (const name of readdirSync(join(FORMATS_DIR, dir)).sort()) out.push(`${dir}/${name}`);
  }
  for (const dir of REAL_FOLDERS) {
    for (const name of readdirSync(join(FIXTURES, 'real', dir)).sort()) out.push(`real/${dir}/${name}`);
  }
  return out;
}

/** Folders of fixtures/real holding the real files of the formats corpus (XCrySDen and Quantum ESPRESSO examples). */
export const REAL_FOLDERS = ['xsf', 'espresso-in'] as const;

/** The path of a corpus file. */
export function formatPath(file: string): string {
  return file.startsWith('real/') ? join(FIXTURES, file) : join(FORMATS_DIR, file);
}

function compare(ours: Crystal, ref: Record): string | null {
  const cell = matchCell(cellOf(ours), ref.cell, 1e-6);
  if (cell) return `cell: ${cell}`;
  return matchSites(ours.fracCoords, ours.atomicNumbers, ref.frac, ref.numbers, 1e-6);
}

/**
 * What one file's reading agrees on: `null` per peer when it agrees, a reason when not, undefined when the peer
 * failed. `ours` is our error message when we refused the file. A file ASE reads as a molecule (no cell) agrees
 * when we refuse it with a ParseError.
 */
export interface FormatVerdict {
  readonly format: string;
  readonly pymatgen?: string | null;
  readonly ase?: string | null;
  readonly ours?: string;
  /** Crystals we read (absent when we refused the file). */
  readonly crystals?: number;
}

/**
 * Reads one corpus file with @crys/io (format detected from its name and content, gzip by its magic bytes; a plain
 * XYZ with the cell the oracle recorded) and compares with pymatgen (the first crystal) and ASE (every frame):
 * cell parameters to 1e-6 (relative), fractional coordinates wrapped into [0, 1) to 1e-6, species per site.
 */
export function compareFormatFile(file: string, oracle: FileOracle): FormatVerdict {
  const format = file.startsWith('real/')
    ? `real/${oracle.format}`
    : file.endsWith('.gz')
      ? `gz/${oracle.format}`
      : oracle.format;
  const molecule = Array.isArray(oracle.ase) && oracle.ase[0].cell.slice(0, 3).every((x) => x === 0);
  let r: ReturnType<typeof read>;
  try {
    const text = decodeText(readFileSync(formatPath(file)), file);
    r = read(text, { fileName: file, ...(oracle.lattice ? { lattice: oracle.lattice } : {}) });
  } catch (e) {
    if (!(e instanceof ParseError || e instanceof UnknownFormatError)) throw e;
    return {
      format,
      ours: e.message,
      ...('error' in oracle.pymatgen ? {} : { pymatgen: `we refused: ${e.message}` }),
      ...(Array.isArray(oracle.ase) ? { ase: molecule ? null : `we refused: ${e.message}` } : {}),
    };
  }
  if (molecule) return { format, ase: `ASE reads a molecule, we read ${r.crystals.length} crystal(s)` };
  const crystals = r.crystals.length;
  const pmg = 'error' in oracle.pymatgen ? undefined : compare(r.crystals[0], oracle.pymatgen);
  let ase: string | null | undefined;
  if (Array.isArray(oracle.ase)) {
    ase =
      oracle.ase.length !== r.crystals.length
        ? `${r.crystals.length} crystals vs ${oracle.ase.length} frames`
        : (oracle.ase.map((f, i) => compare(r.crystals[i], f)).find((x) => x !== null) ?? null);
  }
  return { format, pymatgen: pmg, ase, crystals };
}
