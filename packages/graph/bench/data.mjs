// Benchmark inputs: a tiny CSV + P1 CIF reader (timed separately as "parsing") and supercell builders.
import { readFileSync } from 'node:fs';
import { atomicNumberOf, latticeFromParameters } from '@crys/lattice';

function parseCsv(text) {
  const rows = [];
  let row = [],
    field = '',
    quoted = false;
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
    } else if (ch === '\n') {
      row.push(field);
      field = '';
      rows.push(row);
      row = [];
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

const CELL = [
  '_cell_length_a',
  '_cell_length_b',
  '_cell_length_c',
  '_cell_angle_alpha',
  '_cell_angle_beta',
  '_cell_angle_gamma',
];

/** P1 CIF → Crystal: atoms in file order, coordinates as written (the peers' convention). */
export function readP1Cif(cif) {
  const cell = {},
    frac = [],
    z = [];
  let cols = [],
    mode = '';
  for (const raw of cif.split('\n')) {
    const line = raw.trim();
    if (!line || line[0] === '#') continue;
    const t = line.split(/\s+/);
    if (CELL.includes(t[0])) {
      cell[t[0]] = Number(t[1]);
      mode = '';
      continue;
    }
    if (t[0] === 'loop_') {
      mode = 'head';
      cols = [];
      continue;
    }
    if (mode === 'head' && t[0][0] === '_') {
      cols.push(t[0]);
      continue;
    }
    if (mode === 'head') mode = cols.includes('_atom_site_fract_x') ? 'atoms' : 'other';
    if (mode === 'atoms') {
      const ix = cols.indexOf('_atom_site_fract_x');
      frac.push(Number(t[ix]), Number(t[ix + 1]), Number(t[ix + 2]));
      z.push(atomicNumberOf(t[cols.indexOf('_atom_site_type_symbol')]));
    }
  }
  const p = CELL.map((k) => cell[k]);
  return {
    lattice: latticeFromParameters(p[0], p[1], p[2], p[3], p[4], p[5]),
    fracCoords: Float64Array.from(frac),
    atomicNumbers: Uint8Array.from(z),
  };
}

/** Reads data/<name>/val.csv; returns the crystals and the parsing time (ms). */
export function loadDataset(root, name) {
  const t0 = performance.now();
  const rows = parseCsv(readFileSync(`${root}/data/${name}/val.csv`, 'utf8'));
  const ci = rows[0].indexOf('cif');
  const crystals = [];
  for (let r = 1; r < rows.length; r++) if (rows[r].length > ci) crystals.push(readP1Cif(rows[r][ci]));
  return { crystals, parseMs: performance.now() - t0 };
}

/** n×n×n supercell, atoms ordered like ASE's Atoms.repeat (cell copies outer, atoms inner). */
export function supercell(c, n) {
  const m = c.atomicNumbers.length;
  const frac = new Float64Array(3 * m * n * n * n);
  const z = new Uint8Array(m * n * n * n);
  let a = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++)
        for (let s = 0; s < m; s++, a++) {
          frac[3 * a] = (c.fracCoords[3 * s] + i) / n;
          frac[3 * a + 1] = (c.fracCoords[3 * s + 1] + j) / n;
          frac[3 * a + 2] = (c.fracCoords[3 * s + 2] + k) / n;
          z[a] = c.atomicNumbers[s];
        }
  return { lattice: c.lattice.map((v) => v * n), fracCoords: frac, atomicNumbers: z };
}
