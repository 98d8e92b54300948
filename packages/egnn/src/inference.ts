// A forward pass of an `Egnn` on typed arrays, for inference on small inputs. On a 5–20 atom crystal (~100–400 edges)
// tfjs spends most of its time per op (dispatch, allocation, tidy scopes), not in arithmetic. Here every matrix
// lives in one float32 heap: the dense products and SiLUs run as WebAssembly SIMD kernels (dense-kernels.ts), and
// the gathers, scatters, envelope, gate and layer norm as plain loops between them.
//
// Legend: N atoms, E edges, F node features (units), H hidden units, K basis size, O edge outputs; a `p` suffix is
// the size padded to a multiple of 8 (the kernels' column block), and row counts are padded to a multiple of 4.
import { type DenseKernels, denseKernels } from './dense-kernels.js';
import type { Egnn } from './egnn.js';
import { InvalidArgumentError } from './errors.js';
import { MIN_SQUARED_LENGTH, PolynomialCutoff } from './radial.js';

/** Inputs of {@link EgnnInference.apply}: the typed arrays behind {@link EgnnInputs}' tensors. */
export interface EgnnInferenceInputs {
  /** N atomic numbers (a `Crystal`'s `Uint8Array`, or an `Int32Array`), each in `[0, maxAtomicNumber]`. */
  readonly atomicNumbers: Uint8Array | Int32Array | Uint16Array;
  /** E centre atoms, each in `[0, N)`. */
  readonly src: Int32Array;
  /** E neighbour atoms, each in `[0, N)`. */
  readonly dst: Int32Array;
  /** 3·E edge vectors r_e (Å), edge-major. Only their lengths enter the network. */
  readonly vectors: Float32Array | Float64Array;
}

/** Outputs of {@link EgnnInference.apply}: {@link EgnnOutputs} as typed arrays (fresh on every call). */
export interface EgnnInferenceOutputs {
  /** E·O per-edge invariant weights, edge-major (zero beyond the cutoff). */
  readonly edgeOutputs: Float32Array;
  /** N·F final node features, atom-major. */
  readonly nodeFeatures: Float32Array;
  /** E edge lengths (safe at zero: clamped to 1e-6 Å, as `edgeLengths`). */
  readonly distances: Float32Array;
}

/** Float offsets of one conv layer's weights in the heap (kernels `[in, out]`, columns padded). */
interface ConvWeights {
  /** `[F, 2Hp']`: columns 0…H−1 are W_a (for h_src), H…2H−1 W_b (for h_dst). */
  readonly nodeAB: number;
  /** `[K, Hp]` and bias `[Hp]`. */
  readonly edgeC: number;
  readonly edgeBias: number;
  /** `[H, Fp]` and bias `[Fp]`. */
  readonly edge2: number;
  readonly edge2Bias: number;
  /** `[2F, Hp]` on `[h ‖ agg]` and bias `[Hp]`. */
  readonly node1: number;
  readonly node1Bias: number;
  /** `[H, Fp]` and bias `[Fp]`. */
  readonly node2: number;
  readonly node2Bias: number;
  /** Gate `[F]` and its bias, layer norm scale and shift `[F]`: used by plain loops, so kept as arrays. */
  readonly gate?: Float32Array;
  readonly gateBias: number;
  readonly normScale?: Float32Array;
  readonly normShift?: Float32Array;
}

interface HeadWeights {
  readonly nodeAB: number;
  readonly edgeC: number;
  readonly edgeBias: number;
  /** `[H, Op]` and bias `[Op]`. */
  readonly head2: number;
  readonly head2Bias: number;
}

type Readable = { dataSync(): ArrayLike<number>; shape: number[] };

const pad8 = (n: number) => (n + 7) & ~7;
const pad4 = (n: number) => (n + 3) & ~3;

/**
 * Allocates weights in a heap: each `[rows, cols]` kernel is copied into `[rows, pad8(cols)]` at a column offset,
 * zero elsewhere.
 */
class WeightWriter {
  private readonly parts: { at: number; rows: number; cols: number; ld: number; col: number; v: ArrayLike<number> }[] =
    [];
  size = 0;

  /** Space for `[rows, ld]` floats; returns its offset. */
  alloc(rows: number, ld: number): number {
    const at = this.size;
    this.size += rows * ld;
    return at;
  }

  /** Copies variable `v` (`[rows, cols]`, or `[cols]` as one row) to `at`, rows of stride `ld`, from column `col`. */
  put(at: number, ld: number, col: number, v: Readable, rowOffset = 0): void {
    const rows = v.shape.length === 2 ? v.shape[0] : 1;
    const cols = v.shape.length === 2 ? v.shape[1] : v.shape[0];
    this.parts.push({ at: at + rowOffset * ld, rows, cols, ld, col, v: v.dataSync() });
  }

  /** A kernel or bias `v` in its own padded block. */
  matrix(v: Readable): number {
    const rows = v.shape.length === 2 ? v.shape[0] : 1;
    const cols = v.shape.length === 2 ? v.shape[1] : v.shape[0];
    const at = this.alloc(rows, pad8(cols));
    this.put(at, pad8(cols), 0, v);
    return at;
  }

  write(heap: Float32Array): void {
    for (const p of this.parts) {
      for (let r = 0; r < p.rows; r++) {
        for (let c = 0; c < p.cols; c++) heap[p.at + r * p.ld + p.col + c] = p.v[r * p.cols + c];
      }
    }
  }
}

const values = (v: Readable) => Float32Array.from(v.dataSync());

/**
 * A weight snapshot of an {@link Egnn} with a forward pass on plain typed arrays: no tfjs ops, no tensors, no
 * gradients. Made by {@link Egnn.compileInference}. It copies the weights once, when it is made, so it does **not**
 * see later changes to the network's weights (training steps, `setWeights`): compile again after those. Supports
 * every `Egnn` option; outputs equal `Egnn.apply`'s to float32 rounding (~1e-6 relative). Uses WebAssembly SIMD
 * where available (Node ≥ 16.4 and current browsers), plain loops elsewhere.
 *
 * @example
 * ```ts
 * const infer = net.compileInference();
 * const { edgeOutputs } = infer.apply({ atomicNumbers, src, dst, vectors }); // Float32Array E·2
 * ```
 */
export class EgnnInference {
  /** Node feature size F. */
  readonly units: number;
  /** Hidden size H. */
  readonly hiddenUnits: number;
  /** Radial basis size K. */
  readonly basisSize: number;
  /** Invariant outputs per edge O. */
  readonly edgeOutputs: number;
  /** Largest atomic number accepted. */
  readonly maxAtomicNumber: number;
  private readonly cutoff: number;
  private readonly basisKind: 'gaussian' | 'bessel';
  private readonly envelopeKind: 'cosine' | 'polynomial';
  private readonly exponent: number;
  private readonly mean: boolean;
  private readonly table: Float32Array;
  private readonly convs: readonly ConvWeights[];
  private readonly head: HeadWeights;
  private readonly kernels: DenseKernels;
  /** Heap floats taken by the weights; scratch starts here. */
  private readonly weightSize: number;
  /** A zero bias of width max(2Hp', …). */
  private readonly zeros: number;
  private envelope = new Float32Array(0);
  private counts = new Float32Array(0);

  /**
   * Snapshots the weights of `net` (building it if needed). Prefer {@link Egnn.compileInference}.
   *
   * @param options.simd - false forces the plain-loop kernels (for tests and comparisons). Default true.
   */
  constructor(net: Egnn, options: { simd?: boolean } = {}) {
    this.units = net.units;
    this.hiddenUnits = net.hiddenUnits;
    this.basisSize = net.basisSize;
    this.edgeOutputs = net.edgeOutputs;
    this.maxAtomicNumber = net.maxAtomicNumber;
    this.cutoff = net.cutoff;
    this.basisKind = net.basisKind;
    this.envelopeKind = net.envelopeKind;
    this.exponent = net.envelope instanceof PolynomialCutoff ? net.envelope.exponent : 0;
    this.mean = net.aggregation === 'mean';
    net.build();
    const F = this.units;
    const H = this.hiddenUnits;
    const w = new WeightWriter();
    const nodePair = (a: Readable, b: Readable) => {
      const at = w.alloc(F, pad8(2 * H));
      w.put(at, pad8(2 * H), 0, a);
      w.put(at, pad8(2 * H), H, b);
      return at;
    };
    this.table = values(net.embedding.table);
    this.convs = net.convs.map((c) => {
      const nodeAB = nodePair(c.edge1A, c.edge1B);
      const node1 = w.alloc(2 * F, pad8(H));
      w.put(node1, pad8(H), 0, c.node1A);
      w.put(node1, pad8(H), 0, c.node1B, F);
      return {
        nodeAB,
        edgeC: w.matrix(c.edge1C),
        edgeBias: w.matrix(c.edge1Bias),
        edge2: w.matrix(c.edge2),
        edge2Bias: w.matrix(c.edge2Bias),
        node1,
        node1Bias: w.matrix(c.node1Bias),
        node2: w.matrix(c.node2),
        node2Bias: w.matrix(c.node2Bias),
        gate: c.gate ? values(c.gate) : undefined,
        gateBias: c.gateBias ? c.gateBias.dataSync()[0] : 0,
        normScale: c.normScale ? values(c.normScale) : undefined,
        normShift: c.normShift ? values(c.normShift) : undefined,
      };
    });
    const h = net.head;
    this.head = {
      nodeAB: nodePair(h.head1A, h.head1B),
      edgeC: w.matrix(h.head1C),
      edgeBias: w.matrix(h.head1Bias),
      head2: w.matrix(h.head2),
      head2Bias: w.matrix(h.head2Bias),
    };
    this.zeros = w.alloc(1, pad8(2 * H));
    this.weightSize = pad4(w.size);
    this.kernels = denseKernels(options.simd ?? true);
    this.kernels.reserve(this.weightSize);
    w.write(this.kernels.heap);
  }

  /** True when the WebAssembly SIMD kernels are in use (false: plain loops). */
  get simd(): boolean {
    return this.kernels.simd;
  }

  /**
   * The network's forward pass: per-edge invariant outputs, final node features and edge lengths, as
   * `Egnn.apply` computes them.
   *
   * @throws {@link InvalidArgumentError} when the arrays have inconsistent lengths or out-of-range entries.
   */
  apply(inputs: EgnnInferenceInputs): EgnnInferenceOutputs {
    this.check(inputs);
    const { atomicNumbers, src, dst, vectors } = inputs;
    const N = atomicNumbers.length;
    const E = src.length;
    const F = this.units;
    const H = this.hiddenUnits;
    const K = this.basisSize;
    const O = this.edgeOutputs;
    const Fp = pad8(F);
    const Hp = pad8(H);
    const Op = pad8(O);
    const N4 = pad4(N);
    const E4 = pad4(E);
    // Scratch layout after the weights.
    const s = {
      edgeFeat: this.weightSize,
      z: 0,
      m: 0,
      nodeP: 0,
      nodeX: 0,
      nodeU: 0,
      nodeO: 0,
      h: 0,
      out: 0,
      end: 0,
    };
    s.z = s.edgeFeat + pad4(E4 * K);
    s.m = s.z + E4 * Hp;
    s.nodeP = s.m + E4 * Math.max(Fp, Op);
    s.nodeX = s.nodeP + N4 * pad8(2 * H);
    s.nodeU = s.nodeX + N4 * 2 * F;
    s.nodeO = s.nodeU + N4 * Hp;
    s.h = s.nodeO + N4 * Fp;
    s.end = s.h + N4 * Fp;
    this.kernels.reserve(s.end);
    const heap = this.kernels.heap;
    heap.fill(0, this.weightSize, s.end);

    const distances = new Float32Array(E);
    this.radial(heap, s.edgeFeat, vectors, E, distances);
    for (let i = 0; i < N; i++) {
      const z = atomicNumbers[i];
      heap.set(this.table.subarray(z * F, z * F + F), s.h + i * Fp);
    }
    if (this.mean) {
      if (this.counts.length < N) this.counts = new Float32Array(N);
      const c = this.counts;
      c.fill(0, 0, N);
      for (let e = 0; e < E; e++) c[src[e]]++;
    }
    for (const w of this.convs) this.conv(w, s, N, src, dst, E);
    this.edgeHidden(s, N, src, dst, E, this.head.nodeAB, this.head.edgeC, this.head.edgeBias);
    this.kernels.matmul(s.m, s.z, Hp, E4, H, this.head.head2, Op, this.head.head2Bias);
    const edgeOutputs = new Float32Array(E * O);
    const env = this.envelope;
    for (let e = 0; e < E; e++) {
      const o = s.m + e * Op;
      for (let k = 0; k < O; k++) edgeOutputs[e * O + k] = heap[o + k] * env[e];
    }
    const nodeFeatures = new Float32Array(N * F);
    for (let i = 0; i < N; i++) nodeFeatures.set(heap.subarray(s.h + i * Fp, s.h + i * Fp + F), i * F);
    return { edgeOutputs, nodeFeatures, distances };
  }

  private check(inputs: EgnnInferenceInputs): void {
    const fn = 'EgnnInference.apply';
    const { atomicNumbers, src, dst, vectors } = inputs ?? ({} as EgnnInferenceInputs);
    const isInt = (a: unknown) => a instanceof Uint8Array || a instanceof Int32Array || a instanceof Uint16Array;
    if (!isInt(atomicNumbers)) {
      throw new InvalidArgumentError(
        fn,
        'atomicNumbers',
        `must be a Uint8Array, Uint16Array or Int32Array, got ${describe(atomicNumbers)}`,
      );
    }
    const N = atomicNumbers.length;
    if (!(src instanceof Int32Array))
      throw new InvalidArgumentError(fn, 'src', `must be an Int32Array, got ${describe(src)}`);
    const E = src.length;
    if (!(dst instanceof Int32Array) || dst.length !== E) {
      throw new InvalidArgumentError(fn, 'dst', `must be an Int32Array of length E = ${E}, got ${describe(dst)}`);
    }
    if (!(vectors instanceof Float32Array || vectors instanceof Float64Array) || vectors.length !== 3 * E) {
      throw new InvalidArgumentError(
        fn,
        'vectors',
        `must be a Float32Array or Float64Array of length 3·E = ${3 * E}, got ${describe(vectors)}`,
      );
    }
    for (let i = 0; i < N; i++) {
      const z = atomicNumbers[i];
      if (!(z >= 0 && z <= this.maxAtomicNumber)) {
        throw new InvalidArgumentError(
          fn,
          'atomicNumbers',
          `must be in [0, ${this.maxAtomicNumber}], got ${z} at position ${i}`,
          z,
        );
      }
    }
    for (let e = 0; e < E; e++) {
      const a = src[e];
      const b = dst[e];
      if (!(a >= 0 && a < N))
        throw new InvalidArgumentError(fn, 'src', `must be in [0, ${N}), got ${a} at position ${e}`, a);
      if (!(b >= 0 && b < N))
        throw new InvalidArgumentError(fn, 'dst', `must be in [0, ${N}), got ${b} at position ${e}`, b);
    }
  }

  /** Distances, the radial basis `[E, K]` (at `ef` in the heap) and the envelope `[E]` (the formulas of radial.ts). */
  private radial(
    heap: Float32Array,
    ef: number,
    vectors: Float32Array | Float64Array,
    E: number,
    distances: Float32Array,
  ): void {
    const K = this.basisSize;
    const rc = this.cutoff;
    if (this.envelope.length < E) this.envelope = new Float32Array(E);
    const env = this.envelope;
    const p = this.exponent;
    const pa = -((p + 1) * (p + 2)) / 2;
    const pb = p * (p + 2);
    const pc = -(p * (p + 1)) / 2;
    const step = rc / (K - 1);
    const gamma = 0.5 / (step * step);
    const bessel = this.basisKind === 'bessel';
    const cosine = this.envelopeKind === 'cosine';
    const norm = Math.sqrt(2 / rc);
    for (let e = 0; e < E; e++) {
      const x = vectors[3 * e];
      const y = vectors[3 * e + 1];
      const z = vectors[3 * e + 2];
      const d = Math.fround(Math.sqrt(Math.max(Math.fround(x * x + y * y + z * z), MIN_SQUARED_LENGTH)));
      distances[e] = d;
      const o = ef + e * K;
      if (bessel) {
        const dc = Math.max(d, 1e-6);
        for (let k = 0; k < K; k++) heap[o + k] = (Math.sin(dc * (((k + 1) * Math.PI) / rc)) / dc) * norm;
      } else {
        for (let k = 0; k < K; k++) {
          const t = d - Math.fround(k * step);
          heap[o + k] = Math.exp(-gamma * t * t);
        }
      }
      const u = Math.min(d / rc, 1);
      env[e] = cosine ? 0.5 * (Math.cos(u * Math.PI) + 1) : 1 + u ** p * (pa + u * (pb + pc * u));
    }
  }

  /** `z[e] = SiLU(P[src, 0:H] + P[dst, H:2H] + e_e·W_c + b)` with `P = h·[W_a | W_b]`: the first edge MLP layer. */
  private edgeHidden(
    s: { edgeFeat: number; z: number; nodeP: number; h: number },
    N: number,
    src: Int32Array,
    dst: Int32Array,
    E: number,
    nodeAB: number,
    edgeC: number,
    edgeBias: number,
  ): void {
    const F = this.units;
    const H = this.hiddenUnits;
    const Hp = pad8(H);
    const P2 = pad8(2 * H);
    const k = this.kernels;
    k.matmul(s.nodeP, s.h, pad8(F), pad4(N), F, nodeAB, P2, this.zeros);
    k.matmul(s.z, s.edgeFeat, this.basisSize, pad4(E), this.basisSize, edgeC, Hp, edgeBias);
    const heap = k.heap;
    const P = s.nodeP;
    for (let e = 0, o = s.z; e < E; e++, o += Hp) {
      const a = P + src[e] * P2;
      const b = P + dst[e] * P2 + H;
      for (let j = 0; j < H; j++) heap[o + j] += heap[a + j] + heap[b + j];
    }
    k.silu(s.z, E * Hp);
  }

  private conv(
    w: ConvWeights,
    s: {
      edgeFeat: number;
      z: number;
      m: number;
      nodeP: number;
      nodeX: number;
      nodeU: number;
      nodeO: number;
      h: number;
    },
    N: number,
    src: Int32Array,
    dst: Int32Array,
    E: number,
  ): void {
    const F = this.units;
    const H = this.hiddenUnits;
    const Fp = pad8(F);
    const Hp = pad8(H);
    const N4 = pad4(N);
    const k = this.kernels;
    this.edgeHidden(s, N, src, dst, E, w.nodeAB, w.edgeC, w.edgeBias);
    k.matmul(s.m, s.z, Hp, pad4(E), H, w.edge2, Fp, w.edge2Bias);
    k.silu(s.m, E * Fp);
    const heap = k.heap;
    // X = [h ‖ agg], agg = Σ_{e: src = i} SiLU(m_e)·gate_e·f(d_e) (or the mean).
    const X = s.nodeX;
    const F2 = 2 * F;
    for (let i = 0; i < N; i++) {
      const xi = X + i * F2;
      const hi = s.h + i * Fp;
      for (let f = 0; f < F; f++) {
        heap[xi + f] = heap[hi + f];
        heap[xi + F + f] = 0;
      }
    }
    const env = this.envelope;
    const gate = w.gate;
    for (let e = 0, o = s.m; e < E; e++, o += Fp) {
      let scale = env[e];
      if (gate) {
        let g = w.gateBias;
        for (let f = 0; f < F; f++) g += heap[o + f] * gate[f];
        scale *= 1 / (1 + Math.exp(-g));
      }
      const a = X + src[e] * F2 + F;
      for (let f = 0; f < F; f++) heap[a + f] += heap[o + f] * scale;
    }
    if (this.mean) {
      const c = this.counts;
      for (let i = 0; i < N; i++) {
        const inv = 1 / Math.max(c[i], 1);
        const a = X + i * F2 + F;
        for (let f = 0; f < F; f++) heap[a + f] *= inv;
      }
    }
    k.matmul(s.nodeU, X, F2, N4, F2, w.node1, Hp, w.node1Bias);
    k.silu(s.nodeU, N * Hp);
    k.matmul(s.nodeO, s.nodeU, Hp, N4, H, w.node2, Fp, w.node2Bias);
    for (let i = 0; i < N; i++) {
      const hi = s.h + i * Fp;
      const oi = s.nodeO + i * Fp;
      const xi = X + i * F2;
      for (let f = 0; f < F; f++) heap[hi + f] = heap[xi + f] + heap[oi + f];
    }
    if (w.normScale && w.normShift) {
      const scale = w.normScale;
      const shift = w.normShift;
      for (let i = 0; i < N; i++) {
        const o = s.h + i * Fp;
        let mean = 0;
        for (let f = 0; f < F; f++) mean += heap[o + f];
        mean /= F;
        let variance = 0;
        for (let f = 0; f < F; f++) variance += (heap[o + f] - mean) ** 2;
        variance /= F;
        const inv = 1 / Math.sqrt(variance + 1e-5);
        for (let f = 0; f < F; f++) heap[o + f] = (heap[o + f] - mean) * inv * scale[f] + shift[f];
      }
    }
  }
}

function describe(a: unknown): string {
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    return `${a.constructor.name} of length ${(a as unknown as ArrayLike<number>).length}`;
  }
  return a === null ? 'null' : typeof a;
}
