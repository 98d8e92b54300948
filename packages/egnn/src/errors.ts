import { CrysError } from '@crys/lattice';

export { InvalidArgumentError } from '@crys/lattice';

/**
 * No requested tfjs backend could be initialised (for example `wasm` without its `.wasm` files, or `webgl` in
 * Node). Carries the backends that were tried and why each failed.
 *
 * @example
 * ```ts
 * try { await initBackend('webgl'); } catch (e) { if (e instanceof BackendUnavailableError) console.log(e.tried); }
 * ```
 */
export class BackendUnavailableError extends CrysError {
  override name = 'BackendUnavailableError';
  /** Backends tried, in order, each with the reason it failed. */
  readonly tried: readonly { readonly backend: string; readonly reason: string }[];
  constructor(fn: string, tried: readonly { readonly backend: string; readonly reason: string }[]) {
    super(
      `${fn}: no tfjs backend could be initialised (tried ${tried.map((t) => `${t.backend}: ${t.reason}`).join('; ')})`,
    );
    this.tried = tried;
  }
}

/**
 * Weights or a configuration could not be loaded: wrong byte length, unknown class name, or a shape that does not
 * match the configuration.
 *
 * @example
 * ```ts
 * try { Egnn.load(json, new Float32Array(3)); } catch (e) { if (e instanceof WeightsFormatError) console.log(e.message); }
 * ```
 */
export class WeightsFormatError extends CrysError {
  override name = 'WeightsFormatError';
}

/**
 * A kernel's output does not fit in tfjs-backend-wasm's heap (a WebAssembly memory of 4 GiB at most), or
 * `EgnnInference`'s scratch does not fit in its own heap. Raised instead of letting the output land at address 0,
 * which corrupts the heap (tfjs-backend-wasm does not check its allocations). Free tensors, or run on smaller
 * batches; `Egnn.apply` outside a gradient tape and `EgnnInference.apply` take their edges in chunks.
 *
 * @example
 * ```ts
 * try { net.apply(inputs); } catch (e) { if (e instanceof HeapExhaustedError) console.log(e.bytes); }
 * ```
 */
export class HeapExhaustedError extends CrysError {
  override name = 'HeapExhaustedError';
  /** Bytes of the allocation that failed. */
  readonly bytes: number;
  /**
   * @param what - what did not fit, e.g. `an output of shape [3, 4]`.
   * @param options - the heap's name (default tfjs-backend-wasm's) and what to do about it.
   */
  constructor(
    fn: string,
    what: string,
    bytes: number,
    heapBytes: number,
    options: { heap?: string; advice?: string } = {},
  ) {
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)} MiB`;
    const heap = options.heap ?? "tfjs-backend-wasm's heap";
    const advice = options.advice ?? 'free tensors or use smaller inputs';
    super(`${fn}: ${heap} (${mib(heapBytes)}, 4 GiB at most) cannot hold ${what} (${mib(bytes)}); ${advice}`);
    this.bytes = bytes;
  }
}
