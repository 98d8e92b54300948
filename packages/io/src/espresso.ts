import {
  assertLattice,
  assertOrdered,
  atomicMass,
  type Crystal,
  cartToFrac,
  elementSymbol,
  InvalidArgumentError,
} from '@crys/lattice';
import { type Line, LineReader, words } from './lines.js';
import { parseNumberAt } from './number.js';
import { speciesToAtomicNumber } from './species.js';
import type { ReadOptions, ReadResult } from './types.js';
import { coordinatesProblem } from './util.js';

/** Bohr radius in Å (CODATA 2018, as Quantum ESPRESSO ≥ 6.8 and pymatgen use). */
export const BOHR_IN_ANGSTROM = 0.529177210903;

/** A namelist value and where it was written. */
interface NamelistValue {
  readonly value: string | number | boolean;
  readonly at: Line;
  readonly col: number;
}

/** A Fortran number: `1.5`, `1.5d0`, `-2.E-3`, `1/3` (pw.x accepts simple fractions in cards). NaN otherwise. */
function fortranNumber(w: string): number {
  const s = w.replace(/[dD]/, 'e');
  const slash = s.indexOf('/');
  if (slash > 0) {
    const a = parseNumberAt(s, 0, slash);
    const b = parseNumberAt(s, slash + 1, s.length);
    return b !== 0 ? a / b : Number.NaN;
  }
  const v = parseNumberAt(s, 0, s.length);
  if (Number.isFinite(v)) return v;
  // '2.' and '.5' forms
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : Number.NaN;
}

/** The cell of a Bravais-lattice index (Quantum ESPRESSO's `latgen`), from a (Å), b/a, c/a and the cosines. */
function bravaisCell(
  ibrav: number,
  a: number,
  bOverA: number,
  cOverA: number,
  cosAB: number,
  cosAC: number,
  cosBC: number,
): number[][] | undefined {
  const b = bOverA * a;
  const c = cOverA * a;
  const h = a / 2;
  switch (ibrav) {
    case 1:
      return [
        [a, 0, 0],
        [0, a, 0],
        [0, 0, a],
      ];
    case 2:
      return [
        [-h, 0, h],
        [0, h, h],
        [-h, h, 0],
      ];
    case 3:
      return [
        [h, h, h],
        [-h, h, h],
        [-h, -h, h],
      ];
    case -3:
      return [
        [-h, h, h],
        [h, -h, h],
        [h, h, -h],
      ];
    case 4:
      return [
        [a, 0, 0],
        [-h, (a * Math.sqrt(3)) / 2, 0],
        [0, 0, c],
      ];
    case 5:
    case -5: {
      const tx = Math.sqrt((1 - cosAB) / 2);
      const ty = Math.sqrt((1 - cosAB) / 6);
      const tz = Math.sqrt((1 + 2 * cosAB) / 3);
      if (ibrav === 5)
        return [
          [a * tx, -a * ty, a * tz],
          [0, 2 * a * ty, a * tz],
          [-a * tx, -a * ty, a * tz],
        ];
      const ap = a / Math.sqrt(3);
      const u = tz - 2 * Math.SQRT2 * ty;
      const v = tz + Math.SQRT2 * ty;
      return [
        [ap * u, ap * v, ap * v],
        [ap * v, ap * u, ap * v],
        [ap * v, ap * v, ap * u],
      ];
    }
    case 6:
      return [
        [a, 0, 0],
        [0, a, 0],
        [0, 0, c],
      ];
    case 7:
      return [
        [h, -h, c / 2],
        [h, h, c / 2],
        [-h, -h, c / 2],
      ];
    case 8:
      return [
        [a, 0, 0],
        [0, b, 0],
        [0, 0, c],
      ];
    case 9:
      return [
        [h, b / 2, 0],
        [-h, b / 2, 0],
        [0, 0, c],
      ];
    case -9:
      return [
        [h, -b / 2, 0],
        [h, b / 2, 0],
        [0, 0, c],
      ];
    case 91:
      return [
        [a, 0, 0],
        [0, b / 2, -c / 2],
        [0, b / 2, c / 2],
      ];
    case 10:
      return [
        [h, 0, c / 2],
        [h, b / 2, 0],
        [0, b / 2, c / 2],
      ];
    case 11:
      return [
        [h, b / 2, c / 2],
        [-h, b / 2, c / 2],
        [-h, -b / 2, c / 2],
      ];
    case 12: {
      const s = Math.sqrt(1 - cosAB * cosAB);
      return [
        [a, 0, 0],
        [b * cosAB, b * s, 0],
        [0, 0, c],
      ];
    }
    case -12: {
      const s = Math.sqrt(1 - cosAC * cosAC);
      return [
        [a, 0, 0],
        [0, b, 0],
        [c * cosAC, 0, c * s],
      ];
    }
    case 13: {
      const s = Math.sqrt(1 - cosAB * cosAB);
      return [
        [h, 0, -c / 2],
        [b * cosAB, b * s, 0],
        [h, 0, c / 2],
      ];
    }
    case -13: {
      const s = Math.sqrt(1 - cosAC * cosAC);
      return [
        [h, b / 2, 0],
        [-h, b / 2, 0],
        [c * cosAC, 0, c * s],
      ];
    }
    case 14: {
      const s = Math.sqrt(1 - cosAB * cosAB);
      const v = 1 + 2 * cosBC * cosAC * cosAB - cosBC * cosBC - cosAC * cosAC - cosAB * cosAB;
      return [
        [a, 0, 0],
        [b * cosAB, b * s, 0],
        [c * cosAC, (c * (cosBC - cosAC * cosAB)) / s, (c * Math.sqrt(v)) / s],
      ];
    }
    default:
      return undefined;
  }
}

/** One ATOMIC_POSITIONS card: labels, raw coordinates (3·n), its unit and lines. */
interface PositionsCard {
  readonly labels: string[];
  readonly xyz: number[];
  readonly unit: string;
  readonly at: Line;
  readonly lines: Line[];
}

/** The unit of a card header (`ATOMIC_POSITIONS {crystal}`, `(angstrom)` or bare), lower-case, or ''. */
function cardUnit(l: Line): string {
  const m = /^\s*\S+\s*[{(]?\s*([A-Za-z_]*)\s*[})]?/.exec(l.text);
  return (m?.[1] ?? '').toLowerCase();
}

/**
 * Reads a Quantum ESPRESSO pw.x input file: the `&SYSTEM` namelist (`ibrav`, `celldm(1…6)` in Bohr or `A`,
 * `B`, `C`, `cosAB`, `cosAC`, `cosBC` in Å, `nat`, `ntyp`), `CELL_PARAMETERS` (`alat`, `bohr` or `angstrom`)
 * when `ibrav = 0`, else the cell of the Bravais-lattice index (all of pw.x's 1…14 with their negative and 91
 * variants), `ATOMIC_SPECIES` and `ATOMIC_POSITIONS` (`alat`, `bohr`, `angstrom` or `crystal`; the element is
 * the species label's, e.g. `Fe1` → Fe). Other namelists and cards (`K_POINTS`, …) are skipped.
 * `crystal_sg` positions (Wyckoff sites of a space group) are refused with an error.
 *
 * @example
 * const pwi = "&SYSTEM\n ibrav=2, celldm(1)=10.26, nat=2, ntyp=1\n/\nATOMIC_SPECIES\nSi 28.086 Si.UPF\nATOMIC_POSITIONS crystal\nSi 0 0 0\nSi 0.25 0.25 0.25\n";
 * readPwInput(pwi).crystals[0].atomicNumbers; // Uint8Array [14, 14]
 */
export function readPwInput(text: string, options: ReadOptions = {}): ReadResult {
  const source = options.source ?? 'pw.x input';
  const r = new LineReader('espresso-in', source, text);
  const warnings: string[] = [];
  const system = new Map<string, NamelistValue>();
  let sawSystem: Line | undefined;
  let cellCard: { rows: number[][]; unit: string; at: Line } | undefined;
  const images: PositionsCard[] = [];
  const speciesLabels = new Set<string>();
  // A card header: its name alone or with a unit, never `name = value` (`occupations = 'smearing'` is a key).
  const isCard = (t: string) =>
    /^\s*(ATOMIC_SPECIES|ATOMIC_POSITIONS|CELL_PARAMETERS|K_POINTS|OCCUPATIONS|CONSTRAINTS|ATOMIC_VELOCITIES|ATOMIC_FORCES|ADDITIONAL_K_POINTS|SOLVENTS|HUBBARD)\b/i.test(
      t,
    ) && !t.includes('=');
  let stray: { at: Line; count: number } | undefined;
  const content = (l: Line) => l.text.replace(/[!#].*$/, '').trim();
  while (!r.done()) {
    const l = r.lines[r.k++];
    const t = content(l);
    if (t === '') continue;
    if (t[0] === '&') {
      const name = t.slice(1).split(/[\s/]/)[0].toLowerCase();
      if (name === 'system') sawSystem = l;
      // key = value pairs until a '/' outside quotes.
      let rest = t.slice(1 + name.length);
      let at = l;
      for (;;) {
        // `/` ends a namelist; old inputs end it with `&end`.
        let closed = /^\s*&end\b/i.test(rest);
        const re =
          /\s*([A-Za-z_][\w]*(?:\(\s*\d+\s*(?:,\s*\d+\s*)*\))?)\s*=\s*('[^']*'|"[^"]*"|[^,\s/]+)\s*,?|\s*(\/)|\s*(\S)/gy;
        for (let m = closed ? null : re.exec(rest); m; m = re.exec(rest)) {
          if (m[3]) {
            closed = true;
            break;
          }
          if (name !== 'system') continue;
          if (m[4]) r.fail(at, 1, `expected key = value in &SYSTEM, got '${rest.trim().slice(0, 30)}'`);
          const key = m[1].replace(/\s+/g, '').toLowerCase();
          const raw = m[2];
          const col = at.text.indexOf(raw) + 1;
          let value: string | number | boolean;
          if (/^['"]/.test(raw)) value = raw.slice(1, -1);
          else if (/^\.?(true|t)\.?$/i.test(raw)) value = true;
          else if (/^\.?(false|f)\.?$/i.test(raw)) value = false;
          else {
            value = fortranNumber(raw);
            if (!Number.isFinite(value)) r.fail(at, col, `expected a number for ${key}, got '${raw}'`);
          }
          system.set(key, { value, at, col });
        }
        if (closed) break;
        if (r.done()) r.fail(l, 1, `expected '/' to close &${name.toUpperCase()}, got end of file`);
        at = r.lines[r.k++];
        rest = content(at);
        if (isCard(rest)) r.fail(at, 1, `expected '/' to close &${name.toUpperCase()} before ${rest.split(/\s/)[0]}`);
      }
    } else if (/^ATOMIC_SPECIES\b/i.test(t)) {
      while (
        !r.done() &&
        content(r.lines[r.k]) !== '' &&
        !isCard(r.lines[r.k].text) &&
        content(r.lines[r.k])[0] !== '&'
      ) {
        const sl = r.lines[r.k++];
        const { w } = words({ text: content(sl), line: sl.line });
        speciesLabels.add(w[0]);
      }
    } else if (/^CELL_PARAMETERS\b/i.test(t)) {
      const rows: number[][] = [];
      for (let i = 0; i < 3; i++) {
        let vl = r.take(`lattice vector ${i + 1} of CELL_PARAMETERS`);
        while (content(vl) === '') vl = r.take(`lattice vector ${i + 1} of CELL_PARAMETERS`);
        const { w, col } = words({ text: content(vl), line: vl.line });
        if (w.length < 3) r.fail(vl, 1, `expected 3 numbers for lattice vector ${i + 1}, got ${w.length}`);
        rows.push(
          w.slice(0, 3).map((x, c) => {
            const v = fortranNumber(x);
            if (!Number.isFinite(v)) r.fail(vl, col[c], `expected a lattice vector component, got '${x}'`);
            return v;
          }),
        );
      }
      cellCard = { rows, unit: cardUnit(l), at: l };
    } else if (/^ATOMIC_POSITIONS\b/i.test(t)) {
      const unit = cardUnit(l);
      if (unit === 'crystal_sg') {
        r.fail(
          l,
          1,
          'expected ATOMIC_POSITIONS in alat, bohr, angstrom or crystal units, got crystal_sg (Wyckoff positions are not read)',
        );
      }
      const nat = system.get('nat');
      const labels: string[] = [];
      const xyz: number[] = [];
      const lines: Line[] = [];
      const want = typeof nat?.value === 'number' ? nat.value : Number.POSITIVE_INFINITY;
      while (labels.length < want && !r.done()) {
        const pl = r.lines[r.k];
        const pt = content(pl);
        if (pt === '') {
          r.k++;
          if (want === Number.POSITIVE_INFINITY) break;
          continue;
        }
        if (isCard(pt) || pt[0] === '&') break;
        r.k++;
        const { w, col } = words({ text: pt, line: pl.line });
        if (w.length < 4) r.fail(pl, 1, `expected a species label and 3 coordinates, got ${w.length} words`);
        labels.push(w[0]);
        lines.push(pl);
        for (let c = 0; c < 3; c++) {
          const v = fortranNumber(w[1 + c]);
          if (!Number.isFinite(v)) r.fail(pl, col[1 + c], `expected a coordinate, got '${w[1 + c]}'`);
          xyz.push(v);
        }
      }
      images.push({ labels, xyz, unit, at: l, lines });
    } else if (isCard(t)) {
      // K_POINTS and the rest: skip to the next card or namelist.
      while (!r.done() && !isCard(content(r.lines[r.k])) && content(r.lines[r.k])[0] !== '&') r.k++;
    } else {
      // pw.x reads namelists by name and cards by header, passing over anything else (titles, banners).
      if (stray) stray.count++;
      else stray = { at: l, count: 1 };
    }
  }
  if (stray) {
    warnings.push(`${source}:${stray.at.line}:1: ${stray.count} line(s) outside the namelists and cards skipped`);
  }
  if (!sawSystem) return r.fail(undefined, 1, 'expected a &SYSTEM namelist (ibrav, nat, ntyp), found none');
  const num = (key: string): number | undefined => {
    const v = system.get(key);
    if (v === undefined) return undefined;
    if (typeof v.value !== 'number') r.fail(v.at, v.col, `expected a number for ${key}, got '${v.value}'`);
    return v.value as number;
  };
  const ibravEntry = system.get('ibrav');
  if (!ibravEntry) return r.fail(sawSystem, 1, 'expected ibrav in &SYSTEM, it is missing');
  const ibrav = num('ibrav') as number;
  const celldm1 = num('celldm(1)');
  const aA = num('a');
  if (celldm1 !== undefined && aA !== undefined) {
    r.fail(system.get('a')?.at, 1, 'expected celldm(1) or A in &SYSTEM, got both');
  }
  const alat = celldm1 !== undefined ? celldm1 * BOHR_IN_ANGSTROM : aA;
  let lattice: Float64Array;
  let cellAt: Line;
  if (ibrav === 0) {
    if (!cellCard)
      return r.fail(ibravEntry.at, ibravEntry.col, 'expected a CELL_PARAMETERS card for ibrav = 0, found none');
    cellAt = cellCard.at;
    let unit = cellCard.unit;
    if (unit === '') unit = alat !== undefined ? 'alat' : 'bohr';
    if (unit === 'cubic' || unit === 'hexagonal') {
      // Old pw.x: the "unit" named the symmetry and the rows were in alat units.
      warnings.push(`${source}:${cellCard.at.line}:1: CELL_PARAMETERS ${unit} (old pw.x) read in alat units`);
      unit = 'alat';
    }
    if ((unit === 'angstrom' || unit === 'bohr') && alat !== undefined) {
      warnings.push(
        `${source}:${cellCard.at.line}:1: CELL_PARAMETERS ${unit} gives the cell; ${celldm1 !== undefined ? 'celldm(1)' : 'A'} in &SYSTEM ignored (pw.x refuses both)`,
      );
    }
    let f: number;
    if (unit === 'angstrom') f = 1;
    else if (unit === 'bohr') f = BOHR_IN_ANGSTROM;
    else if (unit === 'alat') {
      if (alat === undefined)
        return r.fail(cellCard.at, 1, 'expected celldm(1) or A in &SYSTEM for CELL_PARAMETERS alat');
      f = alat;
    } else return r.fail(cellCard.at, 1, `expected CELL_PARAMETERS in alat, bohr or angstrom, got '${unit}'`);
    lattice = Float64Array.from(cellCard.rows.flat(), (v) => v * f);
  } else {
    cellAt = ibravEntry.at;
    if (alat === undefined) return r.fail(ibravEntry.at, 1, `expected celldm(1) or A in &SYSTEM for ibrav = ${ibrav}`);
    if (cellCard)
      warnings.push(`${source}:${cellCard.at.line}:1: CELL_PARAMETERS ignored: ibrav = ${ibrav} defines the cell`);
    let bOverA: number, cOverA: number, cosAB: number, cosAC: number, cosBC: number;
    if (celldm1 !== undefined) {
      bOverA = num('celldm(2)') ?? 0;
      cOverA = num('celldm(3)') ?? 0;
      if (ibrav === 14) {
        cosBC = num('celldm(4)') ?? 0;
        cosAC = num('celldm(5)') ?? 0;
        cosAB = num('celldm(6)') ?? 0;
      } else {
        cosAB = num('celldm(4)') ?? 0;
        cosAC = num('celldm(5)') ?? 0;
        cosBC = 0;
      }
    } else {
      bOverA = (num('b') ?? 0) / (alat as number);
      cOverA = (num('c') ?? 0) / (alat as number);
      cosAB = num('cosab') ?? 0;
      cosAC = num('cosac') ?? 0;
      cosBC = num('cosbc') ?? 0;
    }
    const rows = bravaisCell(ibrav, alat as number, bOverA, cOverA, cosAB, cosAC, cosBC);
    if (!rows) {
      return r.fail(ibravEntry.at, ibravEntry.col, `expected ibrav 0…14, -3, -5, -9, 91, -12 or -13, got ${ibrav}`);
    }
    lattice = Float64Array.from(rows.flat());
  }
  r.checkLattice(lattice, cellAt);

  function imageCrystal(positions: PositionsCard): Crystal {
    const n = positions.labels.length;
    const z = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const label = positions.labels[i];
      z[i] = speciesToAtomicNumber(label);
      if (z[i] === 0)
        r.fail(positions.lines[i], 1, `expected a species label that starts with an element, got '${label}'`);
      if (speciesLabels.size > 0 && !speciesLabels.has(label)) {
        r.fail(
          positions.lines[i],
          1,
          `expected a species of ATOMIC_SPECIES (${[...speciesLabels].join(', ')}), got '${label}'`,
        );
      }
    }
    const frac = Float64Array.from(positions.xyz);
    let unit = positions.unit || 'alat';
    if (unit !== 'crystal') {
      let f: number;
      if (unit === 'angstrom') f = 1;
      else if (unit === 'bohr') f = BOHR_IN_ANGSTROM;
      else if (unit === 'alat') {
        if (alat === undefined)
          return r.fail(positions.at, 1, 'expected celldm(1) or A in &SYSTEM for ATOMIC_POSITIONS alat');
        f = alat;
      } else {
        unit = '';
        return r.fail(
          positions.at,
          1,
          `expected ATOMIC_POSITIONS in alat, bohr, angstrom or crystal, got '${positions.unit}'`,
        );
      }
      for (let i = 0; i < frac.length; i++) frac[i] *= f;
      cartToFrac(frac, frac, lattice);
    }
    for (let i = 0; i < n; i++) {
      const issue = coordinatesProblem(frac[3 * i], frac[3 * i + 1], frac[3 * i + 2]);
      if (issue)
        r.fail(positions.lines[i], 1, `expected ${issue}${unit === 'crystal' ? '' : ' (from Cartesian coordinates)'}`);
    }
    return { lattice: Float64Array.from(lattice), fracCoords: frac, atomicNumbers: z };
  }
  if (images.length === 0 || images[0].labels.length === 0) {
    return r.fail(images[0]?.at, 1, 'expected an ATOMIC_POSITIONS card with at least one atom, found none');
  }
  if (images.length > 1) {
    warnings.push(
      `${source}:${images[0].at.line}:1: ${images.length} ATOMIC_POSITIONS cards (NEB images): one crystal each`,
    );
  }
  const nat = num('nat');
  const crystals: Crystal[] = [];
  for (const positions of images) {
    if (nat !== undefined && nat !== positions.labels.length) {
      r.fail(positions.at, 1, `expected nat = ${nat} atoms in ATOMIC_POSITIONS, got ${positions.labels.length}`);
    }
    crystals.push(imageCrystal(positions));
  }
  return { crystals, warnings };
}

/**
 * Writes a pw.x input with the structure (`ibrav = 0`, `CELL_PARAMETERS angstrom`, `ATOMIC_SPECIES` with
 * masses and `<El>.UPF` pseudopotential names to replace, `ATOMIC_POSITIONS crystal`) and the namelists pw.x
 * requires, ready for `ecutwfc`, the pseudopotentials and `K_POINTS` to be chosen. One crystal per file;
 * partially occupied crystals are refused.
 *
 * @example
 * writePwInput(crystal); // '&CONTROL\n  calculation = \'scf\'\n/ …'
 */
export function writePwInput(crystal: Crystal | readonly Crystal[]): string {
  const fn = 'writePwInput';
  let c: Crystal;
  if (Array.isArray(crystal)) {
    const list = crystal as readonly Crystal[];
    if (list.length !== 1)
      throw new InvalidArgumentError(fn, 'crystal', `must be one crystal (a pw.x input holds one), got ${list.length}`);
    c = list[0];
  } else c = crystal as Crystal;
  assertLattice(fn, c.lattice, 'crystal.lattice');
  assertOrdered(fn, c);
  const n = c.atomicNumbers.length;
  const kinds: number[] = [];
  for (let i = 0; i < n; i++) if (!kinds.includes(c.atomicNumbers[i])) kinds.push(c.atomicNumbers[i]);
  const f = (v: number) => v.toFixed(14).padStart(20);
  const out = [
    '&CONTROL',
    "  calculation = 'scf'",
    '/',
    '&SYSTEM',
    '  ibrav = 0',
    `  nat = ${n}`,
    `  ntyp = ${kinds.length}`,
    '  ecutwfc = 40',
    '/',
    '&ELECTRONS',
    '/',
    'ATOMIC_SPECIES',
    ...kinds.map((k) => `  ${elementSymbol(k).padEnd(3)} ${atomicMass(k).toFixed(4)} ${elementSymbol(k)}.UPF`),
    'CELL_PARAMETERS angstrom',
  ];
  for (let i = 0; i < 3; i++)
    out.push(`  ${f(c.lattice[3 * i])} ${f(c.lattice[3 * i + 1])} ${f(c.lattice[3 * i + 2])}`);
  out.push('ATOMIC_POSITIONS crystal');
  for (let i = 0; i < n; i++) {
    out.push(
      `  ${elementSymbol(c.atomicNumbers[i]).padEnd(3)} ${f(c.fracCoords[3 * i])} ${f(c.fracCoords[3 * i + 1])} ${f(c.fracCoords[3 * i + 2])}`,
    );
  }
  out.push('K_POINTS gamma');
  return `${out.join('\n')}\n`;
}
