const marker = Symbol.for('crys.error');

/**
 * Base class of every error thrown by a `@crys/*` package. Recognised across duplicate installs through
 * {@link CrysError.isInstance}, which checks a global symbol rather than the prototype chain.
 *
 * @example
 * try { niggliReduce(bad); } catch (e) { if (CrysError.isInstance(e)) console.error(e.message); }
 */
export class CrysError extends Error {
  private readonly [marker] = true;
  override name = 'CrysError';

  /** True for any error raised by a `@crys/*` package, even from another copy of it. */
  static isInstance(error: unknown): error is CrysError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/**
 * An argument had the wrong length, type, range or value. Names the function and the argument.
 *
 * @example
 * throw new InvalidArgumentError('radiusGraph', 'cutoff', `must be positive and finite, got ${cutoff}`, cutoff);
 */
export class InvalidArgumentError extends CrysError {
  override name = 'InvalidArgumentError';
  readonly parameter: string;
  readonly value: unknown;
  constructor(fn: string, parameter: string, message: string, value?: unknown) {
    super(`${fn}: ${parameter} ${message}`);
    this.parameter = parameter;
    this.value = value;
  }
}

/**
 * A lattice is singular, degenerate or not finite.
 *
 * @example
 * try { assertLattice('f', [1, 0, 0, 2, 0, 0, 0, 0, 1]); } catch (e) { e instanceof DegenerateLatticeError; } // true
 */
export class DegenerateLatticeError extends InvalidArgumentError {
  override name = 'DegenerateLatticeError';
}

/**
 * Describes a value compactly for an error message: the first few numbers of an array, or the value.
 *
 * @example
 * describeValue([1, 2, 3]); // '[1, 2, 3] (length 3)'
 */
export function describeValue(value: unknown): string {
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    const a = value as ArrayLike<number>;
    const head = Array.from({ length: Math.min(a.length, 9) }, (_, i) => String(a[i]));
    return `[${head.join(', ')}${a.length > 9 ? ', …' : ''}] (length ${a.length})`;
  }
  return String(value);
}
