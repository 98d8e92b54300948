import { type Crystal, elementSymbol, InvalidArgumentError, volume } from '@crys/lattice';
import type { ActionModel, ModelConfig } from './model.js';
import type { TaskKind } from './tasks.js';

/**
 * What a model has seen: the crystals of its training split, summarised as the elements they hold, their atoms per
 * cell and their volume per atom. Recorded in the model file (`config.domain`) at training time; inputs outside it
 * are extrapolation, and {@link domainIssues} names what is outside.
 *
 * @example
 * model.config.domain; // { task: 'structure', dataset: 'data/perov_5/val.csv', split: 'train', crystals: 7300, … }
 */
export interface ModelDomain {
  /** The task the model was trained for. */
  readonly task: TaskKind;
  /** The dataset it was trained on (path or name), when known. */
  readonly dataset?: string;
  /** Which rows of the dataset: its training split (FNV-1a of `material_id`, buckets 0–7). */
  readonly split: 'train';
  /** Number of training crystals. */
  readonly crystals: number;
  /** Atomic numbers present in the training crystals, ascending. */
  readonly elements: readonly number[];
  /** Fewest and most atoms per cell. */
  readonly atoms: { readonly min: number; readonly max: number };
  /** Smallest and largest volume per atom, Å³. */
  readonly volumePerAtom: { readonly min: number; readonly max: number };
}

/**
 * The domain of a model trained on `crystals` (its training split): elements, atoms per cell and volume per atom
 * (ranges over the crystals), with the task and dataset it was trained for. Throws {@link InvalidArgumentError} for
 * an empty list or a crystal without atoms.
 *
 * @example
 * const domain = modelDomain(split.train.map((r) => r.crystal), { task: 'structure', dataset: 'data/perov_5/val.csv' });
 * domain.atoms; // { min: 5, max: 5 }
 */
export function modelDomain(
  crystals: readonly Crystal[],
  info: { readonly task: TaskKind; readonly dataset?: string },
): ModelDomain {
  const fn = 'modelDomain';
  if (crystals.length === 0) {
    throw new InvalidArgumentError(fn, 'crystals', 'must hold at least one training crystal, got 0', crystals);
  }
  const elements = new Set<number>();
  let minAtoms = Number.POSITIVE_INFINITY;
  let maxAtoms = 0;
  let minV = Number.POSITIVE_INFINITY;
  let maxV = 0;
  for (let c = 0; c < crystals.length; c++) {
    const z = crystals[c].atomicNumbers;
    const n = z.length;
    if (n === 0) throw new InvalidArgumentError(fn, `crystals[${c}]`, 'has no atoms', c);
    for (let i = 0; i < n; i++) elements.add(z[i]);
    minAtoms = Math.min(minAtoms, n);
    maxAtoms = Math.max(maxAtoms, n);
    const v = Math.abs(volume(crystals[c].lattice)) / n;
    minV = Math.min(minV, v);
    maxV = Math.max(maxV, v);
  }
  return {
    task: info.task,
    ...(info.dataset !== undefined ? { dataset: info.dataset } : {}),
    split: 'train',
    crystals: crystals.length,
    elements: [...elements].sort((a, b) => a - b),
    atoms: { min: minAtoms, max: maxAtoms },
    volumePerAtom: { min: minV, max: maxV },
  };
}

/** One way an input lies outside a model's domain; see {@link domainIssues}. */
export interface DomainIssue {
  /** What is outside: an element the model never saw, the number of atoms, or the volume per atom. */
  readonly kind: 'element' | 'atoms' | 'volumePerAtom';
  /** The input's value: the atomic number, the number of atoms, or the volume per atom (Å³). */
  readonly value: number;
  /** A sentence for users, e.g. `20 atoms per cell; model 'perov_5' was trained on cells of 5 atoms`. */
  readonly message: string;
}

/** A range as words: `5` when it is one value, else `5–20`. */
function range(min: number, max: number, digits: number): string {
  const a = min.toFixed(digits);
  const b = max.toFixed(digits);
  return a === b ? a : `${a}–${b}`;
}

/**
 * Where an input lies outside the domain of `model` (its `config.domain`): elements it was not trained on, a number
 * of atoms outside the training cells' range, and (when the input has a lattice) a volume per atom outside the
 * training range. Empty when the input is inside. A model file without a recorded domain is checked against its
 * species and atom limit only. `input` is a crystal, or only the atomic numbers of a composition to predict.
 * Messages call the model `model '<config.name>'`, or `options.modelName` (e.g. the file it was read from).
 *
 * @example
 * domainIssues(perov5, { atomicNumbers: [20, 20, 20, 20, 22, 22, 22, 22, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8] });
 * // [{ kind: 'atoms', value: 20, message: "20 atoms per cell; model 'perov_5' was trained on cells of 5 atoms" }]
 */
export function domainIssues(
  model: Pick<ActionModel, 'config'> | { readonly config: ModelConfig },
  input: { readonly atomicNumbers: ArrayLike<number>; readonly lattice?: ArrayLike<number> },
  options: { readonly modelName?: string } = {},
): DomainIssue[] {
  const { config } = model;
  const domain = config.domain;
  const name = options.modelName ?? `model '${config.name}'`;
  const issues: DomainIssue[] = [];
  const known = domain?.elements ?? config.species;
  const z = input.atomicNumbers;
  const seen = new Set<number>();
  for (let i = 0; i < z.length; i++) {
    if (known.includes(z[i]) || seen.has(z[i])) continue;
    seen.add(z[i]);
    const symbol = z[i] >= 1 && z[i] <= 118 ? elementSymbol(z[i]) : `Z = ${z[i]}`;
    issues.push({
      kind: 'element',
      value: z[i],
      message: `${symbol} is not among the ${known.length} element(s) ${name} was trained on`,
    });
  }
  const n = z.length;
  const atoms = domain?.atoms ?? { min: 1, max: config.maxAtoms };
  if (n < atoms.min || n > atoms.max) {
    issues.push({
      kind: 'atoms',
      value: n,
      message: `${n} atoms per cell; ${name} was trained on cells of ${range(atoms.min, atoms.max, 0)} atoms`,
    });
  }
  if (domain && input.lattice !== undefined && n > 0) {
    const v = Math.abs(volume(input.lattice)) / n;
    const { min, max } = domain.volumePerAtom;
    if (v < min || v > max) {
      issues.push({
        kind: 'volumePerAtom',
        value: v,
        message: `volume per atom ${v.toFixed(2)} Å³; ${name} was trained on ${range(min, max, 2)} Å³ per atom`,
      });
    }
  }
  return issues;
}
