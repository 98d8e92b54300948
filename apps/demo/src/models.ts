import { elementSymbol } from '@crys/lattice';
import { type DomainIssue, domainIssues, type ModelConfig, type TaskKind } from '@crys/model';

/**
 * What the page knows of a shipped model before fetching its weights: its name and its model.json's `config`
 * (task, species, atom limit, training domain), read at build time.
 */
export interface ModelInfo {
  readonly name: string;
  readonly config: ModelConfig;
}

/** The task of a model. */
export function modelTask(model: ModelInfo): TaskKind {
  return model.config.task.kind;
}

/** Menu order of the tasks, and what each does to the input. */
export const TASK_LABELS: Record<TaskKind, string> = {
  structure: 'predict a structure for a composition',
  denoise: 'relax (denoise) the loaded crystal',
  lattice: 'recover the lattice of the loaded crystal',
  // not offered by the page (vite.config.ts leaves property models out): they rank the samples of a structure model
  property: 'predict a property of the loaded crystal',
};

/**
 * Why a model cannot run on these atoms at all (elements its network has no embedding for, or more atoms than it
 * accepts), in words for the page; null when it can. Inputs it can run on may still lie outside its training
 * domain: see {@link outsideDomain}.
 *
 * @example
 * modelMismatch(carbon24, [38, 22, 8, 8, 8]); // 'trained on C only (not Sr, Ti, O)'
 */
export function modelMismatch(model: ModelInfo, atomicNumbers: ArrayLike<number>): string | null {
  const { species, maxAtoms } = model.config;
  const known = new Set(species);
  const missing: number[] = [];
  for (let i = 0; i < atomicNumbers.length; i++) {
    const z = atomicNumbers[i];
    if (!known.has(z) && !missing.includes(z)) missing.push(z);
  }
  if (missing.length > 0) {
    const trained =
      species.length <= 3
        ? `${species.map(symbol).join(', ')} only`
        : `${species.length} elements of ${datasetName(model)}`;
    return `trained on ${trained} (not ${missing.map(symbol).join(', ')})`;
  }
  if (atomicNumbers.length === 0) return 'no atoms given';
  if (atomicNumbers.length > maxAtoms) return `at most ${maxAtoms} atoms per cell (not ${atomicNumbers.length})`;
  return null;
}

/**
 * Where an input the model can run on lies outside what it was trained on (@crys/model's `domainIssues`: atoms per
 * cell, volume per atom, elements absent from the training split): the model extrapolates there.
 *
 * @example
 * outsideDomain(perov5, { atomicNumbers: ca4ti4o12 }); // ["20 atoms per cell; model 'perov_5' was trained on cells of 5 atoms"]
 */
export function outsideDomain(
  model: ModelInfo,
  input: { readonly atomicNumbers: ArrayLike<number>; readonly lattice?: ArrayLike<number> },
): string[] {
  if (modelMismatch(model, input.atomicNumbers) !== null) return [];
  return domainIssues(model, input).map((issue: DomainIssue) => issue.message);
}

function symbol(z: number): string {
  return z >= 1 && z <= 118 ? elementSymbol(z) : `Z=${z}`;
}

/** The dataset a model was trained on, by name: `data/perov_5/val.csv` → `perov_5`. */
export function datasetName(model: ModelInfo): string {
  const path = String(model.config.domain?.dataset ?? model.config.meta?.dataset ?? model.name);
  return path.match(/([^/]+)\/[^/]*$/)?.[1] ?? path;
}

/**
 * The model to select for an input: the current one if it still fits, else the first fitting model of the same
 * task, else the first fitting model in task order (structure, denoise, lattice); null when none fits.
 * `inputFor(task)` gives the atoms a task would run on (the composition for `structure`, the crystal otherwise).
 */
export function pickModel(
  models: readonly ModelInfo[],
  current: string | null,
  inputFor: (task: TaskKind) => ArrayLike<number> | null,
): ModelInfo | null {
  const fits = (m: ModelInfo) => {
    const input = inputFor(modelTask(m));
    return input !== null && modelMismatch(m, input) === null;
  };
  const cur = models.find((m) => m.name === current);
  if (cur && fits(cur)) return cur;
  const sameTask = cur ? models.find((m) => modelTask(m) === modelTask(cur) && fits(m)) : undefined;
  if (sameTask) return sameTask;
  for (const task of Object.keys(TASK_LABELS) as TaskKind[]) {
    const m = models.find((x) => modelTask(x) === task && fits(x));
    if (m) return m;
  }
  return null;
}

/**
 * The message when no model fits a crystal or composition: which elements each training set lacks.
 *
 * @example
 * noModelMessage(models, 'Po', [84]);
 * // 'No shipped model can run on Po: perov_5 models: trained on 56 elements of perov_5 (not Po); carbon_24 models: …'
 */
export function noModelMessage(
  models: readonly ModelInfo[],
  formula: string,
  atomicNumbers: ArrayLike<number>,
): string {
  const byDataset = new Map<string, string>();
  for (const m of models) {
    const why = modelMismatch(m, atomicNumbers);
    if (why && !byDataset.has(datasetName(m))) byDataset.set(datasetName(m), why);
  }
  const reasons = [...byDataset].map(([d, why]) => `${d} models: ${why}`).join('; ');
  return `No shipped model can run on ${formula}: ${reasons}. Load a crystal (or type a composition) made of elements one of the training sets covers.`;
}
