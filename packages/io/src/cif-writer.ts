import {
  assertLattice,
  type Crystal,
  elementSymbol,
  InvalidArgumentError,
  latticeParameters,
  volume,
} from '@crys/lattice';
import { analyzeSymmetry } from './moyo.js';
import { formatXyzOperation } from './symop.js';

/** Options of {@link writeCif}. */
export interface WriteCifOptions {
  /** The `data_` block name. Default: the reduced formula. */
  readonly blockName?: string;
  /**
   * One `data_` block name per crystal, e.g. the `names` of a `ReadResult`, so that names survive a
   * read → write round trip. Must have one entry per crystal; an empty entry falls back to `blockName`
   * (suffixed `_i` for several crystals) or the formula. Whitespace becomes `_`.
   */
  readonly blockNames?: readonly string[];
  /**
   * Write the asymmetric unit and the symmetry operations found by moyo (tolerance `symprec`, Å) instead of
   * every site in P1, with each written site's multiplicity in this cell (`_atom_site_symmetry_multiplicity`)
   * and moyo's Wyckoff letter (`_atom_site_Wyckoff_symbol`, the letter of the International Tables' standard
   * setting: it names the coordinates only when the crystal is in that setting, e.g. a cell from @crys/eval's
   * `symmetrize(c, { cell: 'conventional' })`). Needs `await loadMoyo()` first. Partially occupied crystals are
   * written in P1.
   */
  readonly symmetrize?: boolean;
  /** Symmetry tolerance for `symmetrize`, Å. Default 0.01, as pymatgen's `CifWriter(symprec)`. */
  readonly symprec?: number;
  /** Decimals of coordinates and cell parameters. Default 8 (pymatgen writes 8). */
  readonly decimals?: number;
}

function formula(z: ArrayLike<number>): { structural: string; sum: string } {
  const counts = new Map<number, number>();
  for (let i = 0; i < z.length; i++) counts.set(z[i], (counts.get(z[i]) ?? 0) + 1);
  // Order by electronegativity is pymatgen's; here: order of first appearance, which is stable.
  let structural = '';
  let sum = '';
  for (const [k, v] of counts) {
    const s = elementSymbol(k);
    structural += v === 1 ? s : `${s}${v}`;
    sum += `${sum ? ' ' : ''}${s}${v}`;
  }
  return { structural, sum };
}

function cifName(name: string): string {
  const s = name.replace(/\s+/g, '_');
  return s.length > 0 ? s : 'crystal';
}

/**
 * Writes a crystal as a CIF 1.1 text that pymatgen, ASE and VESTA read: P1 with every site (pymatgen's
 * `CifWriter` layout), or with `symmetrize` the asymmetric unit plus the operations moyo finds in the
 * crystal's own cell. Occupancies and labels are written when present.
 *
 * @example
 * const cif = writeCif({ lattice: Float64Array.of(3, 0, 0, 0, 3, 0, 0, 0, 3),
 *   fracCoords: Float64Array.of(0, 0, 0), atomicNumbers: Uint8Array.of(84) });
 */
export function writeCif(crystal: Crystal | readonly Crystal[], options: WriteCifOptions = {}): string {
  const list = Array.isArray(crystal) ? (crystal as readonly Crystal[]) : undefined;
  const names = options.blockNames;
  if (names !== undefined && names.length !== (list ? list.length : 1)) {
    throw new InvalidArgumentError(
      'writeCif',
      'options.blockNames',
      `must have one name per crystal (${list ? list.length : 1}), got ${names.length}`,
      names,
    );
  }
  if (list) {
    return list
      .map((c, i) =>
        writeCif(c, {
          ...options,
          blockNames: undefined,
          blockName: names?.[i] || (options.blockName ? `${options.blockName}_${i}` : undefined),
        }),
      )
      .join('');
  }
  const c = crystal as Crystal;
  const fn = 'writeCif';
  assertLattice(fn, c.lattice, 'crystal.lattice');
  const n = c.atomicNumbers.length;
  if (c.fracCoords.length !== 3 * n) {
    throw new InvalidArgumentError(
      fn,
      'crystal.fracCoords',
      `must have length 3·n = ${3 * n}, got ${c.fracCoords.length}`,
    );
  }
  const d = options.decimals ?? 8;
  const p = latticeParameters(c.lattice);
  const f = formula(c.atomicNumbers);
  const lines: string[] = [];
  lines.push('# generated using @crys/io');
  lines.push(`data_${cifName(names?.[0] || options.blockName || f.structural)}`);
  let sites = Array.from({ length: n }, (_, i) => i);
  let ops = ['x, y, z'];
  let hm = 'P 1';
  let number = 1;
  // with symmetrize: per written site, its orbit's size in this cell and moyo's Wyckoff letter
  let multiplicity: Int32Array | undefined;
  let wyckoff: readonly string[] | undefined;
  if (options.symmetrize && !c.occupancies) {
    const ds = analyzeSymmetry(c, options.symprec ?? 0.01, fn);
    // moyo's rotations are column-major (nalgebra): transpose to row-major R of x' = R·x + t.
    ops = ds.operations.map((o) =>
      formatXyzOperation([0, 3, 6, 1, 4, 7, 2, 5, 8].map((i) => o.rotation[i]).concat(o.translation)),
    );
    hm = ds.hm_symbol;
    number = ds.number;
    sites = sites.filter((i) => ds.orbits[i] === i);
    multiplicity = new Int32Array(n);
    for (let i = 0; i < n; i++) multiplicity[ds.orbits[i]]++;
    wyckoff = ds.wyckoffs;
  }
  lines.push(`_symmetry_space_group_name_H-M   '${hm}'`);
  lines.push(`_cell_length_a   ${p.a.toFixed(d)}`);
  lines.push(`_cell_length_b   ${p.b.toFixed(d)}`);
  lines.push(`_cell_length_c   ${p.c.toFixed(d)}`);
  lines.push(`_cell_angle_alpha   ${p.alpha.toFixed(d)}`);
  lines.push(`_cell_angle_beta   ${p.beta.toFixed(d)}`);
  lines.push(`_cell_angle_gamma   ${p.gamma.toFixed(d)}`);
  lines.push(`_symmetry_Int_Tables_number   ${number}`);
  lines.push(`_chemical_formula_structural   ${f.structural}`);
  lines.push(`_chemical_formula_sum   '${f.sum}'`);
  lines.push(`_cell_volume   ${volume(c.lattice).toFixed(d)}`);
  lines.push('loop_');
  lines.push(' _symmetry_equiv_pos_site_id');
  lines.push(' _symmetry_equiv_pos_as_xyz');
  ops.forEach((o, i) => {
    lines.push(`  ${i + 1}  '${o}'`);
  });
  lines.push('loop_');
  lines.push(' _atom_site_type_symbol');
  lines.push(' _atom_site_label');
  if (multiplicity) {
    lines.push(' _atom_site_symmetry_multiplicity');
    lines.push(' _atom_site_Wyckoff_symbol');
  }
  lines.push(' _atom_site_fract_x');
  lines.push(' _atom_site_fract_y');
  lines.push(' _atom_site_fract_z');
  lines.push(' _atom_site_occupancy');
  const counters = new Map<number, number>();
  for (const i of sites) {
    const z = c.atomicNumbers[i];
    const sym = elementSymbol(z);
    const k = counters.get(z) ?? 0;
    counters.set(z, k + 1);
    const given = c.labels?.[i];
    const label =
      given && !/\s/.test(given) && given[0] !== '_' && given[0] !== '#' && given[0] !== "'" ? given : `${sym}${k}`;
    const x = c.fracCoords[3 * i].toFixed(d);
    const y = c.fracCoords[3 * i + 1].toFixed(d);
    const w = c.fracCoords[3 * i + 2].toFixed(d);
    const o = c.occupancies ? String(c.occupancies[i]) : '1';
    const site = multiplicity ? `  ${multiplicity[i]}  ${wyckoff?.[i] || '?'}` : '';
    lines.push(`  ${sym}  ${label}${site}  ${x}  ${y}  ${w}  ${o}`);
  }
  return `${lines.join('\n')}\n`;
}
