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
