import {
  atomicNumberOf,
  type Crystal,
  createCrystal,
  elementSymbol,
  latticeFromParameters,
  latticeParameters,
} from '@crys/lattice';
import { DatasetFormatError } from '../errors.js';

// Private adapter: the dataset CSV (one pymatgen P1 CIF per row) and the P1 CIF subset it needs. To be
// replaced by @crys/io's readDatasetCsv / writeCif once they land.

/** One dataset row: its id, the crystal and the other columns as strings. @internal */
export interface CsvRow {
  readonly id: string;
  readonly crystal: Crystal;
  readonly properties: Readonly<Record<string, string>>;
}

/** RFC 4180 records (quoted fields may span lines). @internal */
export function parseCsv(text: string, maxRecords = Number.POSITIVE_INFINITY): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      if (rows.length >= maxRecords) return rows;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Reads a P1 CIF as written by pymatgen (cell parameters, `_atom_site_fract_*`). @internal */
export function readP1Cif(text: string, source = 'cif'): Crystal {
  const cell: Record<string, number> = {};
  const lines = text.split(/\r?\n/);
  const frac: number[] = [];
  const numbers: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const m = /^_cell_(length_a|length_b|length_c|angle_alpha|angle_beta|angle_gamma)\s+([-+0-9.eE]+)/.exec(line);
    if (m) cell[m[1]] = Number.parseFloat(m[2]);
    if (line === 'loop_') {
      const keys: string[] = [];
      let j = i + 1;
      while (j < lines.length && lines[j].trim().startsWith('_')) keys.push(lines[j++].trim());
      const kx = keys.indexOf('_atom_site_fract_x');
      if (kx < 0) continue;
      const ky = keys.indexOf('_atom_site_fract_y');
      const kz = keys.indexOf('_atom_site_fract_z');
      const ks = keys.indexOf('_atom_site_type_symbol');
      for (; j < lines.length; j++) {
        const t = lines[j].trim();
        if (t === '' || t.startsWith('_') || t === 'loop_' || t.startsWith('#')) break;
        const parts = t.split(/\s+/);
        const symbol = parts[ks].replace(/[0-9+-]+$/, '');
        const z = atomicNumberOf(symbol);
        if (z === undefined || z < 1) throw new DatasetFormatError(source, `unknown element symbol '${parts[ks]}'`);
        numbers.push(z);
        frac.push(Number.parseFloat(parts[kx]), Number.parseFloat(parts[ky]), Number.parseFloat(parts[kz]));
      }
      i = j - 1;
    }
  }
  for (const k of ['length_a', 'length_b', 'length_c', 'angle_alpha', 'angle_beta', 'angle_gamma']) {
    if (!(k in cell)) throw new DatasetFormatError(source, `missing _cell_${k}`);
  }
  const lattice = latticeFromParameters(
    cell.length_a,
    cell.length_b,
    cell.length_c,
    cell.angle_alpha,
    cell.angle_beta,
    cell.angle_gamma,
  );
  return createCrystal({ lattice, fracCoords: frac, atomicNumbers: numbers }, 'readP1Cif');
}

/** Writes a P1 CIF that pymatgen's CifParser reads. @internal */
export function writeP1Cif(crystal: Crystal, name = 'crystal'): string {
  const p = latticeParameters(crystal.lattice);
  const f = (x: number): string => x.toFixed(8);
  const out = [
    `data_${name}`,
    "_symmetry_space_group_name_H-M   'P 1'",
    `_cell_length_a   ${f(p.a)}`,
    `_cell_length_b   ${f(p.b)}`,
    `_cell_length_c   ${f(p.c)}`,
    `_cell_angle_alpha   ${f(p.alpha)}`,
    `_cell_angle_beta   ${f(p.beta)}`,
    `_cell_angle_gamma   ${f(p.gamma)}`,
    '_symmetry_Int_Tables_number   1',
    'loop_',
    ' _symmetry_equiv_pos_site_id',
    ' _symmetry_equiv_pos_as_xyz',
    "  1  'x, y, z'",
    'loop_',
    ' _atom_site_type_symbol',
    ' _atom_site_label',
    ' _atom_site_symmetry_multiplicity',
    ' _atom_site_fract_x',
    ' _atom_site_fract_y',
    ' _atom_site_fract_z',
    ' _atom_site_occupancy',
  ];
  const n = crystal.atomicNumbers.length;
  for (let i = 0; i < n; i++) {
    const s = elementSymbol(crystal.atomicNumbers[i]);
    const c = crystal.fracCoords;
    out.push(`  ${s}  ${s}${i}  1  ${f(c[3 * i])}  ${f(c[3 * i + 1])}  ${f(c[3 * i + 2])}  1`);
  }
  return `${out.join('\n')}\n`;
}

/** Reads a dataset CSV with `material_id` and `cif` columns. @internal */
export function readDatasetRows(text: string, source = 'dataset.csv', limit = Number.POSITIVE_INFINITY): CsvRow[] {
  const records = parseCsv(text, limit + 1);
  if (records.length === 0) throw new DatasetFormatError(source, 'is empty');
  const header = records[0];
  const cifCol = header.indexOf('cif');
  if (cifCol < 0) throw new DatasetFormatError(source, `has no 'cif' column (columns: ${header.join(', ')})`);
  const idCol = header.indexOf('material_id');
  const rows: CsvRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r];
    const properties: Record<string, string> = {};
    for (let c = 0; c < header.length; c++) if (c !== cifCol && header[c] !== '') properties[header[c]] = rec[c] ?? '';
    const id = idCol >= 0 ? rec[idCol] : String(r - 1);
    rows.push({ id, crystal: readP1Cif(rec[cifCol], `${source} row ${r} (${id})`), properties });
  }
  return rows;
}

function quote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes a dataset CSV (`material_id`, `cif`, extra columns). @internal */
export function writeDatasetRows(
  rows: readonly { id: string; crystal: Crystal; properties?: Readonly<Record<string, string | number>> }[],
): string {
  const extra: string[] = [];
  for (const r of rows) for (const k of Object.keys(r.properties ?? {})) if (!extra.includes(k)) extra.push(k);
  const lines = [['material_id', 'cif', ...extra].join(',')];
  for (const r of rows) {
    const cells = [quote(r.id), quote(writeP1Cif(r.crystal, r.id.replace(/\s+/g, '_')))];
    for (const k of extra) cells.push(quote(String(r.properties?.[k] ?? '')));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}
