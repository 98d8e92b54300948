import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomicNumberOf, type Crystal, latticeFromParameters } from '@crys/lattice';

/** Repository root (tests reference data relative to it). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** A dataset row: the material id and its crystal. */
export interface DatasetRow {
  readonly id: string;
  readonly crystal: Crystal;
}

/** Minimal RFC-4180 CSV reader (quoted fields may span lines; "" escapes a quote). Test-only. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    if (quoted) {
      if (ch === '"') {
        if (text[k + 1] === '"') {
          field += '"';
          k++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[k + 1] === '\n') k++;
      row.push(field);
      field = '';
      rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const CELL_KEYS = [
  '_cell_length_a',
  '_cell_length_b',
  '_cell_length_c',
  '_cell_angle_alpha',
  '_cell_angle_beta',
  '_cell_angle_gamma',
];

/**
 * Reads a pymatgen-written P1 CIF, test-only: lattice from the cell parameters (ASE orientation), atoms in
 * file order, fractional coordinates exactly as written (not wrapped). Mirrors peers/common.py parse_p1_cif.
 */
export function readP1Cif(cif: string): Crystal {
  const cell = new Map<string, number>();
  const frac: number[] = [];
  const numbers: number[] = [];
  let cols: string[] = [];
  let mode: 'none' | 'head' | 'atoms' | 'other' = 'none';
  for (const raw of cif.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const t = line.split(/\s+/);
    if (CELL_KEYS.includes(t[0])) {
      cell.set(t[0], Number(t[1]));
      mode = 'none';
      continue;
    }
    if (t[0] === 'loop_') {
      mode = 'head';
      cols = [];
      continue;
    }
    if (mode === 'head' && t[0].startsWith('_')) {
      cols.push(t[0]);
      continue;
    }
    if (mode === 'head') mode = cols.includes('_atom_site_fract_x') ? 'atoms' : 'other';
    if (mode === 'atoms') {
      const ix = cols.indexOf('_atom_site_fract_x');
      const z = atomicNumberOf(t[cols.indexOf('_atom_site_type_symbol')]);
      if (z === undefined) throw new Error(`unknown element in ${line}`);
      numbers.push(z);
      frac.push(Number(t[ix]), Number(t[ix + 1]), Number(t[ix + 2]));
    }
  }
  const p = CELL_KEYS.map((k) => cell.get(k) as number);
  return {
    lattice: latticeFromParameters(p[0], p[1], p[2], p[3], p[4], p[5]),
    fracCoords: Float64Array.from(frac),
    atomicNumbers: Uint8Array.from(numbers),
  };
}

/** The rows of data/<name>/val.csv (the first `limit`), in file order. */
export function loadVal(name: 'perov_5' | 'carbon_24', limit = Number.POSITIVE_INFINITY): DatasetRow[] {
  const rows = parseCsv(readFileSync(join(REPO_ROOT, 'data', name, 'val.csv'), 'utf8'));
  const head = rows[0];
  const idCol = head.indexOf('material_id');
  const cifCol = head.indexOf('cif');
  const out: DatasetRow[] = [];
  for (let r = 1; r < rows.length && out.length < limit; r++) {
    if (rows[r].length < head.length) continue;
    out.push({ id: rows[r][idCol], crystal: readP1Cif(rows[r][cifCol]) });
  }
  return out;
}
