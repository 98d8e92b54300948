import { CrysError, InvalidArgumentError } from '@crys/lattice';

/**
 * A crystal the model cannot take: an element outside its species table, no atoms, or more atoms than its
 * size limit. Carries the offending crystal's index in a batch (or -1) and the reason.
 *
 * @example
 * try { assertSupported(model, crystal, 'relax'); } catch (e) { if (e instanceof UnsupportedCrystalError) console.log(e.reason); }
 */
export class UnsupportedCrystalError extends InvalidArgumentError {
  override name = 'UnsupportedCrystalError';
  readonly reason: 'element' | 'empty' | 'size';
  constructor(fn: string, parameter: string, reason: 'element' | 'empty' | 'size', message: string, value?: unknown) {
    super(fn, parameter, message, value);
    this.reason = reason;
  }
}

/**
 * A model file, checkpoint or weight blob that cannot be read: wrong format tag, version, shapes or sizes.
 *
 * @example
 * try { loadModel('{}'); } catch (e) { if (e instanceof ModelFormatError) console.log(e.message); }
 */
export class ModelFormatError extends CrysError {
  override name = 'ModelFormatError';
  constructor(fn: string, message: string) {
    super(`${fn}: ${message}`);
  }
}
