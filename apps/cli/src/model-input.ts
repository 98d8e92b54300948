import { type Crystal, closeContacts, elementSymbol, InvalidArgumentError, lllReduce } from '@crys/lattice';
import { CliFailure } from './errors.js';

/**
 * The shortest lattice translation a crystal given to a model may have (Å). Every atom sits this close to its
 * own periodic image; below about half an ångström (the shortest bond, H–H, is 0.74 Å) the cell is flat rather
 * than a crystal, and the k-nearest neighbour search of the model would gather millions of images.
 */
export const MIN_TRANSLATION = 0.5;

/**
 * The shortest distance two different atoms of a crystal may have (Å), periodic images included: the structural
 * validity threshold of the field (CDVAE's and DiffCSP's `structure_validity`, @crys/eval's `structureValidity`).
 * Closer atoms are the same atom written twice, not a structure; partially occupied sites sharing a position
 * (a disordered site) are not counted.
 */
export const MIN_DISTANCE = 0.5;

/** How many overlapping pairs {@link overlapMessage} counts before it says "or more". */
const MAX_COUNTED = 100;

/**
 * The sentence that names the overlapping atoms of a crystal (atoms closer than {@link MIN_DISTANCE} Å, periodic
 * images included), or undefined when there are none: the same words for the commands that refuse the crystal
 * (`relax`, `predict --data`, `eval`) and the ones that warn (`info`, `convert`). Atoms are numbered from 1, in
 * file order.
 *
 * @example
 * overlapMessage(crystal, 'dup.vasp');
 * // 'dup.vasp: atom 5 (O) and atom 6 (O) overlap: 0.0000 Å apart (periodic images included), closer than 0.5 Å'
 */
export function overlapMessage(crystal: Crystal, label: string): string | undefined {
  const contacts = closeContacts(crystal, MIN_DISTANCE, { limit: MAX_COUNTED + 1 });
  if (contacts.length === 0) return undefined;
  const { i, j, distance } = contacts[0];
  const z = crystal.atomicNumbers;
  const more =
    contacts.length === 1
      ? ''
      : `; ${contacts.length > MAX_COUNTED ? `${MAX_COUNTED} or more` : contacts.length - 1} other pair(s) too`;
  return `${label}: atom ${i + 1} (${elementSymbol(z[i])}) and atom ${j + 1} (${elementSymbol(z[j])}) overlap: ${distance.toFixed(4)} Å apart (periodic images included), closer than ${MIN_DISTANCE} Å${more}`;
}

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
 * a cell that is not flat (shortest lattice translation at least {@link MIN_TRANSLATION} Å), no two atoms closer
 * than {@link MIN_DISTANCE} Å ({@link overlapMessage}) and, given `limit`,
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
  const overlap = overlapMessage(crystal, label);
  if (overlap !== undefined) {
    throw new CliFailure(overlap, 'remove the duplicated atom from the file (crys info lists the nearest pair)');
  }
}
