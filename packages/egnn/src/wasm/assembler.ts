// The package's one WebAssembly assembler: kernels are written as lists of named instructions (`local.get`,
// `f32x4.mul`, …), which `assemble` encodes into a module and `wasmText` prints back from the bytes, in the
// WebAssembly text format, with the functions' and locals' names (kept in the module's standard `name` section, so
// browser devtools show them too). Only the instructions our kernels use are known; anything else is an error.
// Binary format: https://webassembly.github.io/spec/core/binary/index.html.

/** One instruction: its text-format name and immediates (a local index, a constant, a memarg, 16 bytes). */
export type Instr = readonly [op: OpName, ...immediates: number[]];

/** A value type of a local: 32-bit integer, 32- or 64-bit float, or 128-bit vector. */
export type ValType = 'i32' | 'f32' | 'f64' | 'v128';

/** A function of a kernel module: every parameter is an i32 (a byte offset or a count) and it returns nothing. */
export interface WasmFunction {
  /** The exported name. */
  readonly name: string;
  /** Parameter names, in order (locals 0 … params.length − 1). */
  readonly params: readonly string[];
  /** Local declarations in order, each a run of one type; their indices follow the parameters. */
  readonly locals: readonly (readonly [ValType, readonly string[]])[];
  /** The body, without the function's final `end`. */
  readonly code: readonly Instr[];
}

type Immediate = 'u32' | 's32' | 'memarg' | 'v128' | 'block';

/** Opcode bytes (0xfd-prefixed SIMD opcodes are LEB128 after the prefix), immediates, and natural alignment (log₂). */
const OPS = {
  loop: { code: [0x03], imm: ['block'] },
  if: { code: [0x04], imm: ['block'] },
  end: { code: [0x0b], imm: [] },
  br_if: { code: [0x0d], imm: ['u32'] },
  select: { code: [0x1b], imm: [] },
  'local.get': { code: [0x20], imm: ['u32'] },
  'local.set': { code: [0x21], imm: ['u32'] },
  'local.tee': { code: [0x22], imm: ['u32'] },
  'i32.load': { code: [0x28], imm: ['memarg'], align: 2 },
  'i32.store': { code: [0x36], imm: ['memarg'], align: 2 },
  'f32.load': { code: [0x2a], imm: ['memarg'], align: 2 },
  'f32.store': { code: [0x38], imm: ['memarg'], align: 2 },
  'i32.const': { code: [0x41], imm: ['s32'] },
  'i32.lt_u': { code: [0x49], imm: [] },
  'i32.add': { code: [0x6a], imm: [] },
  'i32.sub': { code: [0x6b], imm: [] },
  'i32.mul': { code: [0x6c], imm: [] },
  'i32.and': { code: [0x71], imm: [] },
  'i32.shl': { code: [0x74], imm: [] },
  'f32.add': { code: [0x92], imm: [] },
  'f32.sub': { code: [0x93], imm: [] },
  'f32.mul': { code: [0x94], imm: [] },
  'f64.add': { code: [0xa0], imm: [] },
  'f64.mul': { code: [0xa2], imm: [] },
  'f32.demote_f64': { code: [0xb6], imm: [] },
  'f64.promote_f32': { code: [0xbb], imm: [] },
  'v128.load': { code: [0xfd, 0x00], imm: ['memarg'], align: 4 },
  'v128.load32_splat': { code: [0xfd, 0x09], imm: ['memarg'], align: 2 },
  'v128.store': { code: [0xfd, 0x0b], imm: ['memarg'], align: 4 },
  'v128.const': { code: [0xfd, 0x0c], imm: ['v128'] },
  'f32x4.lt': { code: [0xfd, 0x43], imm: [] },
  'f32x4.gt': { code: [0xfd, 0x44], imm: [] },
  'v128.andnot': { code: [0xfd, 0x4f], imm: [] },
  'v128.bitselect': { code: [0xfd, 0x52], imm: [] },
  'i32x4.shl': { code: [0xfd, 0xab], imm: [] },
  'i32x4.add': { code: [0xfd, 0xae], imm: [] },
  'f32x4.sqrt': { code: [0xfd, 0xe3], imm: [] },
  'f32x4.add': { code: [0xfd, 0xe4], imm: [] },
  'f32x4.sub': { code: [0xfd, 0xe5], imm: [] },
  'f32x4.mul': { code: [0xfd, 0xe6], imm: [] },
  'f32x4.div': { code: [0xfd, 0xe7], imm: [] },
  // pmin / pmax (`b < a ? b : a`, `a < b ? b : a`) are one minps / maxps on x86, where the IEEE min / max take a
  // sequence of instructions for NaN and ±0; NaN in the first operand passes through.
  'f32x4.pmin': { code: [0xfd, 0xea], imm: [] },
  'f32x4.pmax': { code: [0xfd, 0xeb], imm: [] },
} as const satisfies Record<string, { code: readonly number[]; imm: readonly Immediate[]; align?: number }>;

/** Names of the instructions the assembler knows. */
export type OpName = keyof typeof OPS;

const VALTYPE_CODE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

// ---------------------------------------------------------------------------------------------- instructions
// Each returns a one-instruction list, so code is written as `[...get(x), ...i32(4), ...mul]`.

const one = (op: OpName, ...imm: number[]): Instr[] => [[op, ...imm]];
export const get = (local: number) => one('local.get', local);
export const set = (local: number) => one('local.set', local);
export const tee = (local: number) => one('local.tee', local);
export const i32 = (value: number) => one('i32.const', value);
export const add = one('i32.add');
export const sub = one('i32.sub');
export const mul = one('i32.mul');
export const and = one('i32.and');
export const ltU = one('i32.lt_u');
export const shl = one('i32.shl');
export const select = one('select');
export const i32load = (offset = 0) => one('i32.load', OPS['i32.load'].align, offset);
export const i32store = (offset = 0) => one('i32.store', OPS['i32.store'].align, offset);
export const f32load = (offset = 0) => one('f32.load', OPS['f32.load'].align, offset);
export const f32store = (offset = 0) => one('f32.store', OPS['f32.store'].align, offset);
/** Scalar float32 add and multiply (one rounding each, as Math.fround of the double result). */
export const f32add = one('f32.add');
export const f32sub = one('f32.sub');
export const f32mul = one('f32.mul');
/** Scalar float64 add and multiply, and the conversions (exact to float64, rounded to nearest back to float32). */
export const f64add = one('f64.add');
export const f64mul = one('f64.mul');
export const promote = one('f64.promote_f32');
export const demote = one('f32.demote_f64');
export const vload = (offset = 0) => one('v128.load', OPS['v128.load'].align, offset);
export const vstore = (offset = 0) => one('v128.store', OPS['v128.store'].align, offset);
export const load32Splat = (offset = 0) => one('v128.load32_splat', OPS['v128.load32_splat'].align, offset);
/** `v128.const` with the value in all four f32 lanes. */
export const f32x4Splat = (v: number) => one('v128.const', ...new Uint8Array(new Float32Array([v, v, v, v]).buffer));
/** `v128.const` with the value in all four i32 lanes. */
export const i32x4Splat = (v: number) => one('v128.const', ...new Uint8Array(new Int32Array([v, v, v, v]).buffer));
export const fsqrt = one('f32x4.sqrt');
export const fadd = one('f32x4.add');
export const fsub = one('f32x4.sub');
export const fmul = one('f32x4.mul');
export const fdiv = one('f32x4.div');
export const pmin = one('f32x4.pmin');
export const pmax = one('f32x4.pmax');
export const flt = one('f32x4.lt');
export const fgt = one('f32x4.gt');
export const vandnot = one('v128.andnot');
export const vbitselect = one('v128.bitselect');
export const iadd = one('i32x4.add');
export const ishl = one('i32x4.shl');

/** `do { body } while (cond)`: the body, then the condition (an i32) branches back to the loop's start. */
export const doWhile = (body: readonly Instr[], cond: readonly Instr[]): Instr[] => [
  ['loop'],
  ...body,
  ...cond,
  ['br_if', 0],
  ['end'],
];

/** `if (cond) { body }`: the condition (an i32) first. */
export const when = (cond: readonly Instr[], body: readonly Instr[]): Instr[] => [...cond, ['if'], ...body, ['end']];

// ---------------------------------------------------------------------------------------------- encoding

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: readonly number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const utf8 = (s: string): number[] => {
  const bytes = new TextEncoder().encode(s);
  return [...uleb(bytes.length), ...bytes];
};

function encodeInstr(instr: Instr): number[] {
  const [op, ...imm] = instr;
  const spec: { code: readonly number[]; imm: readonly Immediate[] } = OPS[op];
  if (spec === undefined) throw new Error(`assemble: unknown instruction ${String(op)}`);
  const out = spec.code.length === 2 ? [spec.code[0], ...uleb(spec.code[1])] : [...spec.code];
  let k = 0;
  for (const kind of spec.imm) {
    if (kind === 'u32') out.push(...uleb(imm[k++]));
    else if (kind === 's32') out.push(...sleb(imm[k++]));
    else if (kind === 'memarg') out.push(...uleb(imm[k++]), ...uleb(imm[k++]));
    else if (kind === 'block') out.push(0x40);
    else for (let i = 0; i < 16; i++) out.push(imm[k++] & 0xff);
  }
  if (k !== imm.length) throw new Error(`assemble: ${op} takes ${k} immediates, got ${imm.length}`);
  return out;
}

/** A function's body as the code section holds it: size, local runs, instructions, `end`. */
function encodeBody(f: WasmFunction): number[] {
  const locals = vec(f.locals.map(([type, names]) => [...uleb(names.length), VALTYPE_CODE[type]]));
  const body = [...locals, ...f.code.flatMap(encodeInstr), 0x0b];
  return [...uleb(body.length), ...body];
}

/**
 * The bytes of a module that imports its memory as `env.memory` (so it runs on any heap, e.g. tfjs-backend-wasm's)
 * and exports `functions` by name, with a `name` section naming every function, parameter and local. With `shared`
 * the import is a shared memory of at most 4 GiB (what a heap that worker threads also see must be).
 */
export function assemble(functions: readonly WasmFunction[], shared = false): Uint8Array<ArrayBuffer> {
  const arities = [...new Set(functions.map((f) => f.params.length))];
  const funcType = (n: number) => [0x60, ...vec(Array.from({ length: n }, () => [VALTYPE_CODE.i32])), 0];
  const localNames = (f: WasmFunction) => [...f.params, ...f.locals.flatMap(([, names]) => names)];
  const names = [
    ...section(1, vec(functions.map((f, i) => [...uleb(i), ...utf8(f.name)]))),
    ...section(
      2,
      vec(functions.map((f, i) => [...uleb(i), ...vec(localNames(f).map((n, j) => [...uleb(j), ...utf8(n)]))])),
    ),
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(arities.map(funcType))),
    ...section(
      2,
      vec([
        [
          ...utf8('env'),
          ...utf8('memory'),
          0x02,
          ...(shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)]),
        ],
      ]),
    ),
    ...section(3, vec(functions.map((f) => uleb(arities.indexOf(f.params.length))))),
    ...section(7, vec(functions.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(functions.map(encodeBody))),
    ...section(0, [...utf8('name'), ...names]),
  ]);
}

// ---------------------------------------------------------------------------------------------- text dump

/** Reads a module's bytes back: LEB128 numbers, names, and instructions by the table above. */
class Reader {
  pos = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error(`wasmText: unexpected end of module at byte ${this.pos}`);
    return this.bytes[this.pos++];
  }
  uleb(): number {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return v;
    }
  }
  sleb(): number {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return shift < 32 && b & 0x40 ? v | (-1 << shift) : v;
  }
  name(): string {
    const n = this.uleb();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

const OPCODE_NAMES = new Map<string, OpName>(
  (Object.keys(OPS) as OpName[]).map((op) => [(OPS[op].code as readonly number[]).join(','), op]),
);
const VALTYPE_NAMES = new Map<number, ValType>([
  [0x7f, 'i32'],
  [0x7d, 'f32'],
  [0x7c, 'f64'],
  [0x7b, 'v128'],
]);

/** The shortest decimal that rounds to the float32 `v` (`1.442695`, not `1.4426950216293335`). */
export function f32Text(v: number): string {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return String(f);
  for (let p = 1; p < 17; p++) {
    const s = String(Number(f.toPrecision(p)));
    if (Math.fround(Number(s)) === f) return s;
  }
  return String(f);
}

/** An i32 as 8 hex digits. */
export const hex32 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

function formatV128(bytes: Uint8Array): string {
  const ints = Array.from(new Int32Array(bytes.slice().buffer));
  const floats = Array.from(new Float32Array(bytes.slice().buffer));
  const same = ints.every((v) => v === ints[0]);
  const comment = same
    ? `f32 ${f32Text(floats[0])} or i32 ${ints[0]} in each lane`
    : `f32x4 ${floats.map(f32Text).join(' ')}`;
  return `i32x4 ${ints.map(hex32).join(' ')} ;; ${comment}`;
}

/**
 * The module in the WebAssembly text format, read back from its bytes: the memory import, then each function with its
 * export, named parameters and locals, and one instruction per line, indented by loop depth. For reviewing and
 * debugging the kernels (each op's test pins its module's text).
 */
export function wasmText(bytes: Uint8Array): string {
  const r = new Reader(bytes);
  const header = Array.from(bytes.subarray(0, 8)).join(',');
  if (header !== '0,97,115,109,1,0,0,0') throw new Error('wasmText: not a WebAssembly 1.0 module');
  r.pos = 8;
  const types: string[][] = [];
  const funcTypes: number[] = [];
  const exports = new Map<number, string>();
  const bodies: { start: number; end: number }[] = [];
  const funcNames = new Map<number, string>();
  const localNames = new Map<number, Map<number, string>>();
  const imports: string[] = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.uleb();
    const end = r.pos + size;
    if (id === 1) {
      for (let n = r.uleb(); n > 0; n--) {
        if (r.byte() !== 0x60) throw new Error('wasmText: malformed function type');
        const params: string[] = [];
        for (let p = r.uleb(); p > 0; p--) params.push(VALTYPE_NAMES.get(r.byte()) ?? '?');
        if (r.uleb() !== 0) throw new Error('wasmText: functions with results are not supported');
        types.push(params);
      }
    } else if (id === 2) {
      for (let n = r.uleb(); n > 0; n--) {
        const module = r.name();
        const field = r.name();
        if (r.byte() !== 0x02) throw new Error('wasmText: only memory imports are supported');
        const flags = r.byte();
        const min = r.uleb();
        const max = flags & 1 ? ` ${r.uleb()}` : '';
        imports.push(`(import "${module}" "${field}" (memory ${min}${max}${flags & 2 ? ' shared' : ''}))`);
      }
    } else if (id === 3) {
      for (let n = r.uleb(); n > 0; n--) funcTypes.push(r.uleb());
    } else if (id === 7) {
      for (let n = r.uleb(); n > 0; n--) {
        const name = r.name();
        const kind = r.byte();
        const index = r.uleb();
        if (kind === 0x00) exports.set(index, name);
      }
    } else if (id === 10) {
      for (let n = r.uleb(); n > 0; n--) {
        const len = r.uleb();
        bodies.push({ start: r.pos, end: r.pos + len });
        r.pos += len;
      }
    } else if (id === 0 && r.name() === 'name') {
      while (r.pos < end) {
        const sub = r.byte();
        const subEnd = r.uleb() + r.pos;
        if (sub === 1) for (let n = r.uleb(); n > 0; n--) funcNames.set(r.uleb(), r.name());
        if (sub === 2) {
          for (let n = r.uleb(); n > 0; n--) {
            const f = r.uleb();
            const m = new Map<number, string>();
            for (let k = r.uleb(); k > 0; k--) m.set(r.uleb(), r.name());
            localNames.set(f, m);
          }
        }
        r.pos = subEnd;
      }
    }
    r.pos = end;
  }
  const lines = ['(module', ...imports.map((s) => `  ${s}`)];
  bodies.forEach(({ start, end }, f) => {
    const names = localNames.get(f) ?? new Map<number, string>();
    const local = (i: number) => (names.has(i) ? `$${names.get(i)}` : String(i));
    const params = types[funcTypes[f]] ?? [];
    const exported = exports.has(f) ? ` (export "${exports.get(f)}")` : '';
    const paramList = params.map((t, i) => ` (param ${local(i)} ${t})`).join('');
    lines.push(`  (func $${funcNames.get(f) ?? f}${exported}${paramList}`);
    r.pos = start;
    let index = params.length;
    for (let runs = r.uleb(); runs > 0; runs--) {
      const count = r.uleb();
      const type = VALTYPE_NAMES.get(r.byte()) ?? '?';
      for (let k = 0; k < count; k++) lines.push(`    (local ${local(index++)} ${type})`);
    }
    let depth = 0;
    while (r.pos < end) {
      const first = r.byte();
      const key = first === 0xfd ? `${first},${r.uleb()}` : String(first);
      const op = OPCODE_NAMES.get(key);
      if (op === undefined) throw new Error(`wasmText: unknown opcode ${key} in function ${f} at byte ${r.pos}`);
      if (op === 'end') {
        if (depth === 0) break;
        depth--;
      }
      const spec: { imm: readonly Immediate[]; align?: number } = OPS[op];
      const parts: string[] = [op];
      for (const kind of spec.imm) {
        if (kind === 'u32') parts.push(op.startsWith('local.') ? local(r.uleb()) : String(r.uleb()));
        else if (kind === 's32') parts.push(String(r.sleb()));
        else if (kind === 'block') r.byte();
        else if (kind === 'memarg') {
          const align = r.uleb();
          const offset = r.uleb();
          if (offset !== 0) parts.push(`offset=${offset}`);
          if (align !== spec.align) parts.push(`align=${2 ** align}`);
        } else {
          parts.push(formatV128(bytes.subarray(r.pos, r.pos + 16)));
          r.pos += 16;
        }
      }
      lines.push(`${'  '.repeat(depth + 2)}${parts.join(' ')}`);
      if (op === 'loop' || op === 'if') depth++;
    }
    lines.push('  )');
  });
  lines.push(')');
  return `${lines.join('\n')}\n`;
}
