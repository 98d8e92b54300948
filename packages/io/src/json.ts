import {
  assertLattice,
  type Crystal,
  elementSymbol,
  InvalidArgumentError,
  latticeParameters,
  volume,
} from '@crys/lattice';
import { ParseError } from './errors.js';
import { speciesToAtomicNumber } from './species.js';
import type { ReadOptions, ReadResult } from './types.js';
import { coordinatesProblem, inverse, latticeProblem } from './util.js';

/** JSON.parse with a {@link ParseError} at the line and column of a syntax error. */
function parseJson(text: string, format: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(msg);
    const p = Math.min(m ? Number(m[1]) : jsonErrorOffset(text), text.length);
    let line = 1;
    let column = 1;
    for (let i = 0; i < p; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        column = 1;
      } else column++;
    }
    throw new ParseError(
      format,
      source,
      line,
      column,
      `expected valid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '').replace(/, "[\s\S]*" is not valid JSON$/, '')}`,
    );
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numbers(v: unknown, length: number): number[] | undefined {
  if (!Array.isArray(v) || v.length !== length) return undefined;
  for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) return undefined;
  return v as number[];
}

function matrix(v: unknown): Float64Array | undefined {
  if (!Array.isArray(v) || v.length !== 3) return undefined;
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    const row = numbers(v[r], 3);
    if (!row) return undefined;
    out.set(row, 3 * r);
  }
  return out;
}

function checkLattice(lattice: Float64Array, fail: (reason: string) => never, where: string): void {
  try {
    assertLattice('read', lattice);
  } catch (e) {
    if (e instanceof InvalidArgumentError) fail(`${where}: expected a non-degenerate lattice, got ${e.message}`);
    throw e;
  }
  const cellIssue = latticeProblem(lattice);
  if (cellIssue) fail(`${where}: expected ${cellIssue}`);
}

/** Builds a crystal from sites that may carry several species with occupancies (disorder → coincident sites). */
class SiteCollector {
  frac: number[] = [];
  z: number[] = [];
  occ: number[] = [];
  labels: string[] = [];
  partial = false;
  add(x: number, y: number, w: number, atomicNumber: number, occupancy: number, label: string): void {
    this.frac.push(x, y, w);
    this.z.push(atomicNumber);
    this.occ.push(occupancy);
    this.labels.push(label);
    if (occupancy < 1 - 1e-6) this.partial = true;
  }
  crystal(lattice: Float64Array, withLabels: boolean): Crystal {
    return {
      lattice,
      fracCoords: Float64Array.from(this.frac),
      atomicNumbers: Uint8Array.from(this.z),
      ...(this.partial ? { occupancies: Float64Array.from(this.occ) } : {}),
      ...(withLabels ? { labels: this.labels } : {}),
    };
  }
}

/**
 * Reads pymatgen's `Structure.as_dict()` JSON (one object, or an array of them): `lattice.matrix` (rows
 * are lattice vectors), `sites[].abc` (fractional), `sites[].species[]` with `element` and `occu`, and
 * `label`. Disordered sites become coincident sites with `occupancies` (and a warning).
 *
 * @example
 * readPymatgenJson(JSON.stringify(structure.as_dict())).crystals[0];
 */
export function readPymatgenJson(text: string, options: ReadOptions = {}): ReadResult {
  const source = options.source ?? 'pymatgen-json';
  const data = parseJson(text, 'pymatgen-json', source);
  const list = Array.isArray(data) ? data : [data];
  const warnings: string[] = [];
  const crystals = list.map((s, k) => {
    const where = Array.isArray(data) ? `[${k}]` : '(root)';
    const fail = (reason: string): never => {
      throw new ParseError('pymatgen-json', source, 1, 1, reason);
    };
    if (!isObject(s)) return fail(`${where}: expected a Structure object, got ${typeof s}`);
    if (s['@class'] !== undefined && s['@class'] !== 'Structure' && s['@class'] !== 'IStructure') {
      fail(`${where}: expected @class Structure, got ${JSON.stringify(s['@class'])}`);
    }
    const lat = isObject(s.lattice) ? matrix(s.lattice.matrix) : undefined;
    if (!lat) return fail(`${where}.lattice.matrix: expected a 3×3 array of finite numbers`);
    checkLattice(lat, fail, `${where}.lattice.matrix`);
    if (!Array.isArray(s.sites)) return fail(`${where}.sites: expected an array of sites`);
    const col = new SiteCollector();
    s.sites.forEach((site: unknown, i: number) => {
      const w = `${where}.sites[${i}]`;
      if (!isObject(site)) fail(`${w}: expected a site object`);
      const st = site as Record<string, unknown>;
      const abc = numbers(st.abc, 3);
      if (!abc) fail(`${w}.abc: expected 3 finite numbers`);
      const abcIssue = coordinatesProblem(abc![0], abc![1], abc![2]);
      if (abcIssue) fail(`${w}.abc: expected ${abcIssue}`);
      if (!Array.isArray(st.species) || st.species.length === 0) fail(`${w}.species: expected a non-empty array`);
      for (const [j, sp] of (st.species as unknown[]).entries()) {
        if (!isObject(sp) || typeof sp.element !== 'string')
          fail(`${w}.species[${j}].element: expected an element symbol`);
        const spo = sp as Record<string, unknown>;
        const z = speciesToAtomicNumber(spo.element as string);
        if (z === 0) fail(`${w}.species[${j}].element: expected an element symbol, got ${JSON.stringify(spo.element)}`);
        const occu = spo.occu === undefined ? 1 : spo.occu;
        if (typeof occu !== 'number' || !(occu > 0 && occu <= 1 + 1e-6)) {
          fail(`${w}.species[${j}].occu: expected an occupancy in (0, 1], got ${JSON.stringify(spo.occu)}`);
        }
        const label = typeof st.label === 'string' ? st.label : (spo.element as string);
        col.add(abc![0], abc![1], abc![2], z, Math.min(1, occu as number), label);
      }
    });
    if (col.z.length === 0) fail(`${where}.sites: expected at least one site`);
    if (col.partial) warnings.push(`${source}:1:1: ${where}: partially occupied sites kept in crystal.occupancies`);
    return col.crystal(lat, true);
  });
  return { crystals, warnings };
}

/**
 * Writes pymatgen's `Structure.as_dict()` JSON: one crystal (alone or in a one-element array) as one object,
 * which `Structure.from_file` and `Structure.from_dict(json.loads(text))` read; several as an array of them.
 *
 * @example
 * const json = writePymatgenJson(crystal); // → Structure.from_dict(json.loads(json)) in Python
 */
export function writePymatgenJson(crystals: Crystal | readonly Crystal[]): string {
  const list: readonly Crystal[] = Array.isArray(crystals) ? (crystals as readonly Crystal[]) : [crystals as Crystal];
  const one = list.length === 1;
  const dicts = list.map((c, k) => {
    assertLattice('writePymatgenJson', c.lattice, `crystals[${k}].lattice`);
    const l = c.lattice;
    const p = latticeParameters(l);
    const n = c.atomicNumbers.length;
    const sites = [];
    for (let i = 0; i < n; i++) {
      const x = c.fracCoords[3 * i],
        y = c.fracCoords[3 * i + 1],
        z = c.fracCoords[3 * i + 2];
      const el = elementSymbol(c.atomicNumbers[i]);
      sites.push({
        species: [{ element: el, occu: c.occupancies ? c.occupancies[i] : 1 }],
        abc: [x, y, z],
        xyz: [x * l[0] + y * l[3] + z * l[6], x * l[1] + y * l[4] + z * l[7], x * l[2] + y * l[5] + z * l[8]],
        properties: {},
        label: c.labels?.[i] ?? el,
      });
    }
    return {
      '@module': 'pymatgen.core.structure',
      '@class': 'Structure',
      charge: 0,
      lattice: {
        matrix: [
          [l[0], l[1], l[2]],
          [l[3], l[4], l[5]],
          [l[6], l[7], l[8]],
        ],
        pbc: [true, true, true],
        a: p.a,
        b: p.b,
        c: p.c,
        alpha: p.alpha,
        beta: p.beta,
        gamma: p.gamma,
        volume: volume(l),
      },
      properties: {},
      sites,
    };
  });
  return JSON.stringify(one ? dicts[0] : dicts);
}

/**
 * Reads OPTIMADE structure JSON: a full response (`{ data: … }`), one entry (`{ type: 'structures',
 * attributes }`) or bare attributes. Uses `lattice_vectors`, `cartesian_site_positions`,
 * `species_at_sites` and `species` (mixtures → coincident sites with occupancies, vacancies dropped).
 * Entries that are not periodic in three dimensions are refused. `names` holds each entry's `id` (`''` when
 * it has none).
 *
 * @example
 * const res = await fetch('https://optimade.materialsproject.org/v1/structures/mp-149');
 * readOptimadeJson(await res.text()).crystals[0];
 */
export function readOptimadeJson(text: string, options: ReadOptions = {}): ReadResult {
  const source = options.source ?? 'optimade-json';
  const data = parseJson(text, 'optimade-json', source);
  const fail = (reason: string): never => {
    throw new ParseError('optimade-json', source, 1, 1, reason);
  };
  let entries: unknown[];
  if (isObject(data) && 'data' in data) entries = Array.isArray(data.data) ? data.data : [data.data];
  else entries = Array.isArray(data) ? data : [data];
  const warnings: string[] = [];
  const crystals: Crystal[] = [];
  const ids: string[] = [];
  for (const [k, e] of entries.entries()) {
    const where = `data[${k}]`;
    if (!isObject(e)) return fail(`${where}: expected a structure entry object`);
    if (e.type !== undefined && e.type !== 'structures') {
      warnings.push(`${source}:1:1: ${where}: entry of type ${JSON.stringify(e.type)} skipped`);
      continue;
    }
    const a = isObject(e.attributes) ? e.attributes : e;
    const lat = matrix(a.lattice_vectors);
    if (!lat)
      return fail(
        `${where}.attributes.lattice_vectors: expected a 3×3 array of finite numbers (3D-periodic structure)`,
      );
    checkLattice(lat, fail, `${where}.attributes.lattice_vectors`);
    const dims = a.dimension_types;
    if (Array.isArray(dims) && dims.some((d) => d !== 1)) {
      warnings.push(
        `${source}:1:1: ${where}: dimension_types ${JSON.stringify(dims)} is not 3D-periodic; read as a crystal`,
      );
    }
    const pos = a.cartesian_site_positions;
    const names = a.species_at_sites;
    if (!Array.isArray(pos)) return fail(`${where}.attributes.cartesian_site_positions: expected an array`);
    if (!Array.isArray(names) || names.length !== pos.length) {
      return fail(`${where}.attributes.species_at_sites: expected ${pos.length} species names, one per site`);
    }
    const speciesDefs = new Map<string, { symbols: string[]; conc: number[] }>();
    if (Array.isArray(a.species)) {
      for (const s of a.species) {
        if (isObject(s) && typeof s.name === 'string' && Array.isArray(s.chemical_symbols)) {
          const symbols = s.chemical_symbols.map(String);
          const conc = Array.isArray(s.concentration)
            ? s.concentration.map(Number)
            : symbols.map(() => 1 / symbols.length);
          speciesDefs.set(s.name, { symbols, conc });
        }
      }
    }
    const inv = inverse(lat);
    const col = new SiteCollector();
    pos.forEach((p: unknown, i: number) => {
      const xyz = numbers(p, 3);
      if (!xyz) fail(`${where}.attributes.cartesian_site_positions[${i}]: expected 3 finite numbers`);
      const [x, y, z] = xyz!;
      const fx = x * inv[0] + y * inv[3] + z * inv[6];
      const fy = x * inv[1] + y * inv[4] + z * inv[7];
      const fz = x * inv[2] + y * inv[5] + z * inv[8];
      const posIssue = coordinatesProblem(fx, fy, fz);
      if (posIssue)
        fail(`${where}.attributes.cartesian_site_positions[${i}]: expected ${posIssue} (from Cartesian coordinates)`);
      const name = String(names[i]);
      const def = speciesDefs.get(name) ?? { symbols: [name], conc: [1] };
      def.symbols.forEach((sym, j) => {
        if (sym === 'vacancy' || sym === 'X') return;
        const zz = speciesToAtomicNumber(sym);
        if (zz === 0) fail(`${where}: species '${name}' has an unknown chemical symbol ${JSON.stringify(sym)}`);
        const c = def.conc[j];
        if (!(c > 0 && c <= 1 + 1e-6)) fail(`${where}: species '${name}' has concentration ${c}, expected (0, 1]`);
        col.add(fx, fy, fz, zz, Math.min(1, c), name);
      });
    });
    if (col.z.length === 0) return fail(`${where}: expected at least one site`);
    if (col.partial) warnings.push(`${source}:1:1: ${where}: partially occupied sites kept in crystal.occupancies`);
    crystals.push(col.crystal(lat, false));
    ids.push(typeof e.id === 'string' ? e.id : typeof e.id === 'number' ? String(e.id) : '');
  }
  if (crystals.length === 0) fail('expected at least one structure entry, found none');
  return { crystals, warnings, names: ids };
}

/**
 * Offset of the first JSON syntax error in a text (Node 20's messages do not always carry a position): a
 * small recursive-descent scan, run only after JSON.parse has failed.
 */
function jsonErrorOffset(t: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < t.length && ' \t\n\r'.includes(t[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const str = (): void => {
    i++;
    while (i < t.length && t[i] !== '"') {
      if (t[i] === '\\') i++;
      else if (t.charCodeAt(i) < 32) fail();
      i++;
    }
    if (i >= t.length) fail();
    i++;
  };
  const value = (depth: number): void => {
    ws();
    if (depth > 10000) fail();
    const c = t[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (t[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (t[i] !== '"') fail();
          str();
          ws();
          if (t[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === close) {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') str();
    else if (t.startsWith('true', i)) i += 4;
    else if (t.startsWith('false', i)) i += 5;
    else if (t.startsWith('null', i)) i += 4;
    else {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(t.slice(i, i + 400));
      if (!m) fail();
      else i += m[0].length;
    }
  };
  try {
    value(0);
    ws();
    return i;
  } catch (at) {
    return typeof at === 'number' ? at : 0;
  }
}
