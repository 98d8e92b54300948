import { HALL_TABLE, ROTATIONS, STANDARD_HALL } from './space-group-table.js';
import type { SymOp } from './symop.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CENTERING_VECTORS: Record<string, readonly (readonly number[])[]> = {
  P: [[0, 0, 0]],
  A: [
    [0, 0, 0],
    [0, 0.5, 0.5],
  ],
  B: [
    [0, 0, 0],
    [0.5, 0, 0.5],
  ],
  C: [
    [0, 0, 0],
    [0.5, 0.5, 0],
  ],
  I: [
    [0, 0, 0],
    [0.5, 0.5, 0.5],
  ],
  F: [
    [0, 0, 0],
    [0, 0.5, 0.5],
    [0.5, 0, 0.5],
    [0.5, 0.5, 0],
  ],
  R: [
    [0, 0, 0],
    [2 / 3, 1 / 3, 1 / 3],
    [1 / 3, 2 / 3, 2 / 3],
  ],
};

/** One of the 530 Hall settings of the 230 space-group types. */
export interface SpaceGroupSetting {
  /** Hall number 1–530 (spglib/moyo numbering). */
  readonly hallNumber: number;
  /** ITA number 1–230. */
  readonly number: number;
  /** Setting code: unique axis/cell choice (`b1`), origin choice (`1`, `2`), `H`/`R` axes, or `''`. */
  readonly setting: string;
  /** Hall symbol, e.g. `-P 2ybc`. */
  readonly hallSymbol: string;
  /** Short Hermann–Mauguin symbol, e.g. `P 2_1/c`. */
  readonly hmShort: string;
  /** Full Hermann–Mauguin symbol, e.g. `P 1 2_1/c 1`. */
  readonly hmFull: string;
  /** Lattice centering letter. */
  readonly centering: string;
}

/**
 * The setting with a Hall number (1–530), or `undefined`.
 *
 * @example
 * spaceGroupSetting(81)?.hmShort; // 'P 2_1/c'
 */
export function spaceGroupSetting(hallNumber: number): SpaceGroupSetting | undefined {
  const row = HALL_TABLE[hallNumber - 1];
  if (!Number.isInteger(hallNumber) || row === undefined) return undefined;
  const [number, setting, hallSymbol, hmShort, hmFull, centering] = row;
  return { hallNumber, number, setting, hallSymbol, hmShort, hmFull, centering };
}

/**
 * Every symmetry operation of a Hall setting in its conventional cell, centering translations included
 * (as moyo's `operations_from_number(n, { type: 'HallNumber', value }, false)`), as a flat Float64Array of
 * 12 numbers per operation (R row-major, then t); the identity comes first.
 *
 * @example
 * spaceGroupOperations(523).length / 12; // 192 for F m -3 m
 */
export function spaceGroupOperations(hallNumber: number): Float64Array {
  const row = HALL_TABLE[hallNumber - 1];
  if (!Number.isInteger(hallNumber) || row === undefined) return new Float64Array(0);
  const code = row[6];
  const cent = CENTERING_VECTORS[row[5]] ?? CENTERING_VECTORS.P;
  const k = code.length / 4;
  const out = new Float64Array(12 * k * cent.length);
  let o = 0;
  for (const c of cent) {
    for (let i = 0; i < k; i++) {
      const r = ALPHABET.indexOf(code[4 * i]);
      for (let j = 0; j < 9; j++) {
        const ch = ROTATIONS[9 * r + j];
        out[o + j] = ch === '-' ? -1 : ch === '1' ? 1 : 0;
      }
      for (let j = 0; j < 3; j++) {
        const t = ALPHABET.indexOf(code[4 * i + 1 + j]) / 24 + c[j];
        out[o + 9 + j] = t - Math.floor(t);
      }
      o += 12;
    }
  }
  return out;
}

function normalizeSymbol(s: string): string {
  return s.toLowerCase().replace(/[\s_'"]/g, '');
}

let byKey: Map<string, number[]> | undefined;
let byHall: Map<string, number> | undefined;

function buildIndex(): void {
  byKey = new Map();
  byHall = new Map();
  const add = (key: string, h: number): void => {
    const list = byKey!.get(key);
    if (!list) byKey!.set(key, [h]);
    else if (!list.includes(h)) list.push(h);
  };
  for (let h = 1; h <= HALL_TABLE.length; h++) {
    const [, setting, hall, short, full] = HALL_TABLE[h - 1];
    byHall.set(normalizeSymbol(hall), h);
    for (const sym of [short, full]) {
      const n = normalizeSymbol(sym);
      add(n, h);
      if (setting) {
        add(`${n}:${setting.toLowerCase()}`, h);
        add(`${n}${setting.toLowerCase()}`, h);
      }
    }
  }
}

/** A space-group lookup: the Hall setting found, and a note when the symbol alone was ambiguous. */
export interface SpaceGroupMatch {
  readonly hallNumber: number;
  /** Set when several settings share the symbol and the ITA standard (or first) one was chosen. */
  readonly note?: string;
}

/**
 * Finds a Hall setting from a Hall symbol (`-P 2ybc`), a Hermann–Mauguin symbol in any usual spelling
 * (`P 21/c`, `P 1 21/c 1`, `Fd-3m:1`, `R -3 m H`), or an ITA number (the standard setting: origin choice 2,
 * hexagonal axes, unique axis b). Returns `undefined` when nothing matches.
 *
 * @example
 * findSpaceGroup({ hermannMauguin: 'P 21/c' })?.hallNumber; // 81
 */
export function findSpaceGroup(query: {
  hall?: string;
  hermannMauguin?: string;
  number?: number;
}): SpaceGroupMatch | undefined {
  if (!byKey) buildIndex();
  if (query.hall) {
    const h = byHall!.get(normalizeSymbol(query.hall));
    if (h !== undefined) return { hallNumber: h };
  }
  if (query.hermannMauguin) {
    const key = normalizeSymbol(query.hermannMauguin);
    let list = byKey!.get(key);
    if (!list && key.endsWith('s')) list = byKey!.get(`${key.slice(0, -1)}:2`); // 'Fd-3mS' = origin choice 2
    if (!list && key.endsWith('z')) list = byKey!.get(`${key.slice(0, -1)}:2`);
    if (list) {
      if (list.length === 1) return { hallNumber: list[0] };
      const number = HALL_TABLE[list[0] - 1][0];
      const std = STANDARD_HALL[number];
      const chosen = list.includes(std) ? std : list[0];
      const settings = new Set(list.map((h) => HALL_TABLE[h - 1][1]));
      const origin = [...settings].some((s) => s === '1' || s === '2' || s === 'H' || s === 'R');
      return origin
        ? {
            hallNumber: chosen,
            note: `'${query.hermannMauguin}' has several settings (${[...settings].join(', ')}); used '${HALL_TABLE[chosen - 1][1]}' (Hall '${HALL_TABLE[chosen - 1][2]}')`,
          }
        : { hallNumber: chosen };
    }
  }
  if (query.number !== undefined && Number.isInteger(query.number) && query.number >= 1 && query.number <= 230) {
    return { hallNumber: STANDARD_HALL[query.number] };
  }
  return undefined;
}

/** Applies an operation to a fractional point (x' = R·x + t), writing into `out` at `o`. */
export function applyOp(
  op: SymOp | Float64Array,
  k: number,
  x: number,
  y: number,
  z: number,
  out: Float64Array,
  o: number,
): void {
  const b = 12 * k;
  out[o] = op[b] * x + op[b + 1] * y + op[b + 2] * z + op[b + 9];
  out[o + 1] = op[b + 3] * x + op[b + 4] * y + op[b + 5] * z + op[b + 10];
  out[o + 2] = op[b + 6] * x + op[b + 7] * y + op[b + 8] * z + op[b + 11];
}
