// Kernel threads: worker threads that run our kernel modules on the same shared WebAssembly memory as the main
// thread (tfjs-backend-wasm's heap, loaded as a shared memory in Node: backend.ts). A kernel splits its work into
// parts that write disjoint outputs and compute every output value exactly as one thread would (row blocks of a
// product, output rows of a weight gradient, ranges of a segment sum), so results are bit-for-bit the same for any
// number of threads. A job is a few integers in one control block shared by all threads (module, function, the
// parts' arguments); every thread, the calling one included, claims parts one at a time until none is left, so a
// worker that starts late or runs slowly takes fewer parts instead of holding the others up. The calling thread claims
// from the front and the workers from the back (one word holds both ends): kernels in a row split their rows the same
// way, so on two threads each mostly reads what it wrote itself, still in its own cache (a carbon_24 training step
// ≈ 5 % faster than with one shared counter, the 10⁴-atom case ≈ 10 %). Workers spin briefly before they sleep, so a
// training step's many short kernels do not each pay for a wake-up.
import { InvalidArgumentError } from '../errors.js';
import { isShared, type KernelModule } from './instance.js';

// Control block layout (Int32Array slots).
const SEQ = 0; // job sequence number, bumped by the calling thread to start a job
const NEXT = 1; // (seq << 16) | (end << 8) | start: the parts in [start, end) are unclaimed; a claim of another job's part fails
const DONE = 2; // parts finished in the current job
const MODULE = 3;
const FUNCTION = 4;
const PARTS = 5;
const ARG_COUNT = 6;
const FAILED = 7; // 1 when a worker's part threw (its message is on its port)
const STOP = 8;
const ARGS = 16;
/** Parts per job and arguments per part the control block holds. */
export const MAX_PARTS = 32;
const MAX_ARGS = 12;
const CONTROL_INTS = ARGS + MAX_PARTS * MAX_ARGS;
const SEQ_MASK = 0x7fff;

/** Iterations a waiting thread polls before it sleeps (≈ 0.5 ms). */
const SPIN = 100_000;

/** The worker's program (plain JavaScript, evaluated: no file to locate, whatever the bundler). */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { memory, control, port, spin } = workerData;
const ctl = new Int32Array(control);
const modules = new Map();
let seq = Atomics.load(ctl, ${SEQ});
for (;;) {
  let s = Atomics.load(ctl, ${SEQ});
  for (let i = 0; s === seq && i < spin; i++) s = Atomics.load(ctl, ${SEQ});
  while (s === seq) {
    Atomics.wait(ctl, ${SEQ}, seq);
    s = Atomics.load(ctl, ${SEQ});
  }
  seq = s;
  if (Atomics.load(ctl, ${STOP}) !== 0) break;
  const tag = (seq & ${SEQ_MASK}) * 65536;
  for (;;) {
    const cur = Atomics.load(ctl, ${NEXT});
    const left = cur - tag;
    if (left < 0 || left >= 65536 || (left & 255) >= left >> 8) break;
    const part = (left >> 8) - 1;
    if (Atomics.compareExchange(ctl, ${NEXT}, cur, cur - 256) !== cur) continue;
    try {
      const id = ctl[${MODULE}];
      let fns = modules.get(id);
      while (fns === undefined) {
        const m = receiveMessageOnPort(port);
        if (m === undefined) throw new Error('kernel module ' + id + ' was never sent to this thread');
        const exports = new WebAssembly.Instance(m.message.module, { env: { memory } }).exports;
        modules.set(m.message.id, m.message.names.map((n) => exports[n]));
        fns = modules.get(id);
      }
      const n = ctl[${ARG_COUNT}];
      const at = ${ARGS} + part * ${MAX_ARGS};
      const args = [];
      for (let i = 0; i < n; i++) args.push(ctl[at + i]);
      fns[ctl[${FUNCTION}]](...args);
    } catch (e) {
      ctl[${FAILED}] = 1;
      port.postMessage(String((e && e.stack) || e));
    }
    if (Atomics.add(ctl, ${DONE}, 1) + 1 === ctl[${PARTS}]) Atomics.notify(ctl, ${DONE});
  }
}
`;

interface WorkerLike {
  terminate(): Promise<number>;
  unref(): void;
}
interface PortLike {
  postMessage(message: unknown): void;
  unref?(): void;
  close(): void;
}
interface WorkerThreadsModule {
  Worker: new (source: string, options: object) => WorkerLike;
  MessageChannel: new () => { port1: PortLike; port2: PortLike };
  receiveMessageOnPort(port: PortLike): { message: unknown } | undefined;
}

interface Slot {
  worker: WorkerLike;
  port: PortLike;
  sent: Set<number>;
}

interface Pool {
  memory: WebAssembly.Memory;
  ctl: Int32Array;
  seq: number;
  slots: Slot[];
  threads: WorkerThreadsModule;
}

let pool: Pool | null = null;
const exportNames = new WeakMap<WebAssembly.Module, string[]>();

/** The number of threads kernels split their work across on `memory` (1 without a pool on it). */
export function threadsOn(memory: WebAssembly.Memory | null): number {
  return pool !== null && memory !== null && pool.memory === memory ? pool.slots.length + 1 : 1;
}

/**
 * Starts (or stops) the worker threads for `memory`: `count - 1` workers beside the main thread. Returns the number of
 * threads in effect, which is 1 where threads cannot run: a memory that is not shared, or no `worker_threads` (browsers
 * without cross-origin isolation, or any browser: only Node is supported).
 */
export async function startThreads(memory: WebAssembly.Memory | null, count: number): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new InvalidArgumentError('setKernelThreads', 'count', `must be an integer in [1, 64], got ${count}`, count);
  }
  if (pool !== null && (pool.memory !== memory || pool.slots.length + 1 !== count)) await stopThreads();
  if (count === 1 || memory === null || !isShared(memory)) return 1;
  if (pool !== null) return pool.slots.length + 1;
  let threads: WorkerThreadsModule;
  try {
    threads = (await import(/* @vite-ignore */ 'node:worker_threads' as string)) as WorkerThreadsModule;
  } catch {
    return 1;
  }
  const control = new SharedArrayBuffer(4 * CONTROL_INTS);
  const slots: Slot[] = [];
  for (let i = 1; i < count; i++) {
    const { port1, port2 } = new threads.MessageChannel();
    const worker = new threads.Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { memory, control, port: port2, spin: SPIN },
      transferList: [port2],
    });
    worker.unref();
    port1.unref?.();
    slots.push({ worker, port: port1, sent: new Set() });
  }
  pool = { memory, ctl: new Int32Array(control), seq: 0, slots, threads };
  return count;
}

/** Stops the worker threads, if any. */
export async function stopThreads(): Promise<void> {
  const p = pool;
  if (p === null) return;
  pool = null;
  Atomics.store(p.ctl, STOP, 1);
  Atomics.add(p.ctl, SEQ, 1);
  Atomics.notify(p.ctl, SEQ);
  for (const s of p.slots) s.port.close();
  await Promise.all(p.slots.map((s) => s.worker.terminate()));
}

/**
 * Runs `module`'s function `fn` once per argument list in `calls` (at most {@link MAX_PARTS} lists of at most 12
 * arguments), spread over this thread and the worker threads, and returns when all are done. The calls must write
 * disjoint memory. Each thread claims calls in order, so which thread runs a call varies, never what it computes.
 */
export function runParts<E>(
  module: KernelModule<E>,
  memory: WebAssembly.Memory,
  fn: keyof E & string,
  calls: readonly (readonly number[])[],
): void {
  const own = module.on(memory) as unknown as Record<string, (...args: number[]) => void>;
  const p = pool;
  if (p === null || p.memory !== memory || calls.length < 2) {
    for (const c of calls) own[fn](...c);
    return;
  }
  if (calls.length > MAX_PARTS || calls.some((c) => c.length !== calls[0].length) || calls[0].length > MAX_ARGS) {
    throw new Error(`runParts: at most ${MAX_PARTS} calls of one arity ≤ ${MAX_ARGS}, got ${calls.length}`);
  }
  const compiled = module.compiled(memory) as WebAssembly.Module;
  let names = exportNames.get(compiled);
  if (names === undefined) {
    names = WebAssembly.Module.exports(compiled).map((e) => e.name);
    exportNames.set(compiled, names);
  }
  for (const s of p.slots) {
    if (!s.sent.has(module.id)) {
      s.port.postMessage({ id: module.id, module: compiled, names });
      s.sent.add(module.id);
    }
  }
  const { ctl } = p;
  const parts = calls.length;
  ctl[MODULE] = module.id;
  ctl[FUNCTION] = names.indexOf(fn);
  ctl[PARTS] = parts;
  ctl[ARG_COUNT] = calls[0].length;
  ctl[FAILED] = 0;
  for (let c = 0; c < parts; c++) {
    const at = ARGS + c * MAX_ARGS;
    const args = calls[c];
    for (let i = 0; i < args.length; i++) ctl[at + i] = args[i];
  }
  p.seq = (p.seq + 1) & SEQ_MASK;
  const tag = p.seq * 65536;
  Atomics.store(ctl, DONE, 0);
  Atomics.store(ctl, NEXT, tag + parts * 256);
  Atomics.store(ctl, SEQ, p.seq);
  Atomics.notify(ctl, SEQ);
  let error: unknown;
  let mine = 0;
  // This thread takes parts from the front, the workers from the back: with the same split in consecutive kernels
  // (rows of a product, then of its SiLU, …) each thread mostly reads rows it wrote itself, still in its own cache.
  for (;;) {
    const cur = Atomics.load(ctl, NEXT);
    const part = cur & 255;
    if (part >= (cur >> 8) - p.seq * 256) break;
    if (Atomics.compareExchange(ctl, NEXT, cur, cur + 1) !== cur) continue;
    mine++;
    try {
      own[fn](...calls[part]);
    } catch (e) {
      error ??= e;
    }
  }
  // Workers add to DONE for their parts; ours are counted here.
  let done = Atomics.add(ctl, DONE, mine) + mine;
  for (let i = 0; done < parts && i < SPIN; i++) done = Atomics.load(ctl, DONE);
  while (done < parts) {
    Atomics.wait(ctl, DONE, done, 1000);
    done = Atomics.load(ctl, DONE);
  }
  if (ctl[FAILED] !== 0 && error === undefined) {
    let message = 'no message';
    for (const s of p.slots) {
      const m = p.threads.receiveMessageOnPort(s.port);
      if (m) message = String(m.message);
    }
    error = new Error(`${fn} failed on a kernel thread: ${message}`);
  }
  if (error !== undefined) throw error;
}

/**
 * How many parts a kernel with `threads` threads splits into: `perThread` per thread (at most {@link MAX_PARTS}), so
 * that threads which start late or run slowly take fewer; 1 on one thread.
 */
export const partCount = (threads: number, perThread: number): number =>
  threads > 1 ? Math.min(MAX_PARTS, threads * perThread) : 1;

/**
 * Splits `count` items into at most `parts` ranges [start, end) whose starts are multiples of `align`, for kernels that
 * split rows (or columns) across threads. Fewer ranges when there is too little to share.
 */
export function splitRange(count: number, parts: number, align: number): [number, number][] {
  const out: [number, number][] = [];
  const blocks = Math.floor(count / align);
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const end = p === parts - 1 ? count : Math.round((blocks * (p + 1)) / parts) * align;
    if (end > start) out.push([start, end]);
    start = Math.max(start, end);
  }
  return out;
}
