import { CrysError } from '@crys/lattice';

/**
 * Symmetry analysis (moyo) failed for a crystal, e.g. because the tolerance is too loose for its cell or the
 * WebAssembly module could not be loaded. Carries the function name and moyo's own message.
 *
 * @example
 * try { await spaceGroup(crystal, { symprec: 10 }); } catch (e) { if (e instanceof SymmetryError) console.log(e.message); }
 */
export class SymmetryError extends CrysError {
  override name = 'SymmetryError';
  /** The message of the underlying moyo error. */
  override readonly cause: unknown;
  constructor(fn: string, message: string, cause?: unknown) {
    super(`${fn}: ${message}`);
    this.cause = cause;
  }
}
