import { type Crystal, InvalidArgumentError, lllReduce } from '@crys/lattice';
import { CliFailure } from './errors.js';

/**
 * The shortest lattice translation a crystal given to a model may have (Å). Every atom sits this close to its
 * own periodic image; below about half an ångström (the shortest bond, H–H, is 0.74 Å) the cell is flat rather
 * than a crystal, and the k-nearest neighbour search of the model would gather millions of images.
 */
export const MIN_TRANSLATION = 0.5;

/** The largest |fractional coordinate| a model input may have (the readers' limit too). */
const MAX_FRAC = 1e6;

/** Length of the shortest row of the LLL-reduced lattice (within a factor of about 2 of the shortest translation). */
function shortestTranslation(lattice: Float64Array): number {
  let reduced: Float64Array;
  try {
    reduced = lllReduce(lattice).lattice;
  } catch (e) {
    if (e instanceof InvalidArgumentError) return 0; // too skewed to reduce: flat for any purpose here
    throw e;
  }
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) best = Math.min(best, Math.hypot(reduced[3 * r], reduced[3 * r + 1], reduced[3 * r + 2]));
  return best;
}

/**
 * Checks a crystal before a model command builds anything from it, and says what is wrong in the user's terms
 * (`label` is the file, `file:row 3` or `file#2`): at least one atom, finite fractional coordinates within ±1e6,
 * a cell that is not flat (shortest lattice translation at least {@link MIN_TRANSLATION} Å) and, given `limit`,
 * at most the model's `maxAtoms` (`limit.model` names it). Commands call it once before loading the model (so a
 * bad file fails at once) and once with the model's limit. Throws {@link CliFailure} (exit 1).
 *
 * @example
 * assertModelInput(item.crystal, item.label, { maxAtoms: model.config.maxAtoms, model: source });
 */
export function assertModelInput(
  crystal: Crystal,
  label: string,
  limit?: { readonly maxAtoms: number; readonly model: string },
): void {
  const n = crystal.atomicNumbers.length;
  if (n === 0) throw new CliFailure(`${label} has no atoms`);
  if (limit && n > limit.maxAtoms) {
    const { maxAtoms, model } = limit;
    throw new CliFailure(
      `${label} has ${n} atoms, above the limit of ${maxAtoms} atoms of model ${model}`,
      'give a smaller cell of the structure (a primitive cell), or a model trained on larger cells',
    );
  }
  const f = crystal.fracCoords;
  for (let i = 0; i < f.length; i++) {
    if (!(Math.abs(f[i]) <= MAX_FRAC)) {
      throw new CliFailure(
        `${label}: atom ${Math.floor(i / 3) + 1} has fractional ${'xyz'[i % 3]} = ${f[i]}, expected a finite number within ±${MAX_FRAC}`,
      );
    }
  }
  const shortest = shortestTranslation(crystal.lattice);
  if (!(shortest >= MIN_TRANSLATION)) {
    throw new CliFailure(
      `${label}: the cell is nearly flat: its shortest lattice translation is ${shortest.toPrecision(3)} Å, so every atom sits that close to its own periodic image (at least ${MIN_TRANSLATION} Å is needed)`,
      'check the lattice vectors (and the scale factor) of the file',
    );
  }
}
