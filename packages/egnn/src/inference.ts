// A forward pass of an `Egnn` on typed arrays, for inference on small inputs. On a 5–20 atom crystal (~100–400 edges)
// tfjs spends most of its time per op (dispatch, allocation, tidy scopes), not in arithmetic. Here every matrix
// lives in one float32 heap: the dense products and SiLUs run as WebAssembly SIMD kernels (dense-kernels.ts), and
// the gathers, scatters, envelope, gate and layer norm as plain loops between them.
//
// Large graphs: each layer walks the edges in consecutive chunks of at most `edgeChunkSize` (C), so the per-edge
// scratch in the heap (radial features, z, m) takes C rows, not E; each chunk's messages are added onto the running
// per-node sums in edge order, the float32 sums of one pass over all edges, so results do not depend on C (bit for
// bit). Only the N-row node buffers and the weights grow with the input.
//
// Legend: N atoms, B graphs, E edges, C edges per chunk (min(E, edgeChunkSize)), F node features (units), H hidden
// units, K basis size, O edge outputs, V vector channels, T level features; a `p` suffix is the size padded to a
// multiple of 8 (the kernels' column block), and row counts are padded to a multiple of 4 (the `4` suffix: N4, C4).
import { type DenseKernels, denseKernels } from './inference-kernels.js';
import type { Egnn } from './egnn.js';
import { assertEdgeChunkSize, type MessageAggregation, WEIGHTED_MEAN_EPSILON } from './egnn-conv.js';
import { HeapExhaustedError, InvalidArgumentError } from './errors.js';
import { levelFrequencies } from './level-embedding.js';
import { MIN_SQUARED_LENGTH, PolynomialCutoff } from './radial.js';

/** Inputs of {@link EgnnInference.apply}: the typed arrays behind {@link EgnnInputs}' tensors. */
export interface EgnnInferenceInputs {
  /** N atomic numbers (a `Crystal`'s `Uint8Array`, or an `Int32Array`), each in `[0, maxAtomicNumber]`. */
  readonly atomicNumbers: Uint8Array | Int32Array | Uint16Array;
  /** E centre atoms, each in `[0, N)`. */
  readonly src: Int32Array;
  /** E neighbour atoms, each in `[0, N)`. */
  readonly dst: Int32Array;
  /** 3·E edge vectors r_e (Å), edge-major. Only invariants of them enter the network (see `EgnnInputs.vectors`). */
  readonly vectors: Float32Array | Float64Array;
  /** B levels t, one per graph; required when the network has `levelFeatures`. */
  readonly level?: Float32Array | Float64Array;
  /** N graph of each atom, each in `[0, B)`; required when the network has `levelFeatures`. */
  readonly crystalIndex?: Int32Array;
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

/** Options of {@link EgnnInference} and {@link Egnn.compileInference}. */
export interface EgnnInferenceOptions {
  /** False forces the plain-loop kernels (for tests and comparisons). Default true: WebAssembly SIMD if available. */
  simd?: boolean;
  /**
   * Edges per chunk: each layer takes its edges in consecutive chunks of at most this many, so the per-edge scratch
   * in the heap (a WebAssembly memory of at most 4 GiB) is sized by the chunk, not by E (about 576 bytes per edge of
   * a chunk at F = H = 64, K = 16). Results do not depend on it (bit for bit). A positive integer or `Infinity`
   * (never chunk); default 131072 (2¹⁷), as the layers' `edgeChunkSize`.
   */
  edgeChunkSize?: number;
}

/** Heap offsets (floats) of the scratch of one {@link EgnnInference.apply} call, after the weights. */
interface Scratch {
  /** `[C4, K]` radial features of the current chunk. */
  readonly edgeFeat: number;
  /** `[C4, max(Hp, Vp)]` hidden layer of the current chunk's edge MLP. */
  readonly z: number;
  /** `[C4, max(Fp, Op, Vp)]` messages (or head outputs, or vector coefficients) of the current chunk. */
  readonly m: number;
  /** `[N4, max(pad8(2H), pad8(2V))]` node parts `h·[W_a | W_b]`. */
  readonly nodeP: number;
  /** `[N4, 2F]` `[h ‖ agg]`. */
  readonly nodeX: number;
  /** `[N4, max(Hp, Vp)]` and `[N4, Fp]`: the node MLP (and the vector norms `[N4, Vp]` and their update). */
  readonly nodeU: number;
  readonly nodeO: number;
  /** `[N4, Fp]` node features. */
  readonly h: number;
  /** Edges per chunk C (0 without edges). */
  readonly chunk: number;
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

/** Float offsets of one {@link VectorChannels} layer's weights in the heap. */
interface VectorWeights {
  /** `[F, pad8(2V)]`: columns 0…V−1 are W_a (for h_src), V…2V−1 W_b (for h_dst). */
  readonly nodeAB: number;
  /** `[K, Vp]` and bias `[Vp]`. */
  readonly edgeC: number;
  readonly edgeBias: number;
  /** `[V, Vp]` and bias `[Vp]`: the coefficients c_e. */
  readonly coef: number;
  readonly coefBias: number;
  /** `[V, Fp]`: the node update from the squared norms. */
  readonly update: number;
}

/** A {@link LevelEmbedding}'s weights, used by plain loops (B rows). */
interface LevelWeights {
  /** T/2 frequencies π·2^k (float32, as the layer's). */
  readonly freqs: Float32Array;
  /** `[T, F]`, `[F]`, `[F, F]`, `[F]`. */
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  readonly w2: Float32Array;
  readonly b2: Float32Array;
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

// Arithmetic, not bitwise: the heap's float counts pass 2³¹.
const pad8 = (n: number) => Math.ceil(n / 8) * 8;
const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/** A WebAssembly memory (32-bit addresses) holds 2¹⁶ pages of 64 KiB: 4 GiB. */
const MAX_HEAP_BYTES = 2 ** 32;

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
 * where available (Node ≥ 16.4 and current browsers), plain loops elsewhere. Edges are taken in chunks of
 * {@link EgnnInference.edgeChunkSize}, so large graphs fit in its heap.
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
  /** Vector channels V per layer (0: none). */
  readonly vectorChannels: number;
  /** Sinusoidal level features T (0: no level input). */
  readonly levelFeatures: number;
  private readonly cutoff: number;
  private readonly basisKind: 'gaussian' | 'bessel';
  private readonly envelopeKind: 'cosine' | 'polynomial';
  private readonly exponent: number;
  private readonly aggregation: MessageAggregation;
  private readonly table: Float32Array;
  private readonly convs: readonly ConvWeights[];
  private readonly vectorLayers: readonly VectorWeights[];
  private readonly level: LevelWeights | undefined;
  private readonly head: HeadWeights;
  private readonly kernels: DenseKernels;
  /** Heap floats taken by the weights; scratch starts here. */
  private readonly weightSize: number;
  /** A zero bias of width max(pad8(2H), pad8(2V), Fp). */
  private readonly zeros: number;
  private chunk: number;
  private envelope = new Float32Array(0);
  /** `[E, 3]` unit edge vectors û_e (with vector channels). */
  private unit = new Float32Array(0);
  /** `[N, 3V]` per-atom vectors of a vector-channel layer (float64 sums). */
  private nodeVec = new Float64Array(0);
  /**
   * `[E, K]` radial features of the whole edge set, outside the heap. Kept whole rather than recomputed per chunk and
   * layer: recomputing costs K exp (or sin) per edge in each of the L + 1 edge passes, about a tenth of a pass at
   * K = 16, H = 64, while keeping them costs a copy of K floats per edge and pass. They live in a plain array, not in
   * the heap, so the heap (4 GiB at most) holds only a chunk of them and its size does not grow with E at all.
   */
  private basis = new Float32Array(0);
  /**
   * `[N]` factor of each atom's mean, for a conv layer's `'mean'` or `'weighted-mean'` aggregation and every vector
   * channel layer: 1 / max(deg(i), 1), or with `'weighted-mean'` 1 / (Σ_{e: src = i} f(d_e) + ε).
   */
  private inverseDegree = new Float64Array(0);

  /**
   * Snapshots the weights of `net` (building it if needed). Prefer {@link Egnn.compileInference}.
   *
   * @param options - `simd` (default true) and `edgeChunkSize` (default 131072), see {@link EgnnInferenceOptions}.
   * @throws {@link InvalidArgumentError} when `edgeChunkSize` is not a positive integer or `Infinity`.
   */
  constructor(net: Egnn, options: EgnnInferenceOptions = {}) {
    this.chunk = assertEdgeChunkSize('EgnnInference', options?.edgeChunkSize);
    this.units = net.units;
    this.hiddenUnits = net.hiddenUnits;
    this.basisSize = net.basisSize;
    this.edgeOutputs = net.edgeOutputs;
    this.maxAtomicNumber = net.maxAtomicNumber;
    this.vectorChannels = net.vectorChannels;
    this.levelFeatures = net.levelFeatures;
    this.cutoff = net.cutoff;
    this.basisKind = net.basisKind;
    this.envelopeKind = net.envelopeKind;
    this.exponent = net.envelope instanceof PolynomialCutoff ? net.envelope.exponent : 0;
    this.aggregation = net.aggregation;
    net.build();
    const F = this.units;
    const H = this.hiddenUnits;
    const w = new WeightWriter();
    const nodePair = (a: Readable, b: Readable, width: number) => {
      const at = w.alloc(F, pad8(2 * width));
      w.put(at, pad8(2 * width), 0, a);
      w.put(at, pad8(2 * width), width, b);
      return at;
    };
    const features = net.embedding.features();
    this.table = values(features);
    if (features !== (net.embedding.table as unknown)) features.dispose();
    this.convs = net.convs.map((c) => {
      const nodeAB = nodePair(c.edge1A, c.edge1B, H);
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
    const V = this.vectorChannels;
    this.vectorLayers = net.vectorLayers.map((v) => ({
      nodeAB: nodePair(v.wa, v.wb, V),
      edgeC: w.matrix(v.wc),
      edgeBias: w.matrix(v.b1),
      coef: w.matrix(v.w2),
      coefBias: w.matrix(v.b2),
      update: w.matrix(v.w3),
    }));
    const level = net.levelEmbedding;
    this.level = level && {
      freqs: levelFrequencies(level.features),
      w1: values(level.w1),
      b1: values(level.b1),
      w2: values(level.w2),
      b2: values(level.b2),
    };
    const h = net.head;
    this.head = {
      nodeAB: nodePair(h.head1A, h.head1B, H),
      edgeC: w.matrix(h.head1C),
      edgeBias: w.matrix(h.head1Bias),
      head2: w.matrix(h.head2),
      head2Bias: w.matrix(h.head2Bias),
    };
    this.zeros = w.alloc(1, Math.max(pad8(2 * H), pad8(2 * V), pad8(F)));
    this.weightSize = pad4(w.size);
    this.kernels = denseKernels(options?.simd ?? true);
    this.reserve('EgnnInference', this.weightSize);
    w.write(this.kernels.heap);
  }

  /** True when the WebAssembly SIMD kernels are in use (false: plain loops). */
  get simd(): boolean {
    return this.kernels.simd;
  }

  /**
   * Edges per chunk of every layer ({@link EgnnInferenceOptions.edgeChunkSize}): a positive integer or `Infinity`.
   * May be changed at any time; results do not depend on it, only the heap size does.
   *
   * @example
   * ```ts
   * infer.edgeChunkSize = 4096; // smaller scratch for a graph of millions of edges
   * ```
   */
  get edgeChunkSize(): number {
    return this.chunk;
  }

  set edgeChunkSize(size: number) {
    this.chunk = assertEdgeChunkSize('EgnnInference', size);
  }

  /**
   * Bytes of this instance's heap (weights and the scratch of the largest call so far; it never shrinks). With edges
   * in chunks it grows with N and the chunk size, not with E.
   */
  get heapBytes(): number {
    return this.kernels.heap.byteLength;
  }

  /** Grows the heap to `floats` values, or throws {@link HeapExhaustedError} naming `fn` when it cannot grow. */
  private reserve(fn: string, floats: number): void {
    const bytes = 4 * floats;
    try {
      // The plain-loop heap is a Float32Array, which would go past 4 GiB (taking that memory); it keeps to the
      // WebAssembly heap's limit so both kernels fail alike.
      if (!this.kernels.simd && bytes > MAX_HEAP_BYTES) throw new RangeError('past the 4 GiB heap limit');
      this.kernels.reserve(floats);
    } catch (e) {
      // memory.grow (and a typed array that cannot be allocated) throw RangeError; the heap is left as it was.
      if (e instanceof RangeError) {
        throw new HeapExhaustedError(
          fn,
          'its node buffers and one chunk of edges',
          bytes,
          this.kernels.heap.byteLength,
          {
            heap: "EgnnInference's heap",
            advice: 'use a smaller edgeChunkSize or fewer atoms',
          },
        );
      }
      throw e;
    }
  }

  /**
   * The network's forward pass: per-edge invariant outputs, final node features and edge lengths, as
   * `Egnn.apply` computes them.
   *
   * @throws {@link InvalidArgumentError} when the arrays have inconsistent lengths or out-of-range entries.
   * @throws {@link HeapExhaustedError} when the heap (4 GiB at most) cannot hold the node buffers and one chunk of
   * edges: use a smaller {@link edgeChunkSize} (or fewer atoms).
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
    const V = this.vectorChannels;
    const Vp = pad8(V);
    const N4 = pad4(N);
    const C = Math.min(E, this.chunk);
    const C4 = pad4(C);
    // Scratch layout after the weights: one chunk of edges, then the nodes.
    const edgeFeat = this.weightSize;
    const z = edgeFeat + C4 * K;
    const m = z + C4 * Math.max(Hp, Vp);
    const nodeP = m + C4 * Math.max(Fp, Op, Vp);
    const nodeX = nodeP + N4 * Math.max(pad8(2 * H), pad8(2 * V));
    const nodeU = nodeX + N4 * 2 * F;
    const nodeO = nodeU + N4 * Math.max(Hp, Vp);
    const h = nodeO + N4 * Fp;
    const end = h + N4 * Fp;
    const s: Scratch = { edgeFeat, z, m, nodeP, nodeX, nodeU, nodeO, h, chunk: C };
    this.reserve('EgnnInference.apply', end);
    const heap = this.kernels.heap;
    heap.fill(0, this.weightSize, end);

    const distances = new Float32Array(E);
    this.radial(vectors, E, distances);
    for (let i = 0; i < N; i++) {
      const a = atomicNumbers[i];
      heap.set(this.table.subarray(a * F, a * F + F), h + i * Fp);
    }
    if (this.level)
      this.addLevel(this.level, h, inputs.level as Float32Array | Float64Array, inputs.crystalIndex as Int32Array);
    if (this.aggregation !== 'sum' || V > 0) this.degrees(src, N, E);
    for (let l = 0; l < this.convs.length; l++) {
      this.conv(this.convs[l], s, N, src, dst, E);
      if (V > 0) this.vectors(this.vectorLayers[l], s, N, src, dst, E);
    }
    const head = this.head;
    this.nodeParts(s, N, head.nodeAB, H);
    const edgeOutputs = new Float32Array(E * O);
    const env = this.envelope;
    for (let start = 0; start < E; start += C) {
      const size = Math.min(C, E - start);
      this.edgeHidden(s, src, dst, start, size, head.edgeC, head.edgeBias, H);
      this.kernels.matmul(m, z, Hp, pad4(size), H, head.head2, Op, head.head2Bias);
      for (let e = start, o = m; e < start + size; e++, o += Op) {
        for (let k = 0; k < O; k++) edgeOutputs[e * O + k] = heap[o + k] * env[e];
      }
    }
    const nodeFeatures = new Float32Array(N * F);
    for (let i = 0; i < N; i++) nodeFeatures.set(heap.subarray(h + i * Fp, h + i * Fp + F), i * F);
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
    if (this.level) {
      const { level, crystalIndex } = inputs;
      if (!(level instanceof Float32Array || level instanceof Float64Array)) {
        throw new InvalidArgumentError(
          fn,
          'level',
          `must be a Float32Array or Float64Array of B levels (the network has levelFeatures), got ${describe(level)}`,
        );
      }
      const B = level.length;
      if (!(crystalIndex instanceof Int32Array) || crystalIndex.length !== N) {
        throw new InvalidArgumentError(
          fn,
          'crystalIndex',
          `must be an Int32Array of length N = ${N} (the network has levelFeatures), got ${describe(crystalIndex)}`,
        );
      }
      for (let i = 0; i < N; i++) {
        const b = crystalIndex[i];
        if (!(b >= 0 && b < B)) {
          throw new InvalidArgumentError(
            fn,
            'crystalIndex',
            `must be in [0, B = ${B}) (one level per graph), got ${b} at position ${i}`,
            b,
          );
        }
      }
    }
  }

  /**
   * Adds the level embedding of graph `crystalIndex[i]` to the features of atom i:
   * `W₂·SiLU(W₁·[sin(ωt) ‖ cos(ωt)] + b₁) + b₂` (float64 sums of float32 values; B rows, so plain loops).
   */
  private addLevel(w: LevelWeights, h: number, level: Float32Array | Float64Array, crystalIndex: Int32Array): void {
    const F = this.units;
    const Fp = pad8(F);
    const T = this.levelFeatures;
    const half = T / 2;
    const B = level.length;
    const rows = new Float32Array(B * F);
    const feat = new Float64Array(T);
    const hidden = new Float64Array(F);
    for (let b = 0; b < B; b++) {
      const t = Math.fround(level[b]);
      for (let k = 0; k < half; k++) {
        const arg = Math.fround(t * w.freqs[k]);
        feat[k] = Math.fround(Math.sin(arg));
        feat[half + k] = Math.fround(Math.cos(arg));
      }
      for (let f = 0; f < F; f++) {
        let u = w.b1[f];
        for (let k = 0; k < T; k++) u += feat[k] * w.w1[k * F + f];
        u = Math.fround(u);
        hidden[f] = Math.fround(u / (1 + Math.exp(-u)));
      }
      for (let f = 0; f < F; f++) {
        let u = w.b2[f];
        for (let k = 0; k < F; k++) u += hidden[k] * w.w2[k * F + f];
        rows[b * F + f] = u;
      }
    }
    const heap = this.kernels.heap;
    for (let i = 0; i < crystalIndex.length; i++) {
      const o = h + i * Fp;
      const r = crystalIndex[i] * F;
      for (let f = 0; f < F; f++) heap[o + f] += rows[r + f];
    }
  }

  /**
   * {@link inverseDegree} of atoms 0…N−1: 1 / max(deg(i), 1) from the edge counts, or with `'weighted-mean'`
   * 1 / (Σ_{e: src = i} f(d_e) + ε), the envelopes (of {@link radial}) summed in edge order in float64.
   */
  private degrees(src: Int32Array, N: number, E: number): void {
    if (this.inverseDegree.length < N) this.inverseDegree = new Float64Array(N);
    const d = this.inverseDegree;
    d.fill(0, 0, N);
    if (this.aggregation === 'weighted-mean') {
      const env = this.envelope;
      for (let e = 0; e < E; e++) d[src[e]] += env[e];
      for (let i = 0; i < N; i++) d[i] = 1 / (d[i] + WEIGHTED_MEAN_EPSILON);
    } else {
      for (let e = 0; e < E; e++) d[src[e]]++;
      for (let i = 0; i < N; i++) d[i] = 1 / Math.max(d[i], 1);
    }
  }

  /** Distances, the radial basis `[E, K]` and the envelope `[E]` (the formulas of radial.ts), outside the heap. */
  private radial(vectors: Float32Array | Float64Array, E: number, distances: Float32Array): void {
    const K = this.basisSize;
    const rc = this.cutoff;
    if (this.envelope.length < E) this.envelope = new Float32Array(E);
    if (this.basis.length < E * K) this.basis = new Float32Array(E * K);
    const env = this.envelope;
    const basis = this.basis;
    const p = this.exponent;
    const pa = -((p + 1) * (p + 2)) / 2;
    const pb = p * (p + 2);
    const pc = -(p * (p + 1)) / 2;
    const step = rc / (K - 1);
    const gamma = 0.5 / (step * step);
    const bessel = this.basisKind === 'bessel';
    const cosine = this.envelopeKind === 'cosine';
    const norm = Math.sqrt(2 / rc);
    const withUnit = this.vectorChannels > 0;
    if (withUnit && this.unit.length < 3 * E) this.unit = new Float32Array(3 * E);
    const unit = this.unit;
    for (let e = 0; e < E; e++) {
      const x = vectors[3 * e];
      const y = vectors[3 * e + 1];
      const z = vectors[3 * e + 2];
      const d = Math.fround(Math.sqrt(Math.max(Math.fround(x * x + y * y + z * z), MIN_SQUARED_LENGTH)));
      distances[e] = d;
      if (withUnit) {
        unit[3 * e] = x / d;
        unit[3 * e + 1] = y / d;
        unit[3 * e + 2] = z / d;
      }
      const o = e * K;
      if (bessel) {
        const dc = Math.max(d, 1e-6);
        for (let k = 0; k < K; k++) basis[o + k] = (Math.sin(dc * (((k + 1) * Math.PI) / rc)) / dc) * norm;
      } else {
        for (let k = 0; k < K; k++) {
          const t = d - Math.fround(k * step);
          basis[o + k] = Math.exp(-gamma * t * t);
        }
      }
      const u = Math.min(d / rc, 1);
      env[e] = cosine ? 0.5 * (Math.cos(u * Math.PI) + 1) : 1 + u ** p * (pa + u * (pb + pc * u));
    }
  }

  /**
   * `P = h·[W_a | W_b]` `[N, 2W]`: the node half of the first layer of an edge MLP of width W, once per layer for all
   * chunks.
   */
  private nodeParts(s: Scratch, N: number, nodeAB: number, width: number): void {
    const F = this.units;
    this.kernels.matmul(s.nodeP, s.h, pad8(F), pad4(N), F, nodeAB, pad8(2 * width), this.zeros);
  }

  /**
   * The first layer of an edge MLP of width W on edges `[start, start + size)`, into rows 0… of `z`:
   * `z[e] = SiLU(P[src, 0:W] + P[dst, W:2W] + e_e·W_c + b)`, with `P` from {@link nodeParts}.
   */
  private edgeHidden(
    s: Scratch,
    src: Int32Array,
    dst: Int32Array,
    start: number,
    size: number,
    edgeC: number,
    edgeBias: number,
    width: number,
  ): void {
    const H = width;
    const K = this.basisSize;
    const Hp = pad8(H);
    const P2 = pad8(2 * H);
    const k = this.kernels;
    const heap = k.heap;
    // The chunk's radial features at row 0, so any chunk size works: each chunk is padded to 4 rows on its own. The
    // padding rows of a short last chunk are zeroed (their outputs are never read).
    heap.set(this.basis.subarray(start * K, (start + size) * K), s.edgeFeat);
    heap.fill(0, s.edgeFeat + size * K, s.edgeFeat + pad4(size) * K);
    k.matmul(s.z, s.edgeFeat, K, pad4(size), K, edgeC, Hp, edgeBias);
    const P = s.nodeP;
    for (let e = start, o = s.z; e < start + size; e++, o += Hp) {
      const a = P + src[e] * P2;
      const b = P + dst[e] * P2 + H;
      for (let j = 0; j < H; j++) heap[o + j] += heap[a + j] + heap[b + j];
    }
    k.silu(s.z, size * Hp);
  }

  private conv(w: ConvWeights, s: Scratch, N: number, src: Int32Array, dst: Int32Array, E: number): void {
    const F = this.units;
    const H = this.hiddenUnits;
    const Fp = pad8(F);
    const Hp = pad8(H);
    const N4 = pad4(N);
    const k = this.kernels;
    const heap = k.heap;
    // X = [h ‖ agg], agg = Σ_{e: src = i} SiLU(m_e)·gate_e·f(d_e) (or that sum times inverseDegree: the mean or the
    // weighted mean).
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
    this.nodeParts(s, N, w.nodeAB, H);
    const env = this.envelope;
    const gate = w.gate;
    // Chunk by chunk, each message added onto agg in edge order: the same float32 sums as one pass over all edges.
    for (let start = 0; start < E; start += s.chunk) {
      const size = Math.min(s.chunk, E - start);
      this.edgeHidden(s, src, dst, start, size, w.edgeC, w.edgeBias, H);
      k.matmul(s.m, s.z, Hp, pad4(size), H, w.edge2, Fp, w.edge2Bias);
      k.silu(s.m, size * Fp);
      for (let e = start, o = s.m; e < start + size; e++, o += Fp) {
        let scale = env[e];
        if (gate) {
          let g = w.gateBias;
          for (let f = 0; f < F; f++) g += heap[o + f] * gate[f];
          scale *= 1 / (1 + Math.exp(-g));
        }
        const a = X + src[e] * F2 + F;
        for (let f = 0; f < F; f++) heap[a + f] += heap[o + f] * scale;
      }
    }
    if (this.aggregation !== 'sum') {
      const invDeg = this.inverseDegree;
      for (let i = 0; i < N; i++) {
        const inv = invDeg[i];
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

  /**
   * A vector-channel layer: v_ic = mean_{e: src = i} c_ec·f(d_e)·û_e (over deg(i), or over the soft degree with
   * `'weighted-mean'`) with c_e = W₂·SiLU(P[src] + P[dst] + e_e·W_c + b₁) + b₂, then h ← h + |v|²·W₃. The per-atom
   * vectors are summed in float64, in edge order, chunk by chunk.
   */
  private vectors(w: VectorWeights, s: Scratch, N: number, src: Int32Array, dst: Int32Array, E: number): void {
    const F = this.units;
    const V = this.vectorChannels;
    const Fp = pad8(F);
    const Vp = pad8(V);
    const V3 = 3 * V;
    const k = this.kernels;
    const heap = k.heap;
    if (this.nodeVec.length < N * V3) this.nodeVec = new Float64Array(N * V3);
    const v = this.nodeVec;
    v.fill(0, 0, N * V3);
    const env = this.envelope;
    const unit = this.unit;
    this.nodeParts(s, N, w.nodeAB, V);
    for (let start = 0; start < E; start += s.chunk) {
      const size = Math.min(s.chunk, E - start);
      this.edgeHidden(s, src, dst, start, size, w.edgeC, w.edgeBias, V);
      k.matmul(s.m, s.z, Vp, pad4(size), V, w.coef, Vp, w.coefBias);
      for (let e = start, o = s.m; e < start + size; e++, o += Vp) {
        const scale = env[e];
        const ux = unit[3 * e];
        const uy = unit[3 * e + 1];
        const uz = unit[3 * e + 2];
        const a = src[e] * V3;
        for (let c = 0; c < V; c++) {
          const coef = Math.fround(heap[o + c] * scale);
          v[a + 3 * c] += coef * ux;
          v[a + 3 * c + 1] += coef * uy;
          v[a + 3 * c + 2] += coef * uz;
        }
      }
    }
    const invDeg = this.inverseDegree;
    for (let i = 0; i < N; i++) {
      const inv = invDeg[i];
      const a = i * V3;
      const o = s.nodeU + i * Vp;
      for (let c = 0; c < V; c++) {
        const x = v[a + 3 * c] * inv;
        const y = v[a + 3 * c + 1] * inv;
        const z = v[a + 3 * c + 2] * inv;
        heap[o + c] = x * x + y * y + z * z;
      }
    }
    k.matmul(s.nodeO, s.nodeU, Vp, pad4(N), V, w.update, Fp, this.zeros);
    for (let i = 0; i < N; i++) {
      const hi = s.h + i * Fp;
      const oi = s.nodeO + i * Fp;
      for (let f = 0; f < F; f++) heap[hi + f] += heap[oi + f];
    }
  }
}

function describe(a: unknown): string {
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    return `${a.constructor.name} of length ${(a as unknown as ArrayLike<number>).length}`;
  }
  return a === null ? 'null' : typeof a;
}
